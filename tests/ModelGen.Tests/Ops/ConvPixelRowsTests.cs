using System;
using ModelGen.Runtime;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// Convolutions on small images that the generator runs with pixels as GEMM rows (Kernels.ConvPixelRows), and the
/// packed-weight layout (Kernels.PackA) the other strategies read, against ONNX Runtime and the unpacked kernel.
/// </summary>
[Trait("Category", "Ops")]
public class ConvPixelRowsTests
{
    [Theory]
    // 7×7 pointwise (MobileNetV2's last stage), a 3×3 on 7×7 (ResNet18's last stage), strided convolutions onto 7×7,
    // channel counts that leave a partial 16-column panel, a batch of two, fused activations.
    [InlineData(1, 160, 7, 7, 960, 1, 1, 0, "Relu")]
    [InlineData(2, 96, 7, 7, 264, 1, 1, 0, null)]
    [InlineData(1, 64, 7, 7, 256, 3, 1, 1, "Relu")]
    [InlineData(1, 32, 14, 14, 272, 3, 2, 1, "Sigmoid")]
    [InlineData(1, 64, 13, 13, 259, 1, 2, 0, null)]
    [InlineData(1, 80, 5, 9, 257, 1, 1, 0, "LeakyRelu")]
    public void Small_images_match_onnx_runtime(int n, int c, int h, int w, int m, int k, int stride, int pad, string? activation)
    {
        var random = new Random(c + m + h);
        var model = new ModelBuilder(13).Input("x", n, c, h, w).Initializer("w", TestData.Floats(random, m * c * k * k), m, c, k, k)
            .Initializer("b", TestData.Floats(random, m), m)
            .Node("Conv", new[] { "x", "w", "b" }, new[] { "y" }, ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad, pad, pad }));
        if (activation is null) model.Output("y");
        else
        {
            if (activation == "LeakyRelu") model.Node("LeakyRelu", new[] { "y" }, new[] { "r" }, ("alpha", 0.1f));
            else model.Node(activation, new[] { "y" }, new[] { "r" });
            model.Output("r");
        }
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.Contains("Kernels.ConvPixelRows(", compiled.Source);
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Theory]
    [InlineData(16, 256, 1)]
    [InlineData(64, 256, 8)]
    [InlineData(96, 160, 7)]
    public void Images_that_fill_whole_panels_shallow_products_or_few_channels_keep_the_usual_product(int c, int m, int size)
    {
        var random = new Random(c + size);
        var model = new ModelBuilder(13).Input("x", 1, c, size, size).Initializer("w", TestData.Floats(random, m * c), m, c, 1, 1)
            .Node("Conv", new[] { "x", "w" }, new[] { "y" }).Output("y");
        Assert.DoesNotContain("ConvPixelRows", OnnxAssert.Compile(model.ToBytes()).Source);
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Theory]
    // Output channel counts around the 8-row blocks of the packed layout; pointwise, im2col and implicit strategies.
    [InlineData(13, 1, 1, 20, 20, 0)]
    [InlineData(8, 1, 1, 7, 9, 0)]
    [InlineData(17, 3, 2, 9, 11, 0)]
    [InlineData(5, 3, 1, 11, 13, 7)]
    [InlineData(23, 5, 1, 6, 40, 0)]
    public void Packed_weights_give_the_same_result_as_row_major_weights(int m, int k, int stride, int h, int w, int rowsPerBlock)
    {
        var random = new Random(m * 7 + k);
        int c = 6, batch = 2, pad = k / 2;
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        var x = TestData.Floats(random, batch * c * h * w);
        var wt = TestData.Floats(random, m * c * k * k);
        var bias = TestData.Floats(random, m);
        int kernelSize = c * k * k, pixels = oh * ow;
        bool pointwise = k == 1 && stride == 1;
        int chunk = pointwise ? 0 : rowsPerBlock > 0 ? 0 : Math.Min(64, (pixels + 15) / 16 * 16);
        ConvGeometry Geometry(bool packed) => new(channels: c, depth: 1, height: h, width: w, outChannels: m, outDepth: 1, outHeight: oh, outWidth: ow,
            kernelD: 1, kernelH: k, kernelW: k, strideD: 1, strideH: stride, strideW: stride, dilationD: 1, dilationH: 1, dilationW: 1,
            padFront: 0, padTop: pad, padLeft: pad, groups: 1, chunk: chunk, rowsPerBlock: rowsPerBlock, packedWeights: packed);
        var packedWeights = new float[Kernels.PackedALength(m, kernelSize)];
        Kernels.PackA(wt, kernelSize, m, kernelSize, packedWeights);
        var activation = new FusedActivation(ActivationKind.Relu);
        var expected = new float[batch * m * pixels];
        var actual = new float[expected.Length];
        Kernels.Conv(x, wt, bias, expected, batch, Geometry(false), activation, new float[Math.Max(1, Kernels.ConvScratch(Geometry(false)))]);
        Kernels.Conv(x, packedWeights, bias, actual, batch, Geometry(true), activation, new float[Math.Max(1, Kernels.ConvScratch(Geometry(true)))]);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]), $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void Short_operands_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Kernels.PackA(new float[10], 4, 3, 4, new float[32]));
        Assert.Throws<ArgumentException>(() => Kernels.PackA(new float[12], 4, 3, 4, new float[31]));
        var g = new ConvGeometry(4, 1, 3, 3, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, true);
        Assert.Throws<ArgumentException>(() => Kernels.Conv(new float[36], new float[16], default, new float[36], 1, g, default, new float[16]));
        Assert.Throws<ArgumentException>(() => Kernels.ConvPixelRows(new float[36], new float[16], default, new float[36], 1, g, default, new float[Kernels.ConvPixelRowsScratch(g)]));
    }
}
