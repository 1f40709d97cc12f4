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
        Assert.Contains("Kernels.Multiply(a: x, b: Weights.S, destination: y, shape: new int[] { 2, 5, 63 }, aStrides: new int[] { 315, 63, 1 }, bStrides: new int[] { 0, 1, 0 });", source);
    }

    [Theory]
    [InlineData(new long[] { 1, 56, 56, 3 }, new long[] { 3 }, false)]     // channels-last bias: rows of 3 tiled
    [InlineData(new long[] { 4096, 10 }, new long[] { 10 }, false)]
    [InlineData(new long[] { 2, 7, 5 }, new long[] { 5 }, true)]          // constant on the left
    [InlineData(new long[] { 2, 13, 3 }, new long[] { 1, 3 }, false)]     // 13 rows: prime, tiled 13 times
    [InlineData(new long[] { 3, 4099, 3 }, new long[] { 3 }, false)]      // 4099 rows: no divisor that fits, not tiled
    public void Short_constant_rows_are_tiled_and_still_match_onnx_runtime(long[] x, long[] row, bool constantFirst)
    {
        var random = new System.Random(4);
        int n = (int)row[^1];
        var model = new ModelBuilder(17).Input("x", x).Initializer("r", TestData.Floats(random, n), row)
            .Node("Sub", constantFirst ? new[] { "r", "x" } : new[] { "x", "r" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void A_short_constant_row_becomes_a_tiled_weight()
    {
        var model = new ModelBuilder(17).Input("x", 1, 56, 56, 3).Initializer("r", new float[] { 1, 2, 3 }, 3)
            .Node("Add", new[] { "x", "r" }, new[] { "y" }).Output("y");
        var source = OnnxAssert.Compile(model.ToBytes()).Source!;
        // 3136 rows of 3 become 98 rows of 96 (32 copies of the row).
        Assert.Contains("Kernels.Add(a: x, b: Weights.RTiled, destination: y, shape: new int[] { 98, 96 }, aStrides: new int[] { 96, 1 }, bStrides: new int[] { 0, 1 });", source);
    }
}
