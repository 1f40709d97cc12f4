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

    /// <summary>
    /// The depthwise QLinearConv kernel requantizes its float sums in one pass; the bytes must be those of ConvInteger's
    /// int32 sums through <see cref="Kernels.RequantizeInt32{TY}"/> (bias, per-tensor or per-channel multiplier, clamp, round).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Depthwise_QLinearConv_is_ConvInteger_then_requantize(bool perChannel)
    {
        var g = Depthwise;
        const int pixels = 16;
        var random = new Random(perChannel ? 11 : 12);
        var x = new byte[32];
        random.NextBytes(x);
        var weights = new float[18];
        for (int i = 0; i < weights.Length; i++) weights[i] = random.Next(-20, 21);
        var bias = new[] { random.Next(-900, 900), random.Next(-900, 900) };
        var multiplier = perChannel ? new[] { 0.031f, 0.057f } : new[] { 0.043f };
        byte[] xZero = { 9 }, yZero = { 121 };

        var sums = new int[32];
        Kernels.DepthwiseConvInteger<byte>(x, xZero, weights, sums, 1, g, new float[Kernels.DepthwiseU8ScratchFloats(g)]);
        var expected = new byte[32];
        for (int c = 0; c < 2; c++)
            Kernels.RequantizeInt32<byte>(sums.AsSpan(c * pixels, pixels), new[] { bias[c] }, perChannel ? multiplier.AsSpan(c, 1) : multiplier, true, 1, pixels,
                yZero, expected.AsSpan(c * pixels, pixels));

        var actual = new byte[32];
        Kernels.DepthwiseQLinearConv<byte, byte>(x, xZero, weights, bias, multiplier, yZero, actual, 1, g,
            new float[Kernels.DepthwiseU8ScratchFloats(g) + pixels]);
        Assert.Equal(expected, actual);
        Assert.Contains(actual, v => v is 0 or 255); // the clamp is reached
        Assert.Contains(actual, v => v is > 0 and < 255);
    }
}
