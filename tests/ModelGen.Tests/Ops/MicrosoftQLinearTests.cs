using System;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// ONNX Runtime's quantized contrib operators (com.microsoft, QOperator format), each between a QuantizeLinear of a float
/// input and a DequantizeLinear of its output, against ONNX Runtime. ModelGen computes them as DequantizeLinear, the float
/// operator and QuantizeLinear, as their specification defines; ONNX Runtime computes some in fixed point or through a
/// table, which may put a value on the other side of a rounding boundary: outputs may differ by one quantization step.
/// </summary>
[Trait("Category", "Ops")]
public class MicrosoftQLinearTests
{
    private const string Ms = "com.microsoft";
    private const float OutScale = 0.02f;

    /// <summary>x (float) → QuantizeLinear → q; the zero point's type decides uint8 or int8.</summary>
    private static ModelBuilder Quantized(ModelBuilder b, string x, string q, float scale, int zeroPoint, bool signed)
    {
        b.Initializer(q + "_s", new[] { scale });
        if (signed) b.Initializer(q + "_z", new[] { (sbyte)zeroPoint });
        else b.Initializer(q + "_z", new[] { (byte)zeroPoint });
        return b.Node("QuantizeLinear", new[] { x, q + "_s", q + "_z" }, new[] { q });
    }

    /// <summary>The output scale and zero point initializers (y_s, y_z) and the final DequantizeLinear into y.</summary>
    private static ModelBuilder Output(ModelBuilder b, string q, bool signed)
    {
        b.Node("DequantizeLinear", new[] { q, "y_s", "y_z" }, new[] { "y" });
        return b.Output("y");
    }

    private static ModelBuilder Start(bool signed, params (string Name, long[] Shape)[] inputs)
    {
        var b = new ModelBuilder(13).Import(Ms, 1);
        foreach (var (name, shape) in inputs) b.Input(name, shape);
        b.Initializer("y_s", new[] { OutScale });
        if (signed) b.Initializer("y_z", new[] { (sbyte)-3 });
        else b.Initializer("y_z", new[] { (byte)120 });
        return b;
    }

    private static void AssertMatches(ModelBuilder b)
    {
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.Domain == Ms);
        // One output quantization step (plus float noise).
        OnnxAssert.MatchesOnnxRuntime(b, absTolerance: OutScale * 1.001, relTolerance: 0);
    }

    [Theory]
    [InlineData("QLinearAdd", false)]
    [InlineData("QLinearAdd", true)]
    [InlineData("QLinearMul", false)]
    [InlineData("QLinearMul", true)]
    public void Binary_ops_with_broadcasting_match_onnx_runtime(string op, bool signed)
    {
        var b = Start(signed, ("a", new long[] { 1, 4, 5, 7 }), ("c", new long[] { 1, 4, 1, 1 }));
        Quantized(b, "a", "qa", 0.011f, signed ? 5 : 130, signed);
        Quantized(b, "c", "qc", 0.007f, signed ? -10 : 100, signed);
        b.DomainNode(Ms, op, new[] { "qa", "qa_s", "qa_z", "qc", "qc_s", "qc_z", "y_s", "y_z" }, new[] { "qy" });
        AssertMatches(Output(b, "qy", signed));
    }

    [Theory]
    [InlineData("QLinearSigmoid", false)]
    [InlineData("QLinearSigmoid", true)]
    [InlineData("QLinearLeakyRelu", false)]
    [InlineData("QLinearLeakyRelu", true)]
    public void Unary_ops_match_onnx_runtime(string op, bool signed)
    {
        var b = Start(signed, ("x", new long[] { 2, 3, 17 }));
        Quantized(b, "x", "qx", 0.02f, signed ? 0 : 128, signed);
        var attributes = op == "QLinearLeakyRelu" ? new (string, object)[] { ("alpha", 0.1f) } : Array.Empty<(string, object)>();
        b.DomainNode(Ms, op, new[] { "qx", "qx_s", "qx_z", "y_s", "y_z" }, new[] { "qy" }, attributes);
        AssertMatches(Output(b, "qy", signed));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Concat_requantizes_each_input_to_the_output_scale(bool signed)
    {
        var b = Start(signed, ("a", new long[] { 1, 3, 4, 4 }), ("c", new long[] { 1, 2, 4, 4 }));
        Quantized(b, "a", "qa", 0.01f, signed ? 1 : 128, signed);
        Quantized(b, "c", "qc", 0.015f, signed ? -2 : 127, signed);
        b.DomainNode(Ms, "QLinearConcat", new[] { "y_s", "y_z", "qa", "qa_s", "qa_z", "qc", "qc_s", "qc_z" }, new[] { "qy" }, ("axis", 1));
        AssertMatches(Output(b, "qy", signed));
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 1)]
    public void Global_average_pool_matches_onnx_runtime(bool signed, int channelsLast)
    {
        var b = Start(signed, ("x", new long[] { 1, 6, 5, 8 }));
        Quantized(b, "x", "qx", 0.01f, signed ? 0 : 128, signed);
        b.DomainNode(Ms, "QLinearGlobalAveragePool", new[] { "qx", "qx_s", "qx_z", "y_s", "y_z" }, new[] { "qy" }, ("channels_last", channelsLast));
        AssertMatches(Output(b, "qy", signed));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Average_pool_matches_onnx_runtime(bool signed)
    {
        var b = Start(signed, ("x", new long[] { 1, 3, 9, 9 }));
        Quantized(b, "x", "qx", 0.01f, signed ? 0 : 128, signed);
        b.DomainNode(Ms, "QLinearAveragePool", new[] { "qx", "qx_s", "qx_z", "y_s", "y_z" }, new[] { "qy" },
            ("kernel_shape", new[] { 3, 3 }), ("strides", new[] { 2, 2 }), ("pads", new[] { 1, 1, 1, 1 }), ("count_include_pad", 0));
        AssertMatches(Output(b, "qy", signed));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Softmax_matches_onnx_runtime(bool signed)
    {
        var b = Start(signed, ("x", new long[] { 3, 10 }));
        // Softmax outputs lie in [0, 1]: an output scale of 1/256 as the quantizer would choose.
        b.Initializer("p_s", new[] { 1f / 256 });
        if (signed) b.Initializer("p_z", new[] { (sbyte)-128 }); else b.Initializer("p_z", new[] { (byte)0 });
        Quantized(b, "x", "qx", 0.05f, signed ? 0 : 128, signed);
        b.DomainNode(Ms, "QLinearSoftmax", new[] { "qx", "qx_s", "qx_z", "p_s", "p_z" }, new[] { "qp" }, ("axis", -1), ("opset", 13));
        b.Node("DequantizeLinear", new[] { "qp", "p_s", "p_z" }, new[] { "y" }).Output("y");
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        OnnxAssert.MatchesOnnxRuntime(b, absTolerance: 1.001 / 256, relTolerance: 0);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void QGemm_with_int32_bias_matches_onnx_runtime(bool quantizedOutput, bool transB)
    {
        var random = new Random(4);
        int m = 3, k = 20, n = 9;
        var b = Start(false, ("a", new long[] { m, k }));
        Quantized(b, "a", "qa", 0.01f, 128, signed: false);
        var weights = Enumerable.Range(0, k * n).Select(_ => (sbyte)random.Next(-100, 101)).ToArray();
        b.Initializer("w", weights, transB ? new long[] { n, k } : new long[] { k, n })
         .Initializer("w_s", new[] { 0.004f }).Initializer("w_z", new[] { (sbyte)0 })
         .Initializer("bias", Enumerable.Range(0, n).Select(_ => random.Next(-2000, 2000)).ToArray(), n);
        var inputs = new[] { "qa", "qa_s", "qa_z", "w", "w_s", "w_z", "bias" };
        if (quantizedOutput)
        {
            b.DomainNode(Ms, "QGemm", inputs.Concat(new[] { "y_s", "y_z" }).ToArray(), new[] { "qy" }, ("transB", transB ? 1 : 0), ("alpha", 1f));
            AssertMatches(Output(b, "qy", signed: false));
        }
        else
        {
            b.DomainNode(Ms, "QGemm", inputs, new[] { "y" }, ("transB", transB ? 1 : 0)).Output("y");
            var result = OnnxAssert.Compile(b.ToBytes());
            Assert.True(result.Success, string.Join("; ", result.Diagnostics));
            OnnxAssert.MatchesOnnxRuntime(b, absTolerance: 1e-4, relTolerance: 1e-4);
        }
    }

    [Fact]
    public void Microsoft_quantize_and_dequantize_are_the_standard_operators()
    {
        var b = new ModelBuilder(13).Import(Ms, 1).Input("x", 2, 8)
            .Initializer("s", new[] { 0.03f, 0.05f }, 2).Initializer("z", new[] { (byte)100, (byte)140 }, 2);
        b.DomainNode(Ms, "QuantizeLinear", new[] { "x", "s", "z" }, new[] { "q" }, ("axis", 0))
         .DomainNode(Ms, "DequantizeLinear", new[] { "q", "s", "z" }, new[] { "y" }, ("axis", 0)).Output("y");
        AssertMatches(b);
    }

    [Fact]
    public void A_contrib_node_without_its_required_inputs_is_a_diagnostic()
    {
        var b = Start(false, ("x", new long[] { 4 }));
        Quantized(b, "x", "qx", 0.02f, 128, signed: false);
        b.DomainNode(Ms, "QLinearSigmoid", new[] { "qx" }, new[] { "qy" });
        var result = OnnxAssert.Compile(Output(b, "qy", false).ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Id == "MG0102" && d.Message.Contains("X_scale"));
    }
}
