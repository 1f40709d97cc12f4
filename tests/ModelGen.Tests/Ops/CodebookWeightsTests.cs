using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>
/// Weights with few distinct values per output channel (folded int8/int4 DequantizeLinear constants, binary ±α,
/// clustered) are stored as indices and codebooks and computed from them; each model runs against ONNX Runtime on the
/// same file, and the plan, the MG0302 report and the stored weight bytes are checked.
/// </summary>
[Trait("Category", "Ops")]
public class CodebookWeightsTests
{
    /// <summary>Rows that reach the 4-row groups, the single rows (1, 3, 5) and the decoded-panel path (20).</summary>
    public static IEnumerable<object[]> Rows => new[] { 1, 3, 5, 20 }.Select(m => new object[] { m });

    private static IEnumerable<KernelCall> Calls(ModelGen.Compiler.CompileResult result) => result.Plan!.Steps.OfType<KernelCall>();

    /// <summary>Asserts one compressed layer with the technique and at most the given share of the float bytes.</summary>
    private static void AssertCompressed(ModelGen.Compiler.CompileResult result, string technique, double maxShare, string kernel = "CodebookGemm")
    {
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.Contains(Calls(result), c => c.Kernel == kernel);
        var compression = Assert.Single(result.Plan!.Compression);
        Assert.Equal(technique, compression.Technique);
        Assert.True(compression.StoredBytes <= maxShare * compression.DenseBytes, $"stored {compression.StoredBytes} of {compression.DenseBytes} bytes");
        ModelGen.Tests.Diagnostics.DiagnosticAssert.Reports(result.Diagnostics, "MG0302", technique);
        // The model's weights really are the small form: no float copy of the layer is stored beside it.
        Assert.True(result.WeightBytes <= compression.StoredBytes + 4096, $"weights {result.WeightBytes} bytes, compressed layer {compression.StoredBytes}");
    }

    private static void AssertFloat(ModelGen.Compiler.CompileResult result)
    {
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.DoesNotContain(Calls(result), c => c.Kernel.StartsWith("Codebook", StringComparison.Ordinal));
        Assert.Empty(result.Plan!.Compression);
    }

    /// <summary>Gemm (transB) on int8 weights with a per-channel scale and zero point, folded from DequantizeLinear.</summary>
    [Theory]
    [MemberData(nameof(Rows))]
    public void Int8_per_channel_dequantized_gemm_weights_run_as_8_bit_codes(int m)
    {
        var random = new Random(m);
        int n = 50, k = 203;
        var q = Enumerable.Range(0, n * k).Select(_ => (double)random.Next(-128, 128)).ToArray();
        var b = new ModelBuilder(13).Input("a", m, k)
            .Initializer(QuantTestData.Tensor("wq", DT.Int8, new long[] { n, k }, q))
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { n }, Enumerable.Range(0, n).Select(_ => 0.001 + 0.01 * random.NextDouble())))
            .Initializer(QuantTestData.Tensor("zp", DT.Int8, new long[] { n }, Enumerable.Range(0, n).Select(j => (double)(j % 3 == 0 ? random.Next(-20, 20) : 0))))
            .Initializer("c", TestData.Floats(random, n), n)
            .Node("DequantizeLinear", new[] { "wq", "s", "zp" }, new[] { "w" }, ("axis", 0))
            .Node("Gemm", new[] { "a", "w", "c" }, new[] { "t" }, ("transB", 1))
            .Node("Relu", new[] { "t" }, new[] { "y" }).Output("y");
        AssertCompressed(OnnxAssert.Compile(b.ToBytes()), "codebook 8-bit", 0.27);
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    /// <summary>Gemm (transB) on int4 weights (opset 21, per output channel), folded: 16 values per channel, 4-bit indices.</summary>
    [Theory]
    [MemberData(nameof(Rows))]
    public void Int4_dequantized_gemm_weights_run_as_4_bit_indices(int m)
    {
        var random = new Random(10 + m);
        int n = 70, k = 150;
        var q = Enumerable.Range(0, n * k).Select(_ => (double)random.Next(-8, 8)).ToArray();
        var b = new ModelBuilder(21, irVersion: 10).Input("a", m, k)
            .Initializer(QuantTestData.Tensor("wq", DT.Int4, new long[] { n, k }, q))
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { n }, Enumerable.Range(0, n).Select(_ => 0.01 + 0.1 * random.NextDouble())))
            .Node("DequantizeLinear", new[] { "wq", "s" }, new[] { "w" }, ("axis", 0))
            .Node("Gemm", new[] { "a", "w" }, new[] { "y" }, ("transB", 1)).Output("y");
        AssertCompressed(OnnxAssert.Compile(b.ToBytes()), "codebook 4-bit", 0.25);
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    /// <summary>
    /// MatMul on int4 and int8 weights (per output column), folded. ONNX Runtime rewrites DequantizeLinear → MatMul into a
    /// kernel that quantizes the activations (measured: 0.026 off the exact product on this model, where ModelGen is
    /// 1e-6 off), so the oracle runs the same weights as float initializers (the folded values, bit for bit), and the
    /// quantized file must compile to the same compressed layer.
    /// </summary>
    [Theory]
    [InlineData(1, DT.Int4, "codebook 4-bit", 0.25)]
    [InlineData(5, DT.Int4, "codebook 4-bit", 0.25)]
    [InlineData(20, DT.Int4, "codebook 4-bit", 0.25)]
    [InlineData(1, DT.Int8, "codebook 8-bit", 0.28)]
    [InlineData(20, DT.Int8, "codebook 8-bit", 0.28)]
    public void Dequantized_matmul_weights_run_from_codes(int m, DT type, string technique, double share)
    {
        var random = new Random(60 + m);
        int n = 70, k = 150;
        int lo = type == DT.Int4 ? -8 : -128, hi = type == DT.Int4 ? 7 : 127;
        var q = Enumerable.Range(0, n * k).Select(_ => (double)random.Next(lo, hi + 1)).ToArray();
        var scales = Enumerable.Range(0, n).Select(_ => (float)(0.001 + 0.01 * random.NextDouble())).ToArray();
        var quantized = new ModelBuilder(21, irVersion: 10).Input("a", 2, m, k)
            .Initializer(QuantTestData.Tensor("wq", type, new long[] { k, n }, q))
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { n }, scales.Select(v => (double)v)))
            .Node("DequantizeLinear", new[] { "wq", "s" }, new[] { "w" }, ("axis", 1))
            .Node("MatMul", new[] { "a", "w" }, new[] { "y" }).Output("y");
        var dequantized = Enumerable.Range(0, n * k).Select(i => (float)q[i] * scales[i % n]).ToArray();
        var plain = new ModelBuilder(21, irVersion: 10).Input("a", 2, m, k).Initializer("w", dequantized, k, n)
            .Node("MatMul", new[] { "a", "w" }, new[] { "y" }).Output("y");
        var fromQuantized = OnnxAssert.Compile(quantized.ToBytes());
        var fromFloat = OnnxAssert.Compile(plain.ToBytes());
        AssertCompressed(fromQuantized, technique, share);
        AssertCompressed(fromFloat, technique, share);
        Assert.Equal(fromFloat.Plan!.Compression.Single().StoredBytes, fromQuantized.Plan!.Compression.Single().StoredBytes);
        Assert.Equal(fromFloat.WeightBytes, fromQuantized.WeightBytes);
        OnnxAssert.MatchesOnnxRuntime(plain);
    }

    /// <summary>Binary weights ±α per output channel (a binary-weight network): 1-bit indices.</summary>
    [Theory]
    [MemberData(nameof(Rows))]
    public void Binary_weights_run_as_1_bit_indices(int m)
    {
        var random = new Random(20 + m);
        int n = 37, k = 300;
        var alpha = Enumerable.Range(0, n).Select(_ => (float)(0.05 + random.NextDouble())).ToArray();
        var w = Enumerable.Range(0, n * k).Select(i => random.Next(2) == 0 ? -alpha[i / k] : alpha[i / k]).ToArray();
        var b = new ModelBuilder(13).Input("a", m, k)
            .Initializer("w", w, n, k)
            .Node("Gemm", new[] { "a", "w" }, new[] { "y" }, ("transB", 1), ("alpha", 0.5f)).Output("y");
        AssertCompressed(OnnxAssert.Compile(b.ToBytes()), "bwn", 0.05);
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    /// <summary>Clustered weights: 16 and 3 values per channel (4-bit and 2-bit indices), non-transposed Gemm B [k, n].</summary>
    [Theory]
    [InlineData(1, 16, "codebook 4-bit", 0.23)]
    [InlineData(20, 16, "codebook 4-bit", 0.23)]
    [InlineData(1, 3, "codebook 2-bit", 0.11)]
    [InlineData(6, 4, "codebook 2-bit", 0.11)]
    [InlineData(20, 2, "codebook 1-bit", 0.07)]
    public void Clustered_weights_run_from_their_codebooks(int m, int clusters, string technique, double share)
    {
        var random = new Random(30 + m + clusters);
        int n = 64, k = 160;
        var centroids = Enumerable.Range(0, n).Select(_ => TestData.Floats(random, clusters)).ToArray();
        var w = new float[k * n];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
                w[p * n + j] = centroids[j][random.Next(clusters)];
        var b = new ModelBuilder(13).Input("a", m, k)
            .Initializer("w", w, k, n)
            .Initializer("c", TestData.Floats(random, n), 1, n)
            .Node("Gemm", new[] { "a", "w", "c" }, new[] { "y" }, ("beta", 0.75f)).Output("y");
        AssertCompressed(OnnxAssert.Compile(b.ToBytes()), technique, share);
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    /// <summary>One channel with a 17th distinct value (and no common scale): the layer stays float.</summary>
    [Fact]
    public void One_extra_distinct_value_falls_back_to_float()
    {
        var random = new Random(40);
        int n = 64, k = 160;
        var centroids = Enumerable.Range(0, n).Select(_ => TestData.Floats(random, 16)).ToArray();
        var w = Enumerable.Range(0, n * k).Select(i => centroids[i / k][random.Next(16)]).ToArray();
        var b = new ModelBuilder(13).Input("a", 1, k).Initializer("w", w, n, k)
            .Node("Gemm", new[] { "a", "w" }, new[] { "y" }, ("transB", 1)).Output("y");
        AssertCompressed(OnnxAssert.Compile(b.ToBytes()), "codebook 4-bit", 0.23);
        w[5 * k + 7] = 0.123456f;
        b = new ModelBuilder(13).Input("a", 1, k).Initializer("w", w, n, k)
            .Node("Gemm", new[] { "a", "w" }, new[] { "y" }, ("transB", 1)).Output("y");
        AssertFloat(OnnxAssert.Compile(b.ToBytes()));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    /// <summary>Random float weights and tiny layers stay float.</summary>
    [Fact]
    public void Dense_float_and_tiny_layers_stay_float()
    {
        var random = new Random(41);
        var dense = new ModelBuilder(13).Input("a", 1, 128).Initializer("w", TestData.Floats(random, 128 * 128), 128, 128)
            .Node("MatMul", new[] { "a", "w" }, new[] { "y" }).Output("y");
        AssertFloat(OnnxAssert.Compile(dense.ToBytes()));
        var tiny = new ModelBuilder(13).Input("a", 1, 32)
            .Initializer("w", Enumerable.Range(0, 32 * 32).Select(i => i % 2 == 0 ? 0.5f : -0.5f).ToArray(), 32, 32)
            .Node("MatMul", new[] { "a", "w" }, new[] { "y" }).Output("y");
        AssertFloat(OnnxAssert.Compile(tiny.ToBytes()));
    }

    /// <summary>
    /// Convolutions: 3×3 that Winograd takes (weights decoded and transformed on every run), binary 3×3 too small for
    /// Winograd and strided ones (decoded into scratch, then the float kernel), 4-bit pointwise, a 1×1 image (matrix-vector).
    /// </summary>
    [Theory]
    [InlineData(1, 32, 32, 32, 32, 3, 1, 1, 2, "bwn", "CodebookWinogradWeights")]
    [InlineData(2, 32, 33, 32, 36, 3, 1, 1, 16, "codebook 4-bit", "CodebookWinogradWeights")]
    [InlineData(1, 32, 12, 12, 32, 3, 1, 1, 2, "bwn", "CodebookDecode")] // Winograd-eligible, but below CodebookWinogradMinPixels
    [InlineData(1, 32, 6, 6, 32, 3, 1, 1, 2, "bwn", "CodebookDecode")]
    [InlineData(2, 24, 9, 7, 40, 3, 2, 1, 2, "bwn", "CodebookDecode")]
    [InlineData(1, 128, 10, 10, 80, 1, 1, 0, 16, "codebook 4-bit", "CodebookDecode")]
    [InlineData(1, 256, 1, 1, 96, 1, 1, 0, 16, "codebook 4-bit", "CodebookGemm")]
    [InlineData(1, 100, 1, 1, 90, 1, 1, 0, 4, "codebook 2-bit", "CodebookGemm")]
    public void Codebook_convolutions_match_onnx_runtime(int batch, int c, int h, int w, int m, int kernel, int stride, int pad, int clusters,
        string technique, string step)
    {
        var random = new Random(c * 7 + m);
        int k = c * kernel * kernel;
        var centroids = Enumerable.Range(0, m).Select(_ =>
        {
            if (clusters != 2) return TestData.Floats(random, clusters, 0.3f);
            float a = (float)(0.01 + 0.1 * random.NextDouble());
            return new[] { -a, a };
        }).ToArray();
        var weights = Enumerable.Range(0, m * k).Select(i => centroids[i / k][random.Next(clusters)]).ToArray();
        var b = new ModelBuilder(13).Input("x", batch, c, h, w)
            .Initializer("w", weights, m, c, kernel, kernel)
            .Initializer("b", TestData.Floats(random, m), m)
            .Node("Conv", new[] { "x", "w", "b" }, new[] { "t" }, ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad, pad, pad }))
            .Node("Relu", new[] { "t" }, new[] { "y" }).Output("y");
        AssertCompressed(OnnxAssert.Compile(b.ToBytes()), technique, 0.26, step);
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    /// <summary>A 3×3 convolution with int8 per-channel weights and a residual Add fused into it.</summary>
    [Fact]
    public void Int8_convolution_with_a_fused_residual_matches_onnx_runtime()
    {
        var random = new Random(50);
        int c = 32, m = 32, h = 8;
        var q = Enumerable.Range(0, m * c * 9).Select(_ => (double)random.Next(-127, 128)).ToArray();
        var b = new ModelBuilder(13).Input("x", 1, c, h, h)
            .Initializer(QuantTestData.Tensor("wq", DT.Int8, new long[] { m, c, 3, 3 }, q))
            .Initializer(QuantTestData.Tensor("s", DT.Float, new long[] { m }, Enumerable.Range(0, m).Select(_ => 0.001 + 0.01 * random.NextDouble())))
            .Node("DequantizeLinear", new[] { "wq", "s" }, new[] { "w" }, ("axis", 0))
            .Node("Conv", new[] { "x", "w" }, new[] { "t" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Add", new[] { "t", "x" }, new[] { "u" })
            .Node("Relu", new[] { "u" }, new[] { "y" }).Output("y");
        AssertCompressed(OnnxAssert.Compile(b.ToBytes()), "codebook 8-bit", 0.27, "CodebookDecode");
        OnnxAssert.MatchesOnnxRuntime(b);
    }
}
