using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>DequantizeLinear against ONNX Runtime, bit for bit (tolerance 0), at run time and folded into weights.</summary>
[Trait("Category", "Ops")]
public class DequantizeLinearTests
{
    private static void AssertExact(ModelBuilder builder, Dictionary<string, Array> inputs) =>
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 0, relTolerance: 0, inputs: inputs);

    private static long[] Values(Random random, DT type, int n)
    {
        var (min, max) = QuantTestData.Range(type);
        return Enumerable.Range(0, n).Select(i => i % 7 == 0 ? min : i % 7 == 1 ? max : random.NextInt64(min, max + 1)).ToArray();
    }

    [Theory]
    [InlineData(10, DT.Uint8, 128)]
    [InlineData(10, DT.Int8, -7)]
    [InlineData(13, DT.Uint8, 0)]
    [InlineData(19, DT.Int8, 127)]
    [InlineData(21, DT.Uint16, 40000)]
    [InlineData(21, DT.Int16, -300)]
    [InlineData(13, DT.Int32, 0)]
    public void Per_tensor_matches_onnx_runtime(int opset, DT type, int zeroPoint)
    {
        foreach (int n in QuantTestData.Lengths)
        {
            var builder = new ModelBuilder(opset).Input("x", type, n)
                .Initializer(QuantTestData.Scalar("s", DT.Float, 0.0371));
            if (type == DT.Int32) builder.Node("DequantizeLinear", new[] { "x", "s" }, new[] { "y" });
            else builder.Initializer(QuantTestData.Scalar("zp", type, zeroPoint)).Node("DequantizeLinear", new[] { "x", "s", "zp" }, new[] { "y" });
            builder.Output("y");
            AssertExact(builder, QuantTestData.Feed("x", QuantTestData.TypedArray(type, Values(new Random(n), type, n))));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Per_axis_matches_onnx_runtime(int axis)
    {
        long[] shape = { 4, 6, 21 };
        int dim = (int)shape[axis < 0 ? axis + shape.Length : axis];
        var random = new Random(axis + 20);
        int n = (int)shape.Aggregate(1L, (a, b) => a * b);
        var builder = new ModelBuilder(13).Input("x", DT.Int8, shape)
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { dim }, Enumerable.Range(0, dim).Select(_ => 0.001 + random.NextDouble())))
            .Initializer(QuantTestData.Tensor("zp", DT.Int8, new long[] { dim }, Enumerable.Range(0, dim).Select(_ => (double)random.Next(-128, 128))))
            .Node("DequantizeLinear", new[] { "x", "s", "zp" }, new[] { "y" }, ("axis", axis)).Output("y");
        AssertExact(builder, QuantTestData.Feed("x", QuantTestData.TypedArray(DT.Int8, Values(random, DT.Int8, n))));
    }

    [Theory]
    [InlineData(1, 2, DT.Uint8)]
    [InlineData(0, 2, DT.Int8)]
    [InlineData(-1, 4, DT.Int8)]
    [InlineData(2, 16, DT.Uint8)]
    [InlineData(1, 3, DT.Int16)]
    [InlineData(-1, 5, DT.Uint16)]
    public void Blocked_matches_onnx_runtime(int axis, int blockSize, DT type)
    {
        long[] shape = { 3, 5, 37 };
        int a = axis < 0 ? axis + shape.Length : axis;
        var sShape = shape.Select((d, i) => i == a ? (d + blockSize - 1) / blockSize : d).ToArray();
        int sn = (int)sShape.Aggregate(1L, (p, q) => p * q), n = (int)shape.Aggregate(1L, (p, q) => p * q);
        var random = new Random(a * 10 + blockSize);
        var (min, max) = QuantTestData.Range(type);
        var builder = new ModelBuilder(21).Input("x", type, shape)
            .Initializer(QuantTestData.Tensor("s", DT.Float, sShape, Enumerable.Range(0, sn).Select(_ => 0.001 + random.NextDouble())))
            .Initializer(QuantTestData.Tensor("zp", type, sShape, Enumerable.Range(0, sn).Select(_ => (double)random.Next((int)min, (int)max + 1))))
            .Node("DequantizeLinear", new[] { "x", "s", "zp" }, new[] { "y" }, ("axis", axis), ("block_size", blockSize)).Output("y");
        AssertExact(builder, QuantTestData.Feed("x", QuantTestData.TypedArray(type, Values(random, type, n))));
    }

    /// <summary>How QDQ models carry weights: DequantizeLinear of an int8 initializer with per-channel scales becomes a float constant.</summary>
    [Theory]
    [InlineData(DT.Int8)]
    [InlineData(DT.Uint8)]
    public void Constant_weights_fold_to_float(DT type)
    {
        var random = new Random(5);
        var (min, max) = QuantTestData.Range(type);
        var w = Enumerable.Range(0, 6 * 10).Select(_ => (double)random.Next((int)min, (int)max + 1)).ToArray();
        var builder = new ModelBuilder(13).Input("a", 6, 10)
            .Initializer(QuantTestData.Tensor("w", type, new long[] { 6, 10 }, w))
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { 6 }, Enumerable.Range(0, 6).Select(_ => 0.001 + random.NextDouble() * 0.01)))
            .Initializer(QuantTestData.Tensor("zp", type, new long[] { 6 }, Enumerable.Range(0, 6).Select(_ => (double)random.Next((int)min, (int)max + 1))))
            .Node("DequantizeLinear", new[] { "w", "s", "zp" }, new[] { "wf" }, ("axis", 0))
            .Node("Add", new[] { "wf", "a" }, new[] { "y" }).Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType == "DequantizeLinear");
        AssertExact(builder, QuantTestData.Feed("a", new float[60]));
    }

    /// <summary>int4/uint4 weights (opset 21, two per byte, odd count) fold, per-axis and blocked; raw data and int32_data.</summary>
    [Theory]
    [InlineData(DT.Int4, 0, false)]
    [InlineData(DT.Int4, 3, false)]
    [InlineData(DT.Uint4, 2, false)]
    [InlineData(DT.Int4, 4, true)]
    public void Int4_weights_fold_to_float(DT type, int blockSize, bool int32Data)
    {
        var random = new Random(blockSize);
        int lo = type == DT.Int4 ? -8 : 0, hi = type == DT.Int4 ? 7 : 15;
        long[] shape = { 3, 9 };
        var w = Enumerable.Range(0, 27).Select(i => (double)(i % 9 == 0 ? lo : i % 9 == 1 ? hi : random.Next(lo, hi + 1))).ToArray();
        var sShape = blockSize == 0 ? new long[] { 9 } : new long[] { 3, (9 + blockSize - 1) / blockSize };
        int sn = (int)sShape.Aggregate(1L, (p, q) => p * q);
        var weights = QuantTestData.Tensor("w", type, shape, w);
        if (int32Data)
        {
            weights.Int32Data.AddRange(weights.RawData.Select(b => (int)b));
            weights.ClearRawData();
        }
        var builder = new ModelBuilder(21, irVersion: 10).Input("a", 3, 9).Initializer(weights)
            .Initializer(QuantTestData.Tensor("s", DT.Float, sShape, Enumerable.Range(0, sn).Select(_ => 0.01 + random.NextDouble())))
            .Initializer(QuantTestData.Tensor("zp", type, sShape, Enumerable.Range(0, sn).Select(_ => (double)random.Next(lo, hi + 1))))
            .Node("DequantizeLinear", new[] { "w", "s", "zp" }, new[] { "wf" }, ("axis", 1), ("block_size", blockSize))
            .Node("Add", new[] { "wf", "a" }, new[] { "y" }).Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType == "DequantizeLinear");
        AssertExact(builder, QuantTestData.Feed("a", new float[27]));
    }

    [Fact]
    public void Int4_runs_at_run_time()
    {
        // x is passed unpacked, one value per sbyte; (x - zp) * scale by hand.
        var builder = new ModelBuilder(21, irVersion: 10).Input("x", DT.Int4, 8)
            .Initializer(QuantTestData.Scalar("s", DT.Float, 0.5))
            .Node("DequantizeLinear", new[] { "x", "s" }, new[] { "y" }).Output("y");
        var options = ModelGen.Configuration.ModelOptions.Default("Int4Dequantize", "ModelGen.Tests.Dq");
        var result = ModelGen.Compiler.ModelCompiler.Compile(builder.ToBytes(), "int4.onnx", options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var model = ModelGen.Cli.Verification.InMemoryModel.Load(result, options);
        var y = new float[8];
        model.Run(new Array[] { new sbyte[] { 1, -2, 3, -4, 5, -6, 7, -8 } }, new Array[] { y });
        Assert.Equal(new[] { 0.5f, -1f, 1.5f, -2f, 2.5f, -3f, 3.5f, -4f }, y);
    }

    [Fact]
    public void Float16_scale_gives_float16_output()
    {
        foreach (int n in new[] { 5, 70 })
        {
            var builder = new ModelBuilder(21).Input("x", DT.Uint8, 2, n)
                .Initializer(QuantTestData.Tensor("s", DT.Float16, new long[] { 2 }, new[] { 0.0123, 3.7 }))
                .Initializer(QuantTestData.Tensor("zp", DT.Uint8, new long[] { 2 }, new[] { 3.0, 200 }))
                .Node("DequantizeLinear", new[] { "x", "s", "zp" }, new[] { "y" }, ("axis", 0)).Output("y", DT.Float16);
            AssertExact(builder, QuantTestData.Feed("x", QuantTestData.TypedArray(DT.Uint8, Values(new Random(n), DT.Uint8, 2 * n))));
        }
    }

    [Theory]
    [InlineData(DT.Float8E4M3Fn, new byte[] { 0x38, 0x40, 0xB8, 0x01 }, new[] { 1.0, 2.0, -1.0, 1.0 / 512 })]
    [InlineData(DT.Float8E5M2, new byte[] { 0x3C, 0x40, 0xBC, 0x01 }, new[] { 1.0, 2.0, -1.0, 1.0 / 65536 })]
    public void Float8_runs_at_run_time(DT type, byte[] codes, double[] values)
    {
        // Codes by hand from the bit layouts (E4M3: bias 7, E5M2: bias 15), passed as raw bits; value · scale.
        var builder = new ModelBuilder(21, irVersion: 10).Input("x", type, 4)
            .Initializer(QuantTestData.Scalar("s", DT.Float, 0.5))
            .Node("DequantizeLinear", new[] { "x", "s" }, new[] { "y" }).Output("y");
        var options = ModelGen.Configuration.ModelOptions.Default("Float8Dequantize", "ModelGen.Tests.Dq");
        var result = ModelGen.Compiler.ModelCompiler.Compile(builder.ToBytes(), "float8.onnx", options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var y = new float[4];
        ModelGen.Cli.Verification.InMemoryModel.Load(result, options).Run(new Array[] { codes }, new Array[] { y });
        Assert.Equal(values.Select(v => (float)(v * 0.5)), y);
    }

    [Fact]
    public void Invalid_nodes_are_diagnosed()
    {
        var zeroPointType = new ModelBuilder(13).Input("x", DT.Uint8, 8)
            .Initializer(QuantTestData.Scalar("s", DT.Float, 0.5))
            .Initializer(QuantTestData.Scalar("zp", DT.Int8, 1))
            .Node("DequantizeLinear", new[] { "x", "s", "zp" }, new[] { "y" }).Output("y");
        Assert.Contains(OnnxAssert.Compile(zeroPointType.ToBytes()).Diagnostics, d => d.Id == "MG0102");

        var zeroPointShape = new ModelBuilder(13).Input("x", DT.Uint8, 2, 8)
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { 2 }, new[] { 0.5, 1 }))
            .Initializer(QuantTestData.Scalar("zp", DT.Uint8, 1))
            .Node("DequantizeLinear", new[] { "x", "s", "zp" }, new[] { "y" }, ("axis", 0)).Output("y");
        Assert.Contains(OnnxAssert.Compile(zeroPointShape.ToBytes()).Diagnostics, d => d.Id == "MG0102");

        var badAxis = new ModelBuilder(13).Input("x", DT.Uint8, 2, 8)
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { 2 }, new[] { 0.5, 1 }))
            .Node("DequantizeLinear", new[] { "x", "s" }, new[] { "y" }, ("axis", 5)).Output("y");
        Assert.Contains(OnnxAssert.Compile(badAxis.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }

    /// <summary>
    /// A static QDQ model as quantization tools write it: x -> Q -> DQ -> Conv (weights DQ(int8, per-channel), float bias)
    /// -> Q -> DQ. ModelGen folds the weight DequantizeLinear and runs the rest in float (fusing the Q/DQ pairs into an
    /// integer convolution is the next step). ONNX Runtime rewrites the same graph into an integer QLinearConv whose
    /// requantization rounds the float accumulator differently (fixed-point scale, int32 accumulation with the bias
    /// quantized), so an output may land one quantization step (0.05) away: the tolerance is one step, no more. (On this
    /// data the two agree exactly; checked with tolerance 0.)
    /// </summary>
    [Fact]
    public void Static_qdq_conv_matches_onnx_runtime_within_one_output_step()
    {
        var random = new Random(21);
        const int cin = 3, cout = 4;
        var w = Enumerable.Range(0, cout * cin * 9).Select(_ => (double)random.Next(-127, 128)).ToArray();
        var wScales = Enumerable.Range(0, cout).Select(_ => 0.002 + random.NextDouble() * 0.004).ToArray();
        var builder = new ModelBuilder(13).Input("x", 1, cin, 9, 9)
            .Initializer(QuantTestData.Scalar("xs", DT.Float, 0.02))
            .Initializer(QuantTestData.Scalar("xz", DT.Uint8, 128))
            .Initializer(QuantTestData.Tensor("w", DT.Int8, new long[] { cout, cin, 3, 3 }, w))
            .Initializer(QuantTestData.Tensor("ws", DT.Float, new long[] { cout }, wScales))
            .Initializer(QuantTestData.Tensor("wz", DT.Int8, new long[] { cout }, new double[cout]))
            .Initializer(QuantTestData.Tensor("b", DT.Float, new long[] { cout }, Enumerable.Range(0, cout).Select(_ => random.NextDouble() - 0.5)))
            .Initializer(QuantTestData.Scalar("ys", DT.Float, 0.05))
            .Initializer(QuantTestData.Scalar("yz", DT.Uint8, 120))
            .Node("QuantizeLinear", new[] { "x", "xs", "xz" }, new[] { "xq" })
            .Node("DequantizeLinear", new[] { "xq", "xs", "xz" }, new[] { "xd" })
            .Node("DequantizeLinear", new[] { "w", "ws", "wz" }, new[] { "wd" }, ("axis", 0))
            .Node("Conv", new[] { "xd", "wd", "b" }, new[] { "c" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("QuantizeLinear", new[] { "c", "ys", "yz" }, new[] { "yq" })
            .Node("DequantizeLinear", new[] { "yq", "ys", "yz" }, new[] { "y" })
            .Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.Equal(2, result.Graph!.Nodes.Count(n => n.OpType == "DequantizeLinear"));
        var x = Enumerable.Range(0, cin * 81).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 0.05 * 1.0001, relTolerance: 0, inputs: QuantTestData.Feed("x", x));
    }
}
