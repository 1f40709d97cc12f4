using System;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class FlattenTests
{
    [Theory]
    [InlineData(9, 0)]
    [InlineData(9, 1)]
    [InlineData(9, 4)]
    [InlineData(13, -1)]
    [InlineData(13, -4)]
    [InlineData(13, 2)]
    public void Axes_match_onnx_runtime(int opset, int axis)
    {
        var builder = new ModelBuilder(opset: opset).Input("x", 2, 3, 4, 5)
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Flatten", new[] { "r" }, new[] { "f" }, ("axis", axis))
            .Node("Relu", new[] { "f" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Default_axis_on_a_graph_input_and_int64_data_match_onnx_runtime()
    {
        OnnxAssert.MatchesOnnxRuntime(new ModelBuilder(opset: 13).Input("x", 3, 7, 2)
            .Node("Flatten", new[] { "x" }, new[] { "y" }).Output("y"));
        OnnxAssert.MatchesOnnxRuntime(new ModelBuilder(opset: 13).Input("x", DT.Int64, 3, 7, 2)
            .Node("Flatten", new[] { "x" }, new[] { "y" }).Output("y", DT.Int64).Build(), intMax: 99);
    }

    [Fact]
    public void Out_of_range_axis_is_reported()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 2, 3).Node("Flatten", new[] { "x" }, new[] { "y" }, ("axis", 3)).Output("y");
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
