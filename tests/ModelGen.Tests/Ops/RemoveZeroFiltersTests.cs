using System;
using System.Linq;
using ModelGen.Compiler;
using ModelGen.Configuration;
using ModelGen.Passes;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// All-zero filters (pruned channels) are removed together with their readers' input channels when that is exact,
/// against ONNX Runtime on the same model; the plan reports what was removed and its arena shrinks.
/// </summary>
[Trait("Category", "Ops")]
public class RemoveZeroFiltersTests
{
    /// <summary>[m, per] weights with the given filters all zero.</summary>
    private static float[] Filters(Random random, int m, int per, params int[] zero)
    {
        var w = TestData.Floats(random, m * per);
        foreach (int z in zero) Array.Clear(w, z * per, per);
        return w;
    }

    private static CompileResult Compile(ModelBuilder b, bool prune = true) =>
        ModelCompiler.Compile(b.ToBytes(), "test.onnx", ModelOptions.Default("TestModel", "ModelGen.Tests.Generated"),
            passes: prune ? null : Pipeline.Default.Where(p => p != (Action<ModelGen.Ir.Graph>)RemoveZeroFilters.Run).ToList());

    /// <summary>Filters the build reports removed from <paramref name="node"/> (weights removed / weights per filter).</summary>
    private static long Removed(CompileResult result, string node, long perFilter)
    {
        var c = result.Plan!.Compression.Where(x => x.Node == node && x.Technique.StartsWith("filters", StringComparison.Ordinal)).ToList();
        return c.Count == 0 ? 0 : (Assert.Single(c).Weights - c[0].Kept) / perFilter;
    }

    /// <summary>
    /// Conv 3×3 (pad 1) + Relu with filters 1, 4, 6 all zero (bias of filter 4 positive, so its channel is the constant
    /// relu(b) > 0) → Conv 1×1 (no padding: the constant folds into its bias) → output.
    /// </summary>
    [Fact]
    public void Zero_filters_before_a_pointwise_convolution_are_removed()
    {
        var random = new Random(1);
        var bias = TestData.Floats(random, 8);
        bias[1] = -0.5f; bias[4] = 0.7f; bias[6] = 0f;
        var b = new ModelBuilder(13).Input("x", 1, 3, 10, 10)
            .Initializer("w0", Filters(random, 8, 27, 1, 4, 6), 8, 3, 3, 3).Initializer("b0", bias, 8)
            .Initializer("w1", TestData.Floats(random, 5 * 8), 5, 8, 1, 1).Initializer("b1", TestData.Floats(random, 5), 5)
            .Node("Conv", new[] { "x", "w0", "b0" }, new[] { "t" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Relu", new[] { "t" }, new[] { "r" })
            .Node("Conv", new[] { "r", "w1", "b1" }, new[] { "y" })
            .Output("y");
        var pruned = Compile(b);
        Assert.Equal(3, Removed(pruned, "conv_0", 27));
        Assert.Contains(pruned.Plan!.Compression, c => c.Node == "conv_2" && c.Technique == "inputs removed" && c.Weights - c.Kept == 3 * 5);
        ModelGen.Tests.Diagnostics.DiagnosticAssert.Reports(pruned.Diagnostics, "MG0302", "filters removed");
        Assert.True(pruned.Plan.ArenaBytes < Compile(b, prune: false).Plan!.ArenaBytes, "the pruned channels' buffer should be gone from the arena");
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    /// <summary>
    /// Without an activation, a zero filter with a non-zero bias is a non-zero constant channel: a reader with padding
    /// (which sees zeros at the border instead) must keep it; the zero filter with zero bias goes.
    /// </summary>
    [Fact]
    public void A_non_zero_constant_channel_before_a_padded_convolution_is_kept()
    {
        var random = new Random(2);
        var bias = TestData.Floats(random, 6);
        bias[0] = 0f; bias[3] = 0.5f;
        var b = new ModelBuilder(13).Input("x", 1, 4, 7, 7)
            .Initializer("w0", Filters(random, 6, 4, 0, 3), 6, 4, 1, 1).Initializer("b0", bias, 6)
            .Initializer("w1", TestData.Floats(random, 5 * 6 * 9), 5, 6, 3, 3)
            .Node("Conv", new[] { "x", "w0", "b0" }, new[] { "t" })
            .Node("Conv", new[] { "t", "w1" }, new[] { "y" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Output("y");
        Assert.Equal(1, Removed(Compile(b), "conv_0", 4));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void A_channel_a_graph_output_or_a_residual_add_sees_is_kept()
    {
        var random = new Random(3);
        var graphOutput = new ModelBuilder(13).Input("x", 1, 4, 6, 6)
            .Initializer("w0", Filters(random, 6, 4, 2), 6, 4, 1, 1)
            .Initializer("w1", TestData.Floats(random, 3 * 6), 3, 6, 1, 1)
            .Node("Conv", new[] { "x", "w0" }, new[] { "t" })
            .Node("Conv", new[] { "t", "w1" }, new[] { "y" })
            .Output("t").Output("y");
        var residual = new ModelBuilder(13).Input("x", 1, 6, 6, 6)
            .Initializer("w0", Filters(random, 6, 6, 2, 5), 6, 6, 1, 1)
            .Initializer("w1", TestData.Floats(random, 6 * 6 * 9), 6, 6, 3, 3)
            .Node("Conv", new[] { "x", "w0" }, new[] { "t" })
            .Node("Relu", new[] { "t" }, new[] { "r" })
            .Node("Conv", new[] { "r", "w1" }, new[] { "u" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Add", new[] { "u", "r" }, new[] { "y" })
            .Output("y");
        foreach (var b in new[] { graphOutput, residual })
        {
            var result = Compile(b);
            Assert.DoesNotContain(result.Plan!.Compression, c => c.Technique.Contains("removed"));
            OnnxAssert.MatchesOnnxRuntime(b);
        }
    }

    /// <summary>After BatchNormalization folding a zero filter's bias is the normalization's shift: kept exact through Relu, MaxPool and a 1×1 reader.</summary>
    [Fact]
    public void Zero_filters_followed_by_batch_norm_relu_and_max_pool_are_removed()
    {
        var random = new Random(4);
        int m = 8;
        var scale = TestData.Floats(random, m); var shift = TestData.Floats(random, m);
        var mean = TestData.Floats(random, m); var variance = TestData.Floats(random, m).Select(v => 0.5f + Math.Abs(v)).ToArray();
        shift[2] = 0.9f; shift[5] = -0.9f; mean[2] = 0f; mean[5] = 0f;
        var b = new ModelBuilder(13).Input("x", 2, 3, 12, 12)
            .Initializer("w0", Filters(random, m, 27, 2, 5, 7), m, 3, 3, 3)
            .Initializer("scale", scale, m).Initializer("shift", shift, m).Initializer("mean", mean, m).Initializer("var", variance, m)
            .Initializer("w1", TestData.Floats(random, 4 * m), 4, m, 1, 1)
            .Node("Conv", new[] { "x", "w0" }, new[] { "t" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("BatchNormalization", new[] { "t", "scale", "shift", "mean", "var" }, new[] { "n" })
            .Node("Relu", new[] { "n" }, new[] { "r" })
            .Node("MaxPool", new[] { "r" }, new[] { "p" }, ("kernel_shape", new[] { 2, 2 }), ("strides", new[] { 2, 2 }))
            .Node("Conv", new[] { "p", "w1" }, new[] { "y" })
            .Output("y");
        var result = Compile(b);
        Assert.Equal(3, Removed(result, "conv_0", 27));
        Assert.True(result.Plan!.ArenaBytes < Compile(b, prune: false).Plan!.ArenaBytes);
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    /// <summary>A classifier head: Conv + Relu → GlobalAveragePool → Flatten → Gemm; zero filters with positive bias fold into the Gemm's bias.</summary>
    [Fact]
    public void Zero_filters_before_a_pooled_classifier_are_removed()
    {
        var random = new Random(5);
        var bias = TestData.Floats(random, 10);
        bias[0] = 0.3f; bias[9] = -0.2f;
        var b = new ModelBuilder(13).Input("x", 2, 3, 8, 8)
            .Initializer("w0", Filters(random, 10, 27, 0, 9), 10, 3, 3, 3).Initializer("b0", bias, 10)
            .Initializer("fc", TestData.Floats(random, 4 * 10), 4, 10).Initializer("fcb", TestData.Floats(random, 4), 4)
            .Node("Conv", new[] { "x", "w0", "b0" }, new[] { "t" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Relu", new[] { "t" }, new[] { "r" })
            .Node("GlobalAveragePool", new[] { "r" }, new[] { "g" })
            .Node("Flatten", new[] { "g" }, new[] { "f" })
            .Node("Gemm", new[] { "f", "fc", "fcb" }, new[] { "y" }, ("transB", 1), ("alpha", 0.5f), ("beta", 2f))
            .Output("y");
        Assert.Equal(2, Removed(Compile(b), "conv_0", 27));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    /// <summary>Fully connected layers: Gemm (transB 1) + Relu → Gemm, and MatMul → Relu → MatMul (constant 0: exact).</summary>
    [Fact]
    public void Zero_rows_of_fully_connected_layers_are_removed()
    {
        var random = new Random(6);
        var bias = TestData.Floats(random, 12);
        bias[3] = 0.4f; bias[8] = -1f;
        var gemm = new ModelBuilder(13).Input("x", 3, 20)
            .Initializer("w0", Filters(random, 12, 20, 3, 8, 11), 12, 20).Initializer("b0", bias, 12)
            .Initializer("w1", TestData.Floats(random, 12 * 7), 12, 7).Initializer("b1", TestData.Floats(random, 7), 7)
            .Node("Gemm", new[] { "x", "w0", "b0" }, new[] { "t" }, ("transB", 1), ("beta", 0.5f))
            .Node("Relu", new[] { "t" }, new[] { "r" })
            .Node("Gemm", new[] { "r", "w1", "b1" }, new[] { "y" })
            .Output("y");
        Assert.Equal(3, Removed(Compile(gemm), "gemm_0", 20));
        OnnxAssert.MatchesOnnxRuntime(gemm);

        // MatMul B [k, n] with zero columns 1 and 4.
        var w = TestData.Floats(random, 16 * 6);
        for (int p = 0; p < 16; p++) { w[p * 6 + 1] = 0f; w[p * 6 + 4] = 0f; }
        var matmul = new ModelBuilder(13).Input("x", 5, 16)
            .Initializer("w0", w, 16, 6).Initializer("w1", TestData.Floats(random, 6 * 9), 6, 9)
            .Node("MatMul", new[] { "x", "w0" }, new[] { "t" })
            .Node("Relu", new[] { "t" }, new[] { "r" })
            .Node("MatMul", new[] { "r", "w1" }, new[] { "y" })
            .Output("y");
        Assert.Equal(2, Removed(Compile(matmul), "matmul_0", 16));
        OnnxAssert.MatchesOnnxRuntime(matmul);
    }
}
