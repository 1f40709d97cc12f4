using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// The 8-bit depthwise kernels against ONNX Runtime on the same file, exactly: ConvInteger and the dynamically quantized
/// chain (Kernels.DepthwiseU8.cs), QLinearConv and static QDQ layers (a generated method around the float depthwise
/// kernel), strides 1, 2 and 3, pads, dilation, 1-D, rows wide enough for every vector width and narrow ones for the
/// tails; the plan must call the depthwise kernel.
/// </summary>
[Trait("Category", "Ops")]
public class DepthwiseIntegerTests
{
    public static TheoryData<QConvCase> Depthwise() => new()
    {
        new QConvCase(1, 8, 9, 9, 8, 3, 3, Group: 8, Pad: 1),
        new QConvCase(2, 5, 12, 37, 5, 3, 3, Group: 5, Pad: 1),
        new QConvCase(1, 6, 20, 41, 6, 3, 3, Group: 6, Stride: 2, Pad: 1),
        new QConvCase(1, 4, 13, 35, 4, 3, 3, Group: 4, Stride: 2, Pad: 1, Dilation: 2),
        new QConvCase(1, 3, 11, 40, 3, 5, 5, Group: 3, Stride: 3, AutoPad: "SAME_UPPER"),
        new QConvCase(1, 8, 10, 10, 8, 5, 5, Group: 8, Stride: 2, AutoPad: "SAME_LOWER"),
        new QConvCase(2, 4, 1, 30, 4, 1, 5, Group: 4, Stride: 2, Pad: 2, OneD: true),
        new QConvCase(1, 7, 6, 19, 7, 2, 3, Group: 7, AutoPad: "VALID"),
        new QConvCase(1, 32, 112, 112, 32, 3, 3, Group: 32, Pad: 1),
    };

    private static int Length(long[] shape) => (int)shape.Aggregate(1L, (a, b) => a * b);

    [Theory]
    [MemberData(nameof(Depthwise))]
    public void ConvInteger_matches_onnx_runtime(QConvCase s)
    {
        var random = new Random(TestData.StableSeed(s) & 0xFFFF);
        var w = QuantizedTestData.Values(random, Length(s.WShape), false);
        var model = new ModelBuilder(opset: 13).Input("x", TensorProto.Types.DataType.Uint8, s.XShape).Input("xz", TensorProto.Types.DataType.Uint8)
            .Initializer(QuantizedTestData.Tensor("w", w, false, s.WShape))
            .Initializer(QuantizedTestData.Tensor("wz", QuantizedTestData.Values(random, 1, false), false))
            .Node("ConvInteger", new[] { "x", "w", "xz", "wz" }, new[] { "y" }, s.Attributes()).Output("y", TensorProto.Types.DataType.Int32);
        foreach (var mode in new[] { "random", "max" })
            QuantizedTestData.Check(model, new()
            {
                ["x"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, Length(s.XShape), false, mode), false),
                ["xz"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, 1, false), false),
            });
        Assert.Contains("DepthwiseConvInteger", Kernels(model));
    }

    [Theory]
    [MemberData(nameof(Depthwise))]
    public void QLinearConv_matches_onnx_runtime(QConvCase s)
    {
        var random = new Random(TestData.StableSeed(s) & 0x7FFF);
        foreach (var (xSigned, wSigned) in new[] { (false, false), (false, true), (true, true) })
        {
            int k = s.KH * s.KW;
            var model = new ModelBuilder(opset: 13).Input("x", QuantizedTestData.Type(xSigned), s.XShape)
                .Initializer("xs", new[] { 0.021f }).Initializer(QuantizedTestData.Tensor("xz", QuantizedTestData.Values(random, 1, xSigned), xSigned))
                .Initializer(QuantizedTestData.Tensor("w", QuantizedTestData.Values(random, Length(s.WShape), wSigned), wSigned, s.WShape))
                .Initializer("ws", Enumerable.Range(0, s.M).Select(i => 0.01f + 0.003f * i).ToArray(), s.M)
                .Initializer(QuantizedTestData.Tensor("wz", wSigned ? new[] { 0 } : QuantizedTestData.Values(random, 1, false), wSigned))
                .Initializer("ys", new[] { 0.021f * 0.02f * 40f * MathF.Sqrt(k) }).Initializer(QuantizedTestData.Tensor("yz", QuantizedTestData.Values(random, 1, xSigned), xSigned))
                .Initializer("b", Enumerable.Range(0, s.M).Select(_ => random.Next(-3000, 3000)).ToArray(), s.M)
                .Node("QLinearConv", new[] { "x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b" }, new[] { "y" }, s.Attributes())
                .Output("y", QuantizedTestData.Type(xSigned));
            QuantizedTestData.Check(model, new() { ["x"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, Length(s.XShape), xSigned), xSigned) });
            Assert.Contains("DepthwiseQLinearConvCall", Kernels(model));
        }
    }

    /// <summary>`modelgen compress --int8`'s form with a depthwise ConvInteger: one step, equal to ONNX Runtime (tolerance 0).</summary>
    [Theory]
    [InlineData(1, true, "Clip")]
    [InlineData(2, false, "Relu")]
    [InlineData(1, false, "")]
    public void Dynamic_chain_matches_onnx_runtime(int stride, bool bias, string activation)
    {
        var random = new Random(41 + stride);
        int c = 12, h = 19, w = 23;
        var b = new ModelBuilder(13).Input("x", 1, c, h, w)
            .Initializer("w", Enumerable.Range(0, c * 9).Select(_ => (byte)random.Next(1, 256)).ToArray(), c, 1, 3, 3)
            .Initializer("w_z", new[] { (byte)128 })
            .Initializer("w_s", Enumerable.Range(0, c).Select(i => 0.004f + 0.0007f * i).ToArray(), c, 1, 1)
            .Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "xq", "xs", "xz" })
            .Node("ConvInteger", new[] { "xq", "w", "xz", "w_z" }, new[] { "acc" }, ("group", (long)c), ("pads", new[] { 1, 1, 1, 1 }), ("strides", new[] { stride, stride }))
            .Node("Cast", new[] { "acc" }, new[] { "accf" }, ("to", (int)TensorProto.Types.DataType.Float))
            .Node("Mul", new[] { "xs", "w_s" }, new[] { "scale" })
            .Node("Mul", new[] { "accf", "scale" }, new[] { "prod" });
        string last = "prod";
        if (bias)
        {
            b.Initializer("bias", TestData.Floats(random, c), c, 1, 1).Node("Add", new[] { "prod", "bias" }, new[] { "biased" });
            last = "biased";
        }
        if (activation == "Relu") b.Node("Relu", new[] { last }, new[] { "y" });
        else if (activation == "Clip") b.Initializer("lo", new[] { 0f }).Initializer("hi", new[] { 6f }).Node("Clip", new[] { last, "lo", "hi" }, new[] { "y" });
        else b.Node("Identity", new[] { last }, new[] { "y" });
        b.Output("y");
        OnnxAssert.MatchesOnnxRuntime(b, absTolerance: 0, relTolerance: 0);
        Assert.Equal(new[] { "DynamicDepthwiseConvU8" }, Kernels(b).Where(k => k != "CopyCall").ToArray());
    }

    /// <summary>A static QDQ depthwise layer (as `modelgen compress --int8-static` and ORT's quantizer write it).</summary>
    public sealed record QdqCase(int C, int Plane, int K, int Stride, int Pad, int Dilation, bool PerChannel, bool Signed, string Activation)
    {
        /// <summary>A seed that is the same in every process (a record's hash of its string field is not).</summary>
        public int Seed => ((((C * 131 + Plane) * 7 + K) * 3 + Stride) * 5 + Pad) * 3 + Dilation + (PerChannel ? 1 << 20 : 0) + (Signed ? 1 << 21 : 0) + Activation.Length * (1 << 22);

        public override string ToString() =>
            $"c{C} {Plane}x{Plane} k{K} s{Stride} p{Pad} d{Dilation} {(PerChannel ? "per-channel" : "per-tensor")} {(Signed ? "int8" : "uint8")} {(Activation.Length == 0 ? "none" : Activation)}";
    }

    /// <summary>
    /// Channel counts 1, 7, 32, 96 and planes 7², 14², 56², 112² (MobileNetV2's), 3×3 and 5×5, strides 1 and 2, pads,
    /// dilation, both weight scale forms, uint8 and int8 activations, with and without a Relu/Clip the quantization fuses.
    /// </summary>
    public static TheoryData<QdqCase> Qdq() => new()
    {
        new QdqCase(1, 7, 3, 1, 1, 1, false, false, ""),
        new QdqCase(7, 14, 3, 2, 1, 1, true, true, "Relu"),
        new QdqCase(32, 56, 3, 1, 1, 1, true, false, "Clip"),
        new QdqCase(96, 112, 3, 2, 1, 1, true, false, "Relu"),
        new QdqCase(32, 112, 3, 1, 1, 1, false, true, "Clip"),
        new QdqCase(96, 7, 5, 1, 2, 1, true, true, ""),
        new QdqCase(7, 56, 5, 2, 2, 1, false, false, "Relu"),
        new QdqCase(1, 112, 5, 1, 4, 2, false, false, ""),
        new QdqCase(32, 14, 3, 1, 2, 2, true, true, "Relu"),
        new QdqCase(96, 14, 5, 2, 2, 1, true, false, "Clip"),
        new QdqCase(7, 7, 3, 2, 0, 1, false, false, ""),
        new QdqCase(1, 56, 3, 2, 1, 2, true, true, "Clip"),
        new QdqCase(96, 7, 3, 1, 1, 1, true, false, "Relu"),
    };

    /// <summary>x (float) → Q → DQ → Conv(DQ(w), DQ(int32 bias), group = C) → [Relu | Clip(0, 6)] → Q → y (8-bit).</summary>
    private static ModelBuilder QdqModel(QdqCase s)
    {
        var random = new Random(s.Seed);
        float xs = 2f / 255;
        int xz = s.Signed ? 3 : 131;
        // Relu / Clip are redundant (fused, as ORT does) when the output zero point is the type's minimum.
        int yz = s.Activation.Length > 0 ? (s.Signed ? -128 : 0) : (s.Signed ? -5 : 120);
        int scales = s.PerChannel ? s.C : 1;
        var ws = Enumerable.Range(0, scales).Select(_ => (float)(0.004 * (0.5 + random.NextDouble()))).ToArray();
        var shape = s.PerChannel ? new long[] { s.C } : Array.Empty<long>();
        var b = new ModelBuilder(13).Input("x", 1, s.C, s.Plane, s.Plane)
            .Initializer("xs", new[] { xs }).Initializer(QuantizedTestData.Tensor("xz", new[] { xz }, s.Signed))
            .Initializer(QuantizedTestData.Tensor("wq", QuantizedTestData.Values(random, s.C * s.K * s.K, true), true, s.C, 1, s.K, s.K))
            .Initializer("ws", ws, shape).Initializer(QuantizedTestData.Tensor("wz", new int[scales], true, shape))
            .Initializer("bq", Enumerable.Range(0, s.C).Select(_ => random.Next(-20000, 20000)).ToArray(), s.C)
            .Initializer("bs", ws.Select(w => xs * w).ToArray(), shape)
            .Initializer("ys", new[] { 0.02f }).Initializer(QuantizedTestData.Tensor("yz", new[] { yz }, s.Signed))
            .Node("QuantizeLinear", new[] { "x", "xs", "xz" }, new[] { "xq" })
            .Node("DequantizeLinear", new[] { "xq", "xs", "xz" }, new[] { "xf" })
            .Node("DequantizeLinear", new[] { "wq", "ws", "wz" }, new[] { "wf" }, ("axis", 0))
            .Node("DequantizeLinear", new[] { "bq", "bs" }, new[] { "bf" }, ("axis", 0))
            .Node("Conv", new[] { "xf", "wf", "bf" }, new[] { "yf" }, ("group", (long)s.C), ("strides", new[] { s.Stride, s.Stride }),
                ("pads", new[] { s.Pad, s.Pad, s.Pad, s.Pad }), ("dilations", new[] { s.Dilation, s.Dilation }));
        string last = "yf";
        if (s.Activation == "Relu") { b.Node("Relu", new[] { "yf" }, new[] { "ya" }); last = "ya"; }
        if (s.Activation == "Clip")
        {
            b.Initializer("lo", new[] { 0f }).Initializer("hi", new[] { 6f }).Node("Clip", new[] { "yf", "lo", "hi" }, new[] { "ya" });
            last = "ya";
        }
        return b.Node("QuantizeLinear", new[] { last, "ys", "yz" }, new[] { "y" }).Output("y", QuantizedTestData.Type(s.Signed));
    }

    /// <summary>The fused QDQ layer runs as one generated depthwise QLinearConv and equals ONNX Runtime exactly.</summary>
    [Theory]
    [MemberData(nameof(Qdq))]
    public void Qdq_depthwise_runs_the_float_kernel_exactly(QdqCase s)
    {
        var b = QdqModel(s);
        var steps = Kernels(b);
        Assert.Single(steps, k => k == "DepthwiseQLinearConvCall");
        Assert.DoesNotContain(steps, k => k is "DepthwiseConvCall" or "Relu" or "Clip" or "DepthwiseQLinearConv");
        OnnxAssert.MatchesOnnxRuntime(b.Build(), absTolerance: 0, relTolerance: 0);
    }

    /// <summary>The cases above run every variant of the float kernel (direct rows, padded rows, flat).</summary>
    [Fact]
    public void Qdq_cases_cover_every_float_kernel_variant()
    {
        var variants = new HashSet<DepthwiseVariant>();
        foreach (var row in Qdq())
        {
            var result = OnnxAssert.Compile(QdqModel(row).ToBytes());
            Assert.True(result.Success, string.Join("; ", result.Diagnostics));
            variants.Add(result.Plan!.Steps.OfType<DepthwiseQLinearConvCall>().Single().Conv.Variant);
        }
        Assert.Equal(new[] { DepthwiseVariant.Direct, DepthwiseVariant.PaddedRows, DepthwiseVariant.Flat }.OrderBy(v => v), variants.OrderBy(v => v));
    }

    /// <summary>
    /// 256 taps (16×16) is the largest window whose sums stay exact in float (256·255² &lt; 2²⁴): it runs the generated
    /// kernel on extreme inputs; 17×16 falls back to the integer GEMM kernel. Both equal ONNX Runtime.
    /// </summary>
    [Theory]
    [InlineData(16, 16, "DepthwiseQLinearConvCall")]
    [InlineData(17, 16, "QLinearConv")]
    public void Largest_exact_window_runs_the_float_kernel(int kh, int kw, string expected)
    {
        var random = new Random(kh * 31 + kw);
        int c = 3, h = 20, w = 21;
        // "max": (x − zx)(w − zw) = 255·(−255) on every tap; "min": (−255)·(−255); "random": mixed, extremes included.
        foreach (var mode in new[] { "max", "min", "random" })
        {
            var model = new ModelBuilder(opset: 13).Input("x", TensorProto.Types.DataType.Uint8, 1, c, h, w)
                .Initializer("xs", new[] { 0.02f }).Initializer(QuantizedTestData.Tensor("xz", new[] { mode == "min" ? 255 : 0 }, false))
                .Initializer(QuantizedTestData.Tensor("w", QuantizedTestData.Values(random, c * kh * kw, false, mode == "random" ? "random" : "min"), false, c, 1, kh, kw))
                .Initializer("ws", new[] { 0.003f }).Initializer(QuantizedTestData.Tensor("wz", new[] { 255 }, false))
                // Sums reach ±256·255² ≈ ±2²⁴: a multiplier of about 2⁻¹⁷ keeps them inside the uint8 range, unsaturated.
                .Initializer("ys", new[] { 0.02f * 0.003f * 131072f }).Initializer(QuantizedTestData.Tensor("yz", new[] { 128 }, false))
                .Node("QLinearConv", new[] { "x", "xs", "xz", "w", "ws", "wz", "ys", "yz" }, new[] { "y" }, ("group", (long)c), ("pads", new[] { 3, 2, 4, 5 }))
                .Output("y", TensorProto.Types.DataType.Uint8);
            QuantizedTestData.Check(model, new() { ["x"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, c * h * w, false, mode), false) });
            Assert.Contains(expected, Kernels(model));
        }
    }

    /// <summary>
    /// The generated kernel's output stage against the ONNX formula (ORT's order) on exact float sums up to ±(2²⁴ − 1):
    /// lengths that run the vector bodies and the tails; a multiplier of 0.5 puts odd sums on rounding ties.
    /// </summary>
    [Theory]
    [InlineData(1, false, 0.5f)]
    [InlineData(7, true, 0.5f)]
    [InlineData(29, true, 0.5f)]
    [InlineData(33, false, 0.0123f)]
    [InlineData(257, true, 3.1e-6f)]
    [InlineData(257, false, 7.7e-5f)]
    public void RequantizeDepthwiseSums_matches_the_onnx_formula(int n, bool signed, float multiplier)
    {
        var random = new Random(n * 7 + (signed ? 1 : 0));
        var sums = Enumerable.Range(0, n).Select(i => (float)(i % 5 == 0 ? random.Next(-300, 300) : random.Next(-(1 << 24) + 1, 1 << 24))).ToArray();
        foreach (int bias in new[] { 0, random.Next(-100000, 100000) })
        {
            int zp = signed ? random.Next(-128, 128) : random.Next(0, 256);
            var expected = sums.Select(v => QuantizedTestData.Requantize((long)v + bias, multiplier, zp, signed)).ToArray();
            int[] actual;
            if (signed)
            {
                var y = new sbyte[n];
                ModelGen.Runtime.Kernels.RequantizeDepthwiseSums<sbyte>(sums, bias, multiplier, zp, y);
                actual = y.Select(v => (int)v).ToArray();
            }
            else
            {
                var y = new byte[n];
                ModelGen.Runtime.Kernels.RequantizeDepthwiseSums<byte>(sums, bias, multiplier, zp, y);
                actual = y.Select(v => (int)v).ToArray();
            }
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(49)]
    [InlineData(257)]
    public void CenteredToFloat_is_exact(int n)
    {
        var random = new Random(n);
        var u = QuantizedTestData.Values(random, n, false);
        var su = new float[n];
        ModelGen.Runtime.Kernels.CenteredToFloat<byte>(u.Select(v => (byte)v).ToArray(), 131, su);
        Assert.Equal(u.Select(v => (float)(v - 131)).ToArray(), su);
        var i8 = QuantizedTestData.Values(random, n, true);
        var si = new float[n];
        ModelGen.Runtime.Kernels.CenteredToFloat<sbyte>(i8.Select(v => (sbyte)v).ToArray(), -128, si);
        Assert.Equal(i8.Select(v => (float)(v + 128)).ToArray(), si);
    }

    private static List<string> Kernels(ModelBuilder b)
    {
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Plan!.Steps.Select(s => s switch { KernelCall k => k.Kernel, RepeatedCall r => r.Body.Kernel, _ => s.GetType().Name }).ToList();
    }
}
