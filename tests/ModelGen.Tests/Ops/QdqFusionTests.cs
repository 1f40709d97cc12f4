using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// Static QDQ models (QuantizeLinear / DequantizeLinear around Conv, MatMul and Gemm, as ONNX Runtime's quantizer writes
/// them) against ONNX Runtime on the same file. ORT fuses each group into QLinearConv / QLinearMatMul / QGemm; ModelGen's
/// FuseQdq pass does the same, so the quantized outputs are compared exactly (tolerance 0) and the plan must hold the
/// fused integer step. Groups ORT leaves in float stay in float here too.
/// </summary>
[Trait("Category", "Ops")]
public class QdqFusionTests
{
    private const int C = 8, H = 10, W = 9, M = 12, K = 3;

    /// <summary>x (float) → Q → DQ → Conv(DQ(w), DQ(bias)) → [activation] → Q → y (8-bit).</summary>
    private static ModelBuilder ConvModel(int seed, bool signed, bool signedWeights, bool perChannel, string bias, string? activation, int yZero,
        int channels = C, int group = 1)
    {
        var random = new Random(seed);
        float xs = 2f / 255;
        int xz = signed ? 3 : 131;
        int cg = channels / group;
        var ws = Enumerable.Range(0, perChannel ? M : 1).Select(_ => (float)(0.004 * (0.5 + random.NextDouble()))).ToArray();
        var wz = signedWeights ? new int[ws.Length] : Enumerable.Range(0, ws.Length).Select(_ => random.Next(100, 156)).ToArray();
        var shape = perChannel ? new long[] { M } : Array.Empty<long>();
        var b = new ModelBuilder(13).Input("x", 1, channels, H, W)
            .Initializer("xs", new[] { xs }).Initializer(QuantizedTestData.Tensor("xz", new[] { xz }, signed))
            .Initializer(QuantizedTestData.Tensor("wq", QuantizedTestData.Values(random, M * cg * K * K, signedWeights), signedWeights, M, cg, K, K))
            .Initializer("ws", ws, shape).Initializer(QuantizedTestData.Tensor("wz", wz, signedWeights, shape))
            .Initializer("ys", new[] { 0.02f }).Initializer(QuantizedTestData.Tensor("yz", new[] { yZero }, signed))
            .Node("QuantizeLinear", new[] { "x", "xs", "xz" }, new[] { "xq" })
            .Node("DequantizeLinear", new[] { "xq", "xs", "xz" }, new[] { "xf" })
            .Node("DequantizeLinear", new[] { "wq", "ws", "wz" }, new[] { "wf" }, ("axis", 0));
        var convInputs = new List<string> { "xf", "wf" };
        if (bias == "int32")
        {
            b.Initializer("bq", Enumerable.Range(0, M).Select(_ => random.Next(-3000, 3000)).ToArray(), M)
             .Initializer("bs", ws.Select(s => xs * s).ToArray(), shape)
             .Node("DequantizeLinear", new[] { "bq", "bs" }, new[] { "bf" }, ("axis", 0));
            convInputs.Add("bf");
        }
        else if (bias == "float")
        {
            b.Initializer("bf", TestData.Floats(random, M, 0.1f), M);
            convInputs.Add("bf");
        }
        b.Node("Conv", convInputs.ToArray(), new[] { "yf" }, ("pads", new[] { 1, 1, 1, 1 }), ("group", group));
        string last = "yf";
        if (activation == "Relu") { b.Node("Relu", new[] { "yf" }, new[] { "ya" }); last = "ya"; }
        if (activation == "Clip")
        {
            b.Initializer("lo", new[] { 0f }).Initializer("hi", new[] { 6f }).Node("Clip", new[] { "yf", "lo", "hi" }, new[] { "ya" });
            last = "ya";
        }
        return b.Node("QuantizeLinear", new[] { last, "ys", "yz" }, new[] { "y" }).Output("y", QuantizedTestData.Type(signed));
    }

    private static IEnumerable<string> Kernels(ModelBuilder b)
    {
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Plan!.Steps.Select(s => s switch { KernelCall k => k.Kernel, RepeatedCall r => r.Body.Kernel, _ => s.GetType().Name }).ToList();
    }

    [Theory]
    [InlineData(false, true, true, "int32", null)]
    [InlineData(false, true, false, "none", null)]
    [InlineData(false, false, true, "int32", null)]
    [InlineData(true, true, true, "int32", null)]
    [InlineData(true, true, false, "none", null)]
    [InlineData(false, true, true, "int32", "Relu")]
    [InlineData(true, true, true, "int32", "Relu")]
    [InlineData(false, true, true, "int32", "Clip")]
    public void Qdq_convolution_runs_as_one_integer_step_and_matches_onnx_runtime(bool signed, bool signedWeights, bool perChannel, string bias, string? activation)
    {
        // A Relu or Clip is fused only where the output zero point makes it redundant (ORT's rule): zero point at the minimum.
        int yz = activation is null ? (signed ? -5 : 120) : (signed ? -128 : 0);
        var b = ConvModel(1 + (signed ? 2 : 0) + (perChannel ? 4 : 0), signed, signedWeights, perChannel, bias, activation, yz);
        var kernels = Kernels(b).ToList();
        // Symmetric int8 weights run on the uint8 × int8 quad kernel (QLinearConvU8S8), uint8 ones on the int16 one.
        Assert.Contains(signedWeights ? "QLinearConvU8S8" : "QLinearConv", kernels);
        Assert.DoesNotContain("DequantizeLinear", kernels);
        Assert.DoesNotContain("Conv", kernels);
        OnnxAssert.MatchesOnnxRuntime(b.Build(), absTolerance: 0, relTolerance: 0);
    }

    [Fact]
    public void Qdq_depthwise_convolution_is_fused()
    {
        var b = ConvModel(9, false, true, true, "int32", null, 118, channels: M, group: M);
        // Fused into QLinearConv, which runs depthwise layers on the 8-bit depthwise kernel (Kernels.DepthwiseU8.cs).
        Assert.Contains("DepthwiseQLinearConvCall", Kernels(b));
        OnnxAssert.MatchesOnnxRuntime(b.Build(), absTolerance: 0, relTolerance: 0);
    }

    [Theory]
    [InlineData("float", null, 120)]   // a float bias: ORT keeps the float Conv
    [InlineData("int32", "Relu", 120)] // the Relu changes the result (zero point above 0): ORT keeps the float Conv
    public void Unfusable_qdq_convolutions_stay_float_and_still_match(string bias, string? activation, int yz)
    {
        var b = ConvModel(5, false, true, true, bias, activation, yz);
        var kernels = Kernels(b).ToList();
        Assert.DoesNotContain(kernels, k => k.StartsWith("QLinearConv", StringComparison.Ordinal));
        // Both engines compute the float convolution, in different orders: one quantization step apart at most.
        OnnxAssert.MatchesOnnxRuntime(b.Build(), absTolerance: 1, relTolerance: 0);
    }

    /// <summary>x [rows, k] → Q → DQ → MatMul(DQ(w [k, n])) or Gemm → Q.</summary>
    private static ModelBuilder MatMulModel(int seed, bool signed, bool perChannel, string op, bool transB = false, bool bias = false)
    {
        var random = new Random(seed);
        int rows = 3, k = 70, n = 37;
        float xs = 2f / 255;
        int xz = signed ? -2 : 127;
        var ws = Enumerable.Range(0, perChannel ? n : 1).Select(_ => (float)(0.004 * (0.5 + random.NextDouble()))).ToArray();
        var shape = perChannel ? new long[] { n } : Array.Empty<long>();
        var w = QuantizedTestData.Values(random, k * n, true);
        var b = new ModelBuilder(13).Input("x", rows, k)
            .Initializer("xs", new[] { xs }).Initializer(QuantizedTestData.Tensor("xz", new[] { xz }, signed))
            .Initializer(QuantizedTestData.Tensor("wq", w, true, transB ? new long[] { n, k } : new long[] { k, n }))
            .Initializer("ws", ws, shape).Initializer(QuantizedTestData.Tensor("wz", new int[ws.Length], true, shape))
            .Initializer("ys", new[] { 0.03f }).Initializer(QuantizedTestData.Tensor("yz", new[] { signed ? 4 : 125 }, signed))
            .Node("QuantizeLinear", new[] { "x", "xs", "xz" }, new[] { "xq" })
            .Node("DequantizeLinear", new[] { "xq", "xs", "xz" }, new[] { "xf" })
            .Node("DequantizeLinear", new[] { "wq", "ws", "wz" }, new[] { "wf" }, ("axis", transB ? 0 : 1));
        if (op == "MatMul") b.Node("MatMul", new[] { "xf", "wf" }, new[] { "yf" });
        else
        {
            var inputs = new List<string> { "xf", "wf" };
            if (bias)
            {
                b.Initializer("bq", Enumerable.Range(0, n).Select(_ => random.Next(-3000, 3000)).ToArray(), n)
                 .Initializer("bs", ws.Select(s => xs * s).ToArray(), shape)
                 .Node("DequantizeLinear", new[] { "bq", "bs" }, new[] { "bf" }, ("axis", 0));
                inputs.Add("bf");
            }
            b.Node("Gemm", inputs.ToArray(), new[] { "yf" }, ("transB", transB ? 1 : 0));
        }
        return b.Node("QuantizeLinear", new[] { "yf", "ys", "yz" }, new[] { "y" }).Output("y", QuantizedTestData.Type(signed));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Qdq_matmul_runs_as_qlinearmatmul_and_matches_onnx_runtime(bool signed, bool perChannel)
    {
        var b = MatMulModel(11, signed, perChannel, "MatMul");
        var kernels = Kernels(b).ToList();
        // Symmetric int8 weights: the uint8 × int8 quad kernel (Kernels.GemmU8S8.cs).
        Assert.Contains("QLinearMatMulU8S8", kernels);
        Assert.DoesNotContain("DequantizeLinear", kernels);
        OnnxAssert.MatchesOnnxRuntime(b.Build(), absTolerance: 0, relTolerance: 0);
    }

    [Theory]
    [InlineData(false, false, true, true)]
    [InlineData(false, true, true, true)]
    [InlineData(true, true, false, true)]
    [InlineData(false, false, true, false)]
    public void Qdq_gemm_runs_as_qlinearmatmul_with_bias_and_matches_onnx_runtime(bool signed, bool perChannel, bool transB, bool bias)
    {
        var b = MatMulModel(12, signed, perChannel, "Gemm", transB, bias);
        var kernels = Kernels(b).ToList();
        Assert.Contains("QLinearMatMulU8S8", kernels);
        Assert.DoesNotContain("Gemm", kernels);
        OnnxAssert.MatchesOnnxRuntime(b.Build(), absTolerance: 0, relTolerance: 0);
    }

    [Fact]
    public void Fused_matmul_reports_its_int8_weights()
    {
        var result = OnnxAssert.Compile(MatMulModel(13, false, true, "MatMul").ToBytes());
        var compression = Assert.Single(result.Plan!.Compression);
        Assert.Equal("int8", compression.Technique);
        Assert.Equal(70L * 37, compression.Weights);
        Assert.True(compression.StoredBytes < compression.DenseBytes / 3);
    }

    [Fact]
    public void Residual_block_of_qdq_convolutions_matches_onnx_runtime()
    {
        // conv → Q → DQ → conv, and the block input added back (DQ → Add → Q, which ORT runs as QLinearAdd in fixed point).
        var random = new Random(31);
        float xs = 2f / 255;
        var b = new ModelBuilder(13).Input("x", 1, C, H, W)
            .Initializer("xs", new[] { xs }).Initializer(QuantizedTestData.Tensor("xz", new[] { 128 }, false))
            .Initializer("ys", new[] { 0.02f }).Initializer(QuantizedTestData.Tensor("yz", new[] { 0 }, false))
            .Initializer("zs", new[] { 0.03f }).Initializer(QuantizedTestData.Tensor("zz", new[] { 100 }, false))
            .Node("QuantizeLinear", new[] { "x", "xs", "xz" }, new[] { "xq" })
            .Node("DequantizeLinear", new[] { "xq", "xs", "xz" }, new[] { "xf" });
        for (int i = 0; i < 2; i++)
        {
            var ws = Enumerable.Range(0, C).Select(_ => (float)(0.004 * (0.5 + random.NextDouble()))).ToArray();
            b.Initializer(QuantizedTestData.Tensor($"w{i}", QuantizedTestData.Values(random, C * C * 9, true), true, C, C, 3, 3))
             .Initializer($"ws{i}", ws, C).Initializer(QuantizedTestData.Tensor($"wz{i}", new int[C], true, C))
             .Node("DequantizeLinear", new[] { $"w{i}", $"ws{i}", $"wz{i}" }, new[] { $"wf{i}" }, ("axis", 0));
        }
        b.Node("Conv", new[] { "xf", "wf0" }, new[] { "c0" }, ("pads", new[] { 1, 1, 1, 1 }))
         .Node("Relu", new[] { "c0" }, new[] { "r0" })
         .Node("QuantizeLinear", new[] { "r0", "ys", "yz" }, new[] { "q0" })
         .Node("DequantizeLinear", new[] { "q0", "ys", "yz" }, new[] { "d0" })
         .Node("Conv", new[] { "d0", "wf1" }, new[] { "c1" }, ("pads", new[] { 1, 1, 1, 1 }))
         .Node("QuantizeLinear", new[] { "c1", "xs", "xz" }, new[] { "q1" })
         .Node("DequantizeLinear", new[] { "q1", "xs", "xz" }, new[] { "d1" })
         .Node("Add", new[] { "d1", "xf" }, new[] { "sum" })
         .Node("QuantizeLinear", new[] { "sum", "zs", "zz" }, new[] { "y" })
         .Output("y", TensorProto.Types.DataType.Uint8);
        Assert.Equal(2, Kernels(b).Count(k => k == "QLinearConvU8S8"));
        // The Add runs in float here and in fixed point in ORT: one quantization step apart where the sum sits on a tie.
        OnnxAssert.MatchesOnnxRuntime(b.Build(), absTolerance: 1, relTolerance: 0);
    }
}
