using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>Tensors and inputs shared by the quantization op tests.</summary>
internal static class QuantTestData
{
    /// <summary>
    /// Lengths that reach every vector width's loop and the scalar tail: 115 = 64 + 32 + 16 + 3 bytes, 59 = 32 + 16 + 8 + 3
    /// shorts (with AVX-512 on; the narrower paths take over when it is off), 1 and 7 only the tail.
    /// </summary>
    public static readonly int[] Lengths = { 1, 7, 16, 59, 115, 203 };

    /// <summary>A tensor of an integer or float type from doubles, as raw little-endian data (int4/uint4 packed, low nibble first).</summary>
    public static TensorProto Tensor(string name, DT type, long[] shape, IEnumerable<double> values)
    {
        var v = values.ToArray();
        byte[] raw = type switch
        {
            DT.Float => v.SelectMany(d => BitConverter.GetBytes((float)d)).ToArray(),
            DT.Float16 => v.SelectMany(d => BitConverter.GetBytes((Half)d)).ToArray(),
            DT.Uint8 => v.Select(d => (byte)d).ToArray(),
            DT.Int8 => v.Select(d => unchecked((byte)(sbyte)d)).ToArray(),
            DT.Uint16 => v.SelectMany(d => BitConverter.GetBytes((ushort)d)).ToArray(),
            DT.Int16 => v.SelectMany(d => BitConverter.GetBytes((short)d)).ToArray(),
            DT.Int32 => v.SelectMany(d => BitConverter.GetBytes((int)d)).ToArray(),
            DT.Int4 or DT.Uint4 => Enumerable.Range(0, (v.Length + 1) / 2)
                .Select(i => (byte)(((int)v[2 * i] & 0xF) | (2 * i + 1 < v.Length ? ((int)v[2 * i + 1] & 0xF) << 4 : 0))).ToArray(),
            _ => throw new ArgumentException(type.ToString()),
        };
        return ModelBuilder.RawTensor(name, type, raw, shape);
    }

    public static TensorProto Scalar(string name, DT type, double value) => Tensor(name, type, Array.Empty<long>(), new[] { value });

    public static (long Min, long Max) Range(DT type) => type switch
    {
        DT.Uint8 => (0, 255),
        DT.Int8 => (-128, 127),
        DT.Uint16 => (0, 65535),
        DT.Int16 => (-32768, 32767),
        DT.Int32 => (-(1L << 30), 1L << 30),
        _ => throw new ArgumentException(type.ToString()),
    };

    /// <summary>A typed array of the element type, for run-time inputs.</summary>
    public static Array TypedArray(DT type, IEnumerable<long> values) => type switch
    {
        DT.Uint8 => values.Select(v => (byte)v).ToArray(),
        DT.Int8 => values.Select(v => (sbyte)v).ToArray(),
        DT.Uint16 => values.Select(v => (ushort)v).ToArray(),
        DT.Int16 => values.Select(v => (short)v).ToArray(),
        DT.Int32 => values.Select(v => (int)v).ToArray(),
        _ => throw new ArgumentException(type.ToString()),
    };

    /// <summary>
    /// x values for a scale: most of them well inside the range, some far beyond both ends (saturation), and exact
    /// ties (k + 0.5) * scale when the scale is a power of two.
    /// </summary>
    public static float[] Inputs(Random random, int n, float scale, double range)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = (i % 5) switch
            {
                0 => (float)((random.Next(-(int)range, (int)range) + 0.5) * scale),
                1 => (float)((random.NextDouble() * 2 - 1) * 3 * range * scale),
                _ => (float)((random.NextDouble() * 2 - 1) * range * scale),
            };
        return x;
    }

    public static Dictionary<string, Array> Feed(string name, Array data) => new() { [name] = data };
}

/// <summary>QuantizeLinear against ONNX Runtime, bit for bit (tolerance 0).</summary>
[Trait("Category", "Ops")]
public class QuantizeLinearTests
{
    private static void AssertExact(ModelBuilder builder, Dictionary<string, Array> inputs) =>
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 0, relTolerance: 0, inputs: inputs);

    [Theory]
    [InlineData(10, DT.Uint8, 128)]
    [InlineData(10, DT.Int8, -5)]
    [InlineData(13, DT.Uint8, 3)]
    [InlineData(13, DT.Int8, 0)]
    [InlineData(19, DT.Int8, 100)]
    [InlineData(21, DT.Uint8, 250)]
    [InlineData(21, DT.Uint16, 30000)]
    [InlineData(21, DT.Int16, -1000)]
    public void Per_tensor_matches_onnx_runtime_with_ties_and_saturation(int opset, DT type, int zeroPoint)
    {
        var (min, max) = QuantTestData.Range(type);
        foreach (var scale in new[] { 0.25f, 0.0173f })
            foreach (int n in QuantTestData.Lengths)
            {
                var builder = new ModelBuilder(opset).Input("x", n)
                    .Initializer(QuantTestData.Scalar("s", DT.Float, scale))
                    .Initializer(QuantTestData.Scalar("zp", type, zeroPoint))
                    .Node("QuantizeLinear", new[] { "x", "s", "zp" }, new[] { "y" }).Output("y", type);
                AssertExact(builder, QuantTestData.Feed("x", QuantTestData.Inputs(new Random(n), n, scale, (max - min) / 2.0)));
            }
    }

    [Fact]
    public void Without_zero_point_the_output_is_uint8()
    {
        foreach (int n in new[] { 7, 64, 77 })
        {
            var builder = new ModelBuilder(13).Input("x", n)
                .Initializer(QuantTestData.Scalar("s", DT.Float, 0.5))
                .Node("QuantizeLinear", new[] { "x", "s" }, new[] { "y" }).Output("y", DT.Uint8);
            AssertExact(builder, QuantTestData.Feed("x", QuantTestData.Inputs(new Random(n), n, 0.5f, 200)));
        }
    }

    [Theory]
    [InlineData(DT.Int8)]
    [InlineData(DT.Int16)]
    [InlineData(DT.Uint16)]
    public void Opset21_output_dtype_without_zero_point(DT type)
    {
        var builder = new ModelBuilder(21).Input("x", 70)
            .Initializer(QuantTestData.Scalar("s", DT.Float, 0.125))
            .Node("QuantizeLinear", new[] { "x", "s" }, new[] { "y" }, ("output_dtype", (int)type)).Output("y", type);
        var (min, max) = QuantTestData.Range(type);
        AssertExact(builder, QuantTestData.Feed("x", QuantTestData.Inputs(new Random(3), 70, 0.125f, (max - min) / 2.0)));
    }

    /// <summary>
    /// x / scale and x * (1 / scale) differ in the last bit for these pairs, and so round to different integers:
    /// ONNX Runtime divides, and so must ModelGen.
    /// </summary>
    [Fact]
    public void Divides_by_the_scale_rather_than_multiplying_by_its_reciprocal()
    {
        var random = new Random(11);
        const float scale = 0.0123f;
        var xs = new List<float>();
        while (xs.Count < 67)
        {
            float x = (float)((random.Next(-120, 120) + 0.5) * scale);
            x = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) + random.Next(-2, 3));
            float byDivision = MathF.Round(x / scale, MidpointRounding.ToEven), byReciprocal = MathF.Round(x * (1f / scale), MidpointRounding.ToEven);
            if (byDivision != byReciprocal) xs.Add(x);
        }
        var builder = new ModelBuilder(13).Input("x", xs.Count)
            .Initializer(QuantTestData.Scalar("s", DT.Float, scale))
            .Initializer(QuantTestData.Scalar("zp", DT.Int8, 0))
            .Node("QuantizeLinear", new[] { "x", "s", "zp" }, new[] { "y" }).Output("y", DT.Int8);
        AssertExact(builder, QuantTestData.Feed("x", xs.ToArray()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Per_axis_matches_onnx_runtime(int axis)
    {
        long[] shape = { 3, 5, 2, 19 };
        int dim = (int)shape[axis < 0 ? axis + shape.Length : axis];
        var random = new Random(axis + 10);
        var scales = Enumerable.Range(0, dim).Select(_ => 0.01 + random.NextDouble() * 0.1).ToArray();
        var zps = Enumerable.Range(0, dim).Select(_ => (double)random.Next(-128, 128)).ToArray();
        int n = (int)shape.Aggregate(1L, (a, b) => a * b);
        var builder = new ModelBuilder(13).Input("x", shape)
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { dim }, scales))
            .Initializer(QuantTestData.Tensor("zp", DT.Int8, new long[] { dim }, zps))
            .Node("QuantizeLinear", new[] { "x", "s", "zp" }, new[] { "y" }, ("axis", axis)).Output("y", DT.Int8);
        AssertExact(builder, QuantTestData.Feed("x", QuantTestData.Inputs(random, n, 0.06f, 128)));
    }

    [Theory]
    [InlineData(1, 2, DT.Uint8)]
    [InlineData(1, 3, DT.Int8)]
    [InlineData(0, 2, DT.Int8)]
    [InlineData(-1, 4, DT.Uint8)]
    [InlineData(2, 5, DT.Int8)]
    [InlineData(1, 3, DT.Int16)]
    [InlineData(-1, 4, DT.Uint16)]
    public void Blocked_matches_onnx_runtime(int axis, int blockSize, DT type)
    {
        long[] shape = { 3, 7, 11 };
        int a = axis < 0 ? axis + shape.Length : axis;
        var sShape = shape.Select((d, i) => i == a ? (d + blockSize - 1) / blockSize : d).ToArray();
        int sn = (int)sShape.Aggregate(1L, (p, q) => p * q), n = (int)shape.Aggregate(1L, (p, q) => p * q);
        var random = new Random(a * 10 + blockSize);
        var (min, max) = QuantTestData.Range(type);
        var builder = new ModelBuilder(21).Input("x", shape)
            .Initializer(QuantTestData.Tensor("s", DT.Float, sShape, Enumerable.Range(0, sn).Select(_ => 0.01 + random.NextDouble() * 0.1)))
            .Initializer(QuantTestData.Tensor("zp", type, sShape, Enumerable.Range(0, sn).Select(_ => (double)random.Next((int)min, (int)max + 1))))
            .Node("QuantizeLinear", new[] { "x", "s", "zp" }, new[] { "y" }, ("axis", axis), ("block_size", blockSize)).Output("y", type);
        AssertExact(builder, QuantTestData.Feed("x", QuantTestData.Inputs(random, n, 0.06f, 128)));
    }

    [Fact]
    public void Scale_and_zero_point_may_be_run_time_inputs()
    {
        var builder = new ModelBuilder(13).Input("x", 4, 33).Input("s", 4).Input("zp", DT.Uint8, 4)
            .Node("QuantizeLinear", new[] { "x", "s", "zp" }, new[] { "y" }, ("axis", 0)).Output("y", DT.Uint8);
        var inputs = new Dictionary<string, Array>
        {
            ["x"] = QuantTestData.Inputs(new Random(4), 132, 0.1f, 128),
            ["s"] = new[] { 0.1f, 0.05f, 0.3f, 0.02f },
            ["zp"] = new byte[] { 0, 128, 255, 17 },
        };
        AssertExact(builder, inputs);
    }

    [Fact]
    public void Constant_input_folds_and_matches_onnx_runtime()
    {
        var x = QuantTestData.Inputs(new Random(8), 40, 0.25f, 128);
        var builder = new ModelBuilder(13).Input("a", 40)
            .Initializer(QuantTestData.Tensor("x", DT.Float, new long[] { 40 }, x.Select(v => (double)v)))
            .Initializer(QuantTestData.Scalar("s", DT.Float, 0.25))
            .Initializer(QuantTestData.Scalar("zp", DT.Int8, -3))
            .Node("QuantizeLinear", new[] { "x", "s", "zp" }, new[] { "q" })
            .Node("Cast", new[] { "q" }, new[] { "qf" }, ("to", (int)DT.Float))
            .Node("Add", new[] { "qf", "a" }, new[] { "y" }).Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType == "QuantizeLinear");
        AssertExact(builder, QuantTestData.Feed("a", new float[40]));
    }

    [Theory]
    [InlineData(DT.Int32)]
    [InlineData(DT.Float8E8M0)]
    [InlineData(DT.Bool)]
    public void Unsupported_output_types_are_diagnosed(DT type)
    {
        var builder = new ModelBuilder(21).Input("x", 8)
            .Initializer(QuantTestData.Scalar("s", DT.Float, 0.5))
            .Node("QuantizeLinear", new[] { "x", "s" }, new[] { "y" }, ("output_dtype", (int)type)).Output("y", type);
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id is "MG0203" or "MG0202");
    }

    [Fact]
    public void Invalid_nodes_are_diagnosed()
    {
        var missingScale = new ModelBuilder(13).Input("x", 8)
            .Node("QuantizeLinear", new[] { "x" }, new[] { "y" }).Output("y", DT.Uint8);
        Assert.Contains(OnnxAssert.Compile(missingScale.ToBytes()).Diagnostics, d => d.Id == "MG0102");

        var wrongScale = new ModelBuilder(13).Input("x", 2, 8)
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { 3 }, new[] { 1.0, 2, 3 }))
            .Node("QuantizeLinear", new[] { "x", "s" }, new[] { "y" }, ("axis", 1)).Output("y", DT.Uint8);
        Assert.Contains(OnnxAssert.Compile(wrongScale.ToBytes()).Diagnostics, d => d.Id == "MG0102");

        var wrongBlocks = new ModelBuilder(21).Input("x", 2, 8)
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { 2, 3 }, new[] { 1.0, 2, 3, 4, 5, 6 }))
            .Node("QuantizeLinear", new[] { "x", "s" }, new[] { "y" }, ("axis", 1), ("block_size", 2)).Output("y", DT.Uint8);
        Assert.Contains(OnnxAssert.Compile(wrongBlocks.ToBytes()).Diagnostics, d => d.Id == "MG0102");

        var perAxisBefore13 = new ModelBuilder(10).Input("x", 2, 3)
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { 3 }, new[] { 1.0, 2, 3 }))
            .Node("QuantizeLinear", new[] { "x", "s" }, new[] { "y" }).Output("y", DT.Uint8);
        Assert.Contains(OnnxAssert.Compile(perAxisBefore13.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }

    /// <summary>The scalar definition the kernel must equal: x / scale in float, NaN to qmin, clamp, round half to even, + zp.</summary>
    private static long Reference(float x, float scale, long zeroPoint, long min, long max)
    {
        float q = x / scale;
        float lo = min - zeroPoint, hi = max - zeroPoint;
        q = float.IsNaN(q) ? lo : Math.Clamp(q, lo, hi);
        return (long)MathF.Round(q, MidpointRounding.ToEven) + zeroPoint;
    }

    private static void KernelMatchesReference<T>(long zeroPoint) where T : unmanaged
    {
        long min = Convert.ToInt64(typeof(T).GetField("MinValue")!.GetValue(null)), max = Convert.ToInt64(typeof(T).GetField("MaxValue")!.GetValue(null));
        var random = new Random(7);
        var zp = new[] { (T)Convert.ChangeType(zeroPoint, typeof(T)) };
        for (int n = 0; n <= 140; n++)
        {
            var x = Inputs(random, n, 0.5f, (max - min) / 2.0);
            if (n > 3) x[n / 2] = float.NaN;
            if (n > 5) { x[1] = float.PositiveInfinity; x[2] = float.NegativeInfinity; }
            var y = new T[n];
            ModelGen.Runtime.Kernels.QuantizeLinear<T>(x, new[] { 0.5f }, zp, y);
            for (int i = 0; i < n; i++)
                Assert.True(Reference(x[i], 0.5f, zeroPoint, min, max) == Convert.ToInt64(y[i]), $"n={n}, i={i}: x={x[i]} gave {y[i]}");
        }
    }

    private static float[] Inputs(Random random, int n, float scale, double range) => QuantTestData.Inputs(random, n, scale, range);

    /// <summary>
    /// Every length from 0 to 140 through the kernel (each vector width's loop and every tail length; CI reruns this with
    /// AVX-512, AVX2 and all intrinsics off), NaN and infinities included: NaN gives the type's minimum on every path
    /// (ONNX Runtime's vector loop does the same; its scalar remainder gives 0, so NaN is not compared with it).
    /// </summary>
    [Fact]
    public void Kernel_matches_the_scalar_definition_at_every_length()
    {
        KernelMatchesReference<byte>(131);
        KernelMatchesReference<sbyte>(-9);
        KernelMatchesReference<ushort>(1234);
        KernelMatchesReference<short>(-20000);
    }

    [Fact]
    public void Kernel_misuse_throws_argument_exceptions()
    {
        var x = new float[10];
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.QuantizeLinear<byte>(x, new float[3], default, new byte[10], axisLength: 5, inner: 2));
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.QuantizeLinear<byte>(x, new float[1], default, new byte[9]));
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.QuantizeLinear<byte>(x, new float[5], new byte[4], new byte[10], axisLength: 5, inner: 2));
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.QuantizeLinear<int>(x, new float[1], default, new int[10]));
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.DequantizeLinear<long>(new long[10], new float[1], default, new float[10]));
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.DequantizeLinear<byte>(new byte[12], new float[2], default, new float[12], axisLength: 4, inner: 3, blockSize: 3));
    }
}
