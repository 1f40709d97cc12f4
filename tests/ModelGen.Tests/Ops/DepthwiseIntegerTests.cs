using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// The 8-bit depthwise kernels (Kernels.DepthwiseU8.cs) against ONNX Runtime on the same file, exactly: ConvInteger,
/// QLinearConv and the dynamically quantized chain, strides 1, 2 and 3, pads, dilation, 1-D, rows wide enough for every
/// vector width and narrow ones for the tails; the plan must call the depthwise kernel.
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
    };

    private static int Length(long[] shape) => (int)shape.Aggregate(1L, (a, b) => a * b);

    [Theory]
    [MemberData(nameof(Depthwise))]
    public void ConvInteger_matches_onnx_runtime(QConvCase s)
    {
        var random = new Random(s.GetHashCode() & 0xFFFF);
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
        var random = new Random(s.GetHashCode() & 0x7FFF);
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

    private static List<string> Kernels(ModelBuilder b)
    {
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Plan!.Steps.Select(s => s switch { KernelCall k => k.Kernel, RepeatedCall r => r.Body.Kernel, _ => s.GetType().Name }).ToList();
    }
}
