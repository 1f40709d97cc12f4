using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// Binarized convolutions (Sign → Conv with ±α weights per output channel) run on XNOR + popcount, against ONNX Runtime
/// running the float Sign → Conv model. Inputs hold exact zeros (Sign(0) = 0), so the kernel's third state is exercised.
/// </summary>
[Trait("Category", "Ops")]
public class ConvXnorTests
{
    /// <summary>Weights ±α_m: a random sign per weight and a random positive scale per output channel.</summary>
    internal static float[] BinaryWeights(Random random, int m, int per)
    {
        var w = new float[m * per];
        for (int o = 0; o < m; o++)
        {
            float alpha = (float)(0.05 + random.NextDouble());
            for (int i = 0; i < per; i++) w[o * per + i] = random.Next(2) == 0 ? alpha : -alpha;
        }
        return w;
    }

    /// <summary>Random inputs in [−1, 1) with about a fifth of them exactly zero.</summary>
    internal static float[] InputWithZeros(Random random, int n) =>
        Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.2 ? 0f : (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static ModelBuilder Model(int seed, int batch, int c, int h, int w, int m, int k, int stride, int pad, bool bias, string? activation, bool batchNorm = false)
    {
        var random = new Random(seed);
        var b = new ModelBuilder(13).Input("x", batch, c, h, w)
            .Initializer("w", BinaryWeights(random, m, c * k * k), m, c, k, k);
        if (bias) b.Initializer("b", TestData.Floats(random, m), m);
        b.Node("Sign", new[] { "x" }, new[] { "s" });
        string y = activation is null && !batchNorm ? "y" : "t";
        b.Node("Conv", bias ? new[] { "s", "w", "b" } : new[] { "s", "w" }, new[] { y }, ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad, pad, pad }));
        if (batchNorm)
        {
            b.Initializer("scale", TestData.Floats(random, m), m).Initializer("shift", TestData.Floats(random, m), m)
                .Initializer("mean", TestData.Floats(random, m), m).Initializer("var", TestData.Floats(random, m).Select(v => 0.5f + Math.Abs(v)).ToArray(), m)
                .Node("BatchNormalization", new[] { "t", "scale", "shift", "mean", "var" }, new[] { activation is null ? "y" : "u" });
            y = "u";
        }
        if (activation is not null) b.Node(activation, new[] { y }, new[] { "y" });
        return b.Output("y");
    }

    private static void AssertXnor(byte[] model, int m, int c, int k)
    {
        long weights = (long)m * c * k * k;
        var result = OnnxAssert.Compile(model);
        Assert.Contains(result.Plan!.Steps.OfType<KernelCall>(), s => s.Kernel == "ConvXnor");
        var compression = Assert.Single(result.Plan.Compression);
        Assert.Equal("xnor", compression.Technique);
        Assert.Equal(weights, compression.Weights);
        // Sign bits in 64-bit words per 64 channels and tap, each row rounded up to 256 bits, plus α per channel.
        long rowWords = ((long)k * k * ((c + 63) / 64) + 3) / 4 * 4;
        Assert.Equal(m * (8 * rowWords + 4), compression.StoredBytes);
        Assert.Equal(4 * weights, compression.DenseBytes);
    }

    [Theory]
    [InlineData(1, 37, 5, 6, 13, 1, 1, 0, true, null)]
    [InlineData(1, 70, 9, 8, 21, 3, 1, 1, true, "Relu")]
    [InlineData(2, 130, 11, 10, 9, 3, 2, 1, false, null)]
    [InlineData(1, 3, 7, 7, 5, 3, 1, 1, true, "Sigmoid")]
    [InlineData(1, 64, 6, 6, 64, 3, 1, 1, true, null)]
    [InlineData(1, 200, 4, 4, 7, 3, 2, 0, true, "Relu")]
    [InlineData(1, 16, 9, 9, 6, 5, 1, 2, false, null)]
    [InlineData(1, 2000, 4, 3, 5, 3, 1, 1, true, null)] // rows of 288 words: byte counts flushed more than once
    [InlineData(1, 7300, 3, 3, 4, 3, 1, 1, false, null)] // rows of 1035 words: counts too wide to share a lane
    public void Binarized_convolutions_match_onnx_runtime(int batch, int c, int h, int w, int m, int k, int stride, int pad, bool bias, string? activation)
    {
        var b = Model(c * 7 + m, batch, c, h, w, m, k, stride, pad, bias, activation);
        AssertXnor(b.ToBytes(), m, c, k);
        var inputs = new Dictionary<string, Array> { ["x"] = InputWithZeros(new Random(c + h), batch * c * h * w) };
        OnnxAssert.MatchesOnnxRuntime(b.Build(), inputs: inputs);
    }

    [Fact]
    public void Random_inputs_without_zeros_match_onnx_runtime()
    {
        var b = Model(3, 1, 48, 8, 8, 32, 3, 1, 1, true, "Relu");
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void A_batch_norm_after_the_binarized_convolution_folds_into_alpha_and_bias()
    {
        var b = Model(11, 1, 40, 7, 9, 24, 3, 1, 1, true, "Relu", batchNorm: true);
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.Equal(new[] { "ConvXnor" }, result.Plan!.Steps.OfType<KernelCall>().Select(s => s.Kernel).ToArray());
        var inputs = new Dictionary<string, Array> { ["x"] = InputWithZeros(new Random(5), 40 * 7 * 9) };
        OnnxAssert.MatchesOnnxRuntime(b.Build(), inputs: inputs);
    }

    [Fact]
    public void A_residual_add_and_relu_fuse_into_the_binarized_convolution()
    {
        var random = new Random(21);
        var b = new ModelBuilder(13).Input("x", 1, 33, 6, 7).Input("r", 1, 20, 6, 7)
            .Initializer("w", BinaryWeights(random, 20, 33 * 9), 20, 33, 3, 3).Initializer("b", TestData.Floats(random, 20), 20)
            .Node("Sign", new[] { "x" }, new[] { "s" })
            .Node("Conv", new[] { "s", "w", "b" }, new[] { "c" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Add", new[] { "c", "r" }, new[] { "a" })
            .Node("Relu", new[] { "a" }, new[] { "y" })
            .Output("y");
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.Equal(new[] { "ConvXnor" }, result.Plan!.Steps.OfType<KernelCall>().Select(s => s.Kernel).ToArray());
        var inputs = new Dictionary<string, Array>
        {
            ["x"] = InputWithZeros(new Random(1), 33 * 42),
            ["r"] = TestData.Floats(new Random(2), 20 * 42),
        };
        OnnxAssert.MatchesOnnxRuntime(b.Build(), inputs: inputs);
    }

    [Fact]
    public void A_sign_read_elsewhere_stays_and_the_convolution_still_runs_on_bits()
    {
        var random = new Random(8);
        var b = new ModelBuilder(13).Input("x", 1, 10, 5, 5)
            .Initializer("w", BinaryWeights(random, 6, 10 * 9), 6, 10, 3, 3)
            .Node("Sign", new[] { "x" }, new[] { "s" })
            .Node("Conv", new[] { "s", "w" }, new[] { "y" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Output("y").Output("s");
        var result = OnnxAssert.Compile(b.ToBytes());
        var kernels = result.Plan!.Steps.OfType<KernelCall>().Select(s => s.Kernel).ToArray();
        Assert.Contains("ConvXnor", kernels);
        Assert.Contains("Sign", kernels);
        var inputs = new Dictionary<string, Array> { ["x"] = InputWithZeros(new Random(3), 250) };
        OnnxAssert.MatchesOnnxRuntime(b.Build(), inputs: inputs);
    }

    [Fact]
    public void Weights_that_are_not_plus_or_minus_alpha_stay_on_the_float_kernels()
    {
        var random = new Random(4);
        var w = BinaryWeights(random, 8, 12 * 9);
        w[17] *= 0.5f; // one weight of channel 0 is not ±α
        var b = new ModelBuilder(13).Input("x", 1, 12, 6, 6)
            .Initializer("w", w, 8, 12, 3, 3)
            .Node("Sign", new[] { "x" }, new[] { "s" })
            .Node("Conv", new[] { "s", "w" }, new[] { "y" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Output("y");
        var result = OnnxAssert.Compile(b.ToBytes());
        var kernels = result.Plan!.Steps.OfType<KernelCall>().Select(s => s.Kernel).ToArray();
        Assert.DoesNotContain("ConvXnor", kernels);
        Assert.Contains("Sign", kernels);
        Assert.Empty(result.Plan.Compression);
        var inputs = new Dictionary<string, Array> { ["x"] = InputWithZeros(new Random(6), 12 * 36) };
        OnnxAssert.MatchesOnnxRuntime(b.Build(), inputs: inputs);
    }

    [Fact]
    public void A_conv_without_sign_stays_on_the_float_kernels()
    {
        var random = new Random(9);
        var b = new ModelBuilder(13).Input("x", 1, 12, 6, 6)
            .Initializer("w", BinaryWeights(random, 8, 12 * 9), 8, 12, 3, 3)
            .Node("Conv", new[] { "x", "w" }, new[] { "y" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Output("y");
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.DoesNotContain(result.Plan!.Steps.OfType<KernelCall>(), s => s.Kernel == "ConvXnor");
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    /// <summary>
    /// A small XNOR-Net: a float first layer, three binarized blocks (BatchNorm → Sign → ±α Conv, the middle one strided),
    /// and a float classifier, as XNOR-Net keeps its first and last layers in float.
    /// </summary>
    internal static ModelBuilder Network(int seed, int channels, int size)
    {
        var random = new Random(seed);
        int c = channels;
        var b = new ModelBuilder(13).Input("x", 1, 3, size, size)
            .Initializer("w0", TestData.Floats(random, c * 3 * 9, 0.5f), c, 3, 3, 3).Initializer("b0", TestData.Floats(random, c), c)
            .Node("Conv", new[] { "x", "w0", "b0" }, new[] { "h0" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Relu", new[] { "h0" }, new[] { "a0" });
        string prev = "a0";
        for (int i = 1; i <= 3; i++)
        {
            string id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            int stride = i == 2 ? 2 : 1;
            b.Initializer("s" + id, TestData.Floats(random, c).Select(v => 0.5f + Math.Abs(v)).ToArray(), c).Initializer("o" + id, TestData.Floats(random, c, 0.2f), c)
                .Initializer("m" + id, TestData.Floats(random, c, 0.2f), c).Initializer("v" + id, TestData.Floats(random, c).Select(v => 0.5f + Math.Abs(v)).ToArray(), c)
                .Node("BatchNormalization", new[] { prev, "s" + id, "o" + id, "m" + id, "v" + id }, new[] { "n" + id })
                .Node("Sign", new[] { "n" + id }, new[] { "g" + id })
                .Initializer("w" + id, BinaryWeights(random, c, c * 9), c, c, 3, 3)
                .Node("Conv", new[] { "g" + id, "w" + id }, new[] { "c" + id }, ("pads", new[] { 1, 1, 1, 1 }), ("strides", new[] { stride, stride }));
            prev = "c" + id;
        }
        return b.Node("GlobalAveragePool", new[] { prev }, new[] { "p" })
            .Node("Flatten", new[] { "p" }, new[] { "f" })
            .Initializer("fc", TestData.Floats(random, c * 10, 0.1f), c, 10).Initializer("fb", TestData.Floats(random, 10), 10)
            .Node("Gemm", new[] { "f", "fc", "fb" }, new[] { "y" })
            .Output("y");
    }

    [Fact]
    public void A_small_binarized_network_matches_onnx_runtime()
    {
        var b = Network(31, 96, 12);
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.Equal(3, result.Plan!.Steps.OfType<KernelCall>().Count(s => s.Kernel == "ConvXnor"));
        Assert.Equal(3, result.Plan.Compression.Count);
        OnnxAssert.MatchesOnnxRuntime(b);
    }
}
