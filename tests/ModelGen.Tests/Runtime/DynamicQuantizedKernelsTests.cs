using System;
using ModelGen.Runtime;
using Xunit;

namespace ModelGen.Tests.Runtime;

/// <summary>Misuse of the dynamic-quantization and 8-bit depthwise kernels: ArgumentException saying what was expected.</summary>
[Trait("Category", "Runtime")]
public class DynamicQuantizedKernelsTests
{
    // 2 channels, 4×4, 3×3 depthwise (groups 2), pad 1: 4×4 out.
    private static ConvGeometry Depthwise => new(2, 1, 4, 4, 2, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1, 2, 0);

    [Fact]
    public void Dynamic_depthwise_rejects_both_inputs_or_neither()
    {
        var g = Depthwise;
        var scratch = new short[(int)(Kernels.DynamicQuantizedScratchShorts(32, 0) + 2 * Kernels.DepthwiseU8ScratchFloats(g))];
        var e = Assert.Throws<ArgumentException>(() => Kernels.DynamicDepthwiseConvU8(new float[32], new byte[32], new[] { 1f }, new byte[] { 0 },
            new float[18], new[] { 1f }, default, new float[32], 1, g, default, scratch));
        Assert.Contains("either a float or a quantized input", e.Message);
        e = Assert.Throws<ArgumentException>(() => Kernels.DynamicDepthwiseConvU8(default, new byte[32], default, new byte[] { 0 },
            new float[18], new[] { 1f }, default, new float[32], 1, g, default, scratch));
        Assert.Contains("one scale and one zero point", e.Message);
    }

    [Fact]
    public void Dynamic_kernels_check_scales_bias_and_scratch()
    {
        var g = Depthwise;
        var scratch = new short[(int)(Kernels.DynamicQuantizedScratchShorts(32, 0) + 2 * Kernels.DepthwiseU8ScratchFloats(g))];
        var e = Assert.Throws<ArgumentException>(() => Kernels.DynamicDepthwiseConvU8(new float[32], default, default, default,
            new float[18], new[] { 1f, 2f, 3f }, default, new float[32], 1, g, default, scratch));
        Assert.Contains("1 or 2 weight scales", e.Message);
        e = Assert.Throws<ArgumentException>(() => Kernels.DynamicDepthwiseConvU8(new float[32], default, default, default,
            new float[18], new[] { 1f }, new float[3], new float[32], 1, g, default, scratch));
        Assert.Contains("no bias, 1 or 2 elements", e.Message);
        e = Assert.Throws<ArgumentException>(() => Kernels.DynamicMatMulU8S8(new float[6], default, default, default,
            new sbyte[Kernels.PackedQuadBLength(3, 4)], new int[4], new[] { 1f }, default, new float[8], 2, 4, 3, default, new short[4]));
        Assert.Contains("shorts of scratch", e.Message);
    }

    [Fact]
    public void Depthwise_kernels_reject_grouped_convolutions_and_short_buffers()
    {
        var grouped = new ConvGeometry(4, 1, 4, 4, 4, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1, 2, 0);
        var e = Assert.Throws<ArgumentException>(() => Kernels.DepthwiseConvInteger<byte>(new byte[64], default, new float[36], new int[64], 1, grouped,
            new float[1000]));
        Assert.Contains("depthwise convolution", e.Message);
        e = Assert.Throws<ArgumentException>(() => Kernels.DepthwiseConvInteger<byte>(new byte[32], default, new float[18], new int[31], 1, Depthwise,
            new float[1000]));
        Assert.Contains("Expected Y of at least 32", e.Message);
        e = Assert.Throws<ArgumentException>(() => Kernels.DepthwiseQLinearConv<byte, byte>(new byte[32], default, new float[18], default, new[] { 1f },
            new byte[] { 0 }, new byte[32], 1, Depthwise, new float[10]));
        Assert.Contains("floats of scratch", e.Message);
    }
}
