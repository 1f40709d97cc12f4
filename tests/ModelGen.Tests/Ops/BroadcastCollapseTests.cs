using ModelGen.Ops;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>The build-time axis collapsing that gives Kernels.Binary its fast paths.</summary>
[Trait("Category", "Ops")]
public class BroadcastCollapseTests
{
    [Theory]
    // same shape: one flat axis, both contiguous
    [InlineData(new[] { 3, 17, 33 }, new[] { 3, 17, 33 }, new[] { 3, 17, 33 }, new[] { 1683 }, new[] { 1 }, new[] { 1 })]
    // scalar: one axis, stride 0
    [InlineData(new[] { 2, 5, 7, 9 }, new[] { 2, 5, 7, 9 }, new int[0], new[] { 630 }, new[] { 1 }, new[] { 0 })]
    [InlineData(new[] { 2, 5, 7, 9 }, new[] { 2, 5, 7, 9 }, new[] { 1, 1 }, new[] { 630 }, new[] { 1 }, new[] { 0 })]
    // per channel: [N, C, H·W] with the channel operand's strides [0, 1, 0]
    [InlineData(new[] { 2, 5, 7, 9 }, new[] { 2, 5, 7, 9 }, new[] { 5, 1, 1 }, new[] { 2, 5, 63 }, new[] { 315, 63, 1 }, new[] { 0, 1, 0 })]
    // batch 1 per channel: [C, H·W]
    [InlineData(new[] { 1, 16, 8, 8 }, new[] { 1, 16, 8, 8 }, new[] { 16, 1, 1 }, new[] { 16, 64 }, new[] { 64, 1 }, new[] { 1, 0 })]
    // per column: rows of the column vector
    [InlineData(new[] { 3, 20, 20 }, new[] { 3, 20, 20 }, new[] { 20 }, new[] { 60, 20 }, new[] { 20, 1 }, new[] { 0, 1 })]
    // outer product stays two axes
    [InlineData(new[] { 7, 33 }, new[] { 7, 1 }, new[] { 1, 33 }, new[] { 7, 33 }, new[] { 1, 0 }, new[] { 0, 1 })]
    // everything size 1: rank 0
    [InlineData(new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1 }, new int[0], new int[0], new int[0])]
    public void Collapse_gives_the_fewest_axes(int[] output, int[] a, int[] b, int[] shape, int[] aStrides, int[] bStrides)
    {
        var (s, strides) = BinaryFloatOp.Collapse(output, a, b);
        Assert.Equal(shape, s);
        Assert.Equal(aStrides, strides[0]);
        Assert.Equal(bStrides, strides[1]);
    }

    [Fact]
    public void Generated_code_passes_the_collapsed_shape()
    {
        var model = new ModelBuilder(17).Input("x", 2, 5, 7, 9).Initializer("s", new float[5], 5, 1, 1)
            .Node("Mul", new[] { "x", "s" }, new[] { "y" }).Output("y");
        var source = OnnxAssert.Compile(model.ToBytes()).Source!;
        Assert.Contains("Kernels.Multiply(x, Weights.S, y, new int[] { 2, 5, 63 }, new int[] { 315, 63, 1 }, new int[] { 0, 1, 0 });", source);
    }
}
