using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>Convolutions whose constant weights are mostly zero (pruned models) run on compressed rows, against ONNX Runtime.</summary>
[Trait("Category", "Ops")]
public class ConvSparseTests
{
    /// <summary>Weights with about <paramref name="density"/> of their entries non-zero, at random positions.</summary>
    private static float[] SparseWeights(Random random, int n, double density) =>
        Enumerable.Range(0, n).Select(_ => random.NextDouble() < density ? (float)(random.NextDouble() * 2 - 1) : 0f).ToArray();

    private static ModelBuilder Model(int seed, int batch, int c, int h, int w, int m, int k, int stride, int pad, double density, string? activation)
    {
        var random = new Random(seed);
        var b = new ModelBuilder(13).Input("x", batch, c, h, w)
            .Initializer("w", SparseWeights(random, m * c * k * k, density), m, c, k, k)
            .Initializer("b", TestData.Floats(random, m), m)
            .Node("Conv", new[] { "x", "w", "b" }, new[] { activation is null ? "y" : "t" }, ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad, pad, pad }));
        if (activation is not null) b.Node(activation, new[] { "t" }, new[] { "y" });
        return b.Output("y");
    }

    [Theory]
    [InlineData(1, 64, 9, 11, 48, 1, 1, 0, 0.1, "Relu")]
    [InlineData(2, 32, 7, 7, 40, 1, 1, 0, 0.15, null)]
    [InlineData(1, 16, 10, 10, 24, 3, 1, 1, 0.03, "Sigmoid")]
    [InlineData(1, 12, 13, 9, 20, 3, 2, 1, 0.04, "Relu")]
    [InlineData(1, 8, 17, 17, 70, 5, 1, 2, 0.02, null)]
    [InlineData(1, 30, 6, 5, 9, 1, 1, 0, 0.0, "Relu")]
    public void Sparse_convolutions_match_onnx_runtime(int batch, int c, int h, int w, int m, int k, int stride, int pad, double density, string? activation)
    {
        var b = Model(c * 100 + m, batch, c, h, w, m, k, stride, pad, density, activation);
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.Equal("ConvSparse", Assert.Single(result.Plan!.Steps.OfType<KernelCall>()).Kernel);
        // The build reports the layer, its share of zeros and the bytes kept.
        var compression = Assert.Single(result.Plan.Compression);
        Assert.Equal((long)m * c * k * k, compression.Weights);
        Assert.True(compression.StoredBytes < compression.DenseBytes);
        ModelGen.Tests.Diagnostics.DiagnosticAssert.Reports(result.Diagnostics, "MG0302", "Conv 'conv_0' sparse rows", "% of " + compression.Weights + " weights zero");
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void A_3x3_convolution_with_10_percent_non_zeros_stays_on_the_dense_kernels()
    {
        var b = Model(5, 1, 16, 10, 10, 24, 3, 1, 1, 0.1, "Relu");
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.DoesNotContain(result.Plan!.Steps.OfType<KernelCall>(), s => s.Kernel == "ConvSparse");
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void Half_dense_weights_stay_on_the_dense_kernels()
    {
        var b = Model(3, 1, 32, 8, 8, 32, 1, 1, 0, 0.5, "Relu");
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.DoesNotContain(result.Plan!.Steps.OfType<KernelCall>(), s => s.Kernel == "ConvSparse");
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "MG0302");
        OnnxAssert.MatchesOnnxRuntime(b);
    }
}
