using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class UnsqueezeTests
{
    [Theory]
    [InlineData(new long[] { 0 })]
    [InlineData(new long[] { 4, 0 })]
    [InlineData(new long[] { -1, 1 })]
    [InlineData(new long[] { 5, -6, 2 })]
    public void Attribute_axes_match_onnx_runtime(long[] axes)
    {
        var builder = new ModelBuilder(opset: 11).Input("x", 3, 4, 5)
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Unsqueeze", new[] { "r" }, new[] { "y" }, ("axes", axes)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(new long[] { 2 })]
    [InlineData(new long[] { 3, -4 })]
    public void Input_axes_match_onnx_runtime(long[] axes)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", DT.Int64, 3, 4).Initializer(Longs("axes", axes))
            .Node("Unsqueeze", new[] { "x", "axes" }, new[] { "y" }).Output("y", DT.Int64);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), intMax: 50);
    }

    [Fact]
    public void Repeated_axes_are_reported()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 3).Initializer(Longs("axes", 0, -3))
            .Node("Unsqueeze", new[] { "x", "axes" }, new[] { "y" }).Output("y");
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
