using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SqueezeTests
{
    [Theory]
    [InlineData(11, new long[] { 0 })]
    [InlineData(11, new long[] { -1, 2 })]
    [InlineData(11, null)]
    public void Attribute_axes_match_onnx_runtime(int opset, long[]? axes)
    {
        var builder = new ModelBuilder(opset: opset).Input("x", 1, 3, 1, 5, 1)
            .Node("Relu", new[] { "x" }, new[] { "r" });
        builder = axes is null
            ? builder.Node("Squeeze", new[] { "r" }, new[] { "y" })
            : builder.Node("Squeeze", new[] { "r" }, new[] { "y" }, ("axes", axes));
        OnnxAssert.MatchesOnnxRuntime(builder.Output("y"));
    }

    [Theory]
    [InlineData(new long[] { 4, 0 })]
    [InlineData(new long[] { -3 })]
    [InlineData(null)]
    public void Input_axes_match_onnx_runtime(long[]? axes)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 1, 3, 1, 5, 1);
        if (axes is null) builder.Node("Squeeze", new[] { "x" }, new[] { "y" });
        else builder.Initializer(Longs("axes", axes)).Node("Squeeze", new[] { "x", "axes" }, new[] { "y" });
        OnnxAssert.MatchesOnnxRuntime(builder.Output("y"));
    }

    [Fact]
    public void Squeezing_a_non_unit_axis_is_reported()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 1, 3).Initializer(Longs("axes", 1))
            .Node("Squeeze", new[] { "x", "axes" }, new[] { "y" }).Output("y");
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
