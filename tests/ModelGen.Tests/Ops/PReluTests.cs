using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class PReluTests
{
    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 9)]
    [InlineData(3, 7)]
    public void Random_slopes_broadcasting_to_x_match_onnx_runtime(int seed, int opset) =>
        OnnxAssert.MatchesOnnxRuntime(ElementwiseModels.RandomBroadcast("PRelu", seed, cases: 6, opset, unidirectional: true));

    [Theory]
    [InlineData(new long[] { 2, 5, 7, 9 }, new long[] { 5, 1, 1 })]
    [InlineData(new long[] { 1, 16, 3, 3 }, new long[] { 16, 1, 1 })]
    [InlineData(new long[] { 3, 33 }, new long[] { 1 })]
    [InlineData(new long[] { 3, 33 }, new long[] { 33 })]
    [InlineData(new long[] { 3, 4, 33 }, new long[] { 3, 4, 33 })]
    public void Per_channel_scalar_and_full_slopes_match_onnx_runtime(long[] x, long[] slope)
    {
        var random = new System.Random(1);
        int n = 1;
        foreach (var d in slope) n *= (int)d;
        var model = new ModelBuilder(16).Input("x", x).Initializer("slope", TestData.Floats(random, n, 0.5f), slope)
            .Node("PRelu", new[] { "x", "slope" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void A_slope_that_does_not_broadcast_to_x_is_invalid()
    {
        var model = ElementwiseModels.Single("PRelu", 16, new[] { new long[] { 3 }, new long[] { 2, 3 } });
        Assert.Contains(OnnxAssert.Compile(model.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
