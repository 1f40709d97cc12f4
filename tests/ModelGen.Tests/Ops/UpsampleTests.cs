using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class UpsampleTests
{
    [Theory]
    [InlineData("nearest", new[] { 1f, 1f, 2f, 3f })]
    [InlineData("nearest", new[] { 1f, 1f, 1.5f, 2.5f })]
    [InlineData("linear", new[] { 1f, 1f, 2f, 2f })]
    [InlineData("linear", new[] { 1f, 1f, 1.7f, 3f })]
    public void Opset_7_scales_attribute_matches_onnx_runtime(string mode, float[] scales)
    {
        var builder = new ModelBuilder(opset: 7).Input("x", 1, 2, 4, 5)
            .Node("Upsample", new[] { "x" }, new[] { "y" }, ("mode", mode), ("scales", scales)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData("nearest")]
    [InlineData("linear")]
    public void Opset_9_scales_input_matches_onnx_runtime(string mode)
    {
        var builder = new ModelBuilder(opset: 9).Input("x", 2, 3, 5, 4).Initializer(Floats("scales", 1, 1, 2.5f, 2))
            .Node("Upsample", new[] { "x", "scales" }, new[] { "y" }, ("mode", mode)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Nearest_on_uint8_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 9).Input("x", DT.Uint8, 1, 3, 4, 4).Initializer(Floats("scales", 1, 1, 2, 2))
            .Node("Upsample", new[] { "x", "scales" }, new[] { "y" }, ("mode", "nearest")).Output("y", DT.Uint8);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), intMax: 255);
    }

    [Fact]
    public void Scales_below_one_are_reported()
    {
        var builder = new ModelBuilder(opset: 9).Input("x", 1, 1, 4, 4).Initializer(Floats("scales", 1, 1, 0.5f, 1))
            .Node("Upsample", new[] { "x", "scales" }, new[] { "y" }).Output("y");
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
