using System;
using ModelGen.Runtime;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>3×3 stride-1 convolutions the generator runs as Winograd F(2×2, 3×3), against ONNX Runtime and a direct sum.</summary>
[Trait("Category", "Ops")]
public class ConvWinogradTests
{
    private static ModelBuilder Model(int seed, int n, int c, int h, int w, int m, int[] pads, bool bias, string? activation)
    {
        var random = new Random(seed);
        var builder = new ModelBuilder(13).Input("x", n, c, h, w).Initializer("w", TestData.Floats(random, m * c * 9), m, c, 3, 3);
        if (bias) builder.Initializer("b", TestData.Floats(random, m), m);
        builder.Node("Conv", bias ? new[] { "x", "w", "b" } : new[] { "x", "w" }, new[] { "y" }, ("pads", pads));
        if (activation is null) return builder.Output("y");
        if (activation == "LeakyRelu") builder.Node("LeakyRelu", new[] { "y" }, new[] { "r" }, ("alpha", 0.2f));
        else builder.Node(activation, new[] { "y" }, new[] { "r" });
        return builder.Output("r");
    }

    [Theory]
    // Output widths around every vector width of the transforms (tile rows of 4, 8 and 16 tiles, overlapping tails),
    // odd sizes (a last tile row or column with one real pixel), asymmetric and zero pads, a batch of two.
    [InlineData(1, 32, 12, 12, 32, 1, 1, 1, 1, true, null)]
    [InlineData(1, 32, 14, 14, 48, 1, 1, 1, 1, true, "Relu")]
    [InlineData(2, 33, 13, 15, 40, 1, 1, 1, 1, false, null)]
    [InlineData(1, 40, 17, 19, 32, 1, 0, 2, 1, true, "LeakyRelu")]
    [InlineData(1, 32, 16, 34, 36, 0, 0, 0, 0, true, "Relu")]
    [InlineData(1, 48, 20, 41, 32, 1, 1, 1, 1, true, "Sigmoid")]
    [InlineData(1, 32, 35, 66, 32, 2, 1, 0, 2, true, null)]
    [InlineData(1, 64, 28, 28, 64, 1, 1, 1, 1, true, "Relu")]
    public void Winograd_convolutions_match_onnx_runtime(int n, int c, int h, int w, int m, int top, int left, int bottom, int right, bool bias, string? activation)
    {
        var model = Model(c * 13 + h * 7 + w, n, c, h, w, m, new[] { top, left, bottom, right }, bias, activation);
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.Contains("Kernels.ConvWinograd(", compiled.Source);
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Theory]
    [InlineData(16, 32, 14, 14)]
    [InlineData(32, 32, 5, 5)]
    public void Few_channels_or_tiles_keep_the_direct_strategies(int c, int m, int h, int w)
    {
        var model = Model(5, 1, c, h, w, m, new[] { 1, 1, 1, 1 }, true, null);
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.DoesNotContain("ConvWinograd", compiled.Source);
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Theory]
    [InlineData(1, 3, 3, 5, 5, 1, 1, 1)]
    [InlineData(2, 5, 4, 9, 7, 1, 2, 2)]
    [InlineData(1, 4, 6, 8, 17, 0, 1, 3)]
    [InlineData(1, 2, 2, 1, 1, 1, 1, 1)]
    [InlineData(1, 3, 5, 40, 37, 2, 0, 7)]
    public void Kernel_matches_a_direct_sum_in_several_blocks(int batch, int c, int m, int h, int w, int padTop, int padLeft, int tileRows)
    {
        var random = new Random(c * 100 + h * 10 + w);
        int padBottom = (h + w) % 3, padRight = 1;
        int oh = h + padTop + padBottom - 2, ow = w + padLeft + padRight - 2;
        var x = TestData.Floats(random, batch * c * h * w);
        var wt = TestData.Floats(random, m * c * 9);
        var b = TestData.Floats(random, m);
        var u = new float[Kernels.WinogradWeightLength(m, c)];
        Kernels.WinogradTransformWeights(wt, m, c, u);
        var y = new float[batch * m * oh * ow];
        var scratch = new float[Kernels.WinogradScratch(c, m, ow, tileRows)];
        scratch.AsSpan().Fill(float.NaN);
        var relu = new FusedActivation(ActivationKind.Relu);
        Kernels.ConvWinograd(x, u, b, y, batch, c, h, w, m, oh, ow, padTop, padLeft, tileRows, relu, scratch);
        for (int n = 0; n < batch; n++)
            for (int o = 0; o < m; o++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double s = b[o];
                        for (int ci = 0; ci < c; ci++)
                            for (int ky = 0; ky < 3; ky++)
                                for (int kx = 0; kx < 3; kx++)
                                {
                                    int iy = oy + ky - padTop, ix = ox + kx - padLeft;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                        s += (double)wt[((o * c + ci) * 3 + ky) * 3 + kx] * x[((n * c + ci) * h + iy) * w + ix];
                                }
                        float expected = (float)Math.Max(s, 0);
                        float actual = y[((n * m + o) * oh + oy) * ow + ox];
                        Assert.True(Math.Abs(expected - actual) <= 1e-5 + 1e-4 * Math.Abs(expected), $"[{n},{o},{oy},{ox}]: {actual} vs {expected}");
                    }
    }

    [Fact]
    public void Short_operands_are_rejected()
    {
        var scratch = new float[Kernels.WinogradScratch(2, 2, 4, 1)];
        Assert.Throws<ArgumentException>(() => Kernels.ConvWinograd(new float[10], new float[64], default, new float[32], 1, 2, 4, 4, 2, 4, 4, 1, 1, 1, default, scratch));
        Assert.Throws<ArgumentException>(() => Kernels.WinogradTransformWeights(new float[17], 2, 1, new float[32]));
    }
}
