using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ExpandTests
{
    [Theory]
    [InlineData(new long[] { 3, 1 }, new long[] { 2, 1, 6 })]
    [InlineData(new long[] { 3, 1 }, new long[] { 3, 4 })]
    [InlineData(new long[] { 1, 5, 1, 7 }, new long[] { 4, 1, 33, 1 })]
    [InlineData(new long[] { 17 }, new long[] { 2, 3, 1 })]
    [InlineData(new long[] { 2, 3 }, new long[] { 1 })]
    public void Broadcasts_match_onnx_runtime(long[] input, long[] shape)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", input).Initializer(Longs("shape", shape))
            .Node("Expand", new[] { "x", "shape" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Int64_data_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", DT.Int64, 4, 1).Initializer(Longs("shape", 2, 4, 3))
            .Node("Expand", new[] { "x", "shape" }, new[] { "y" }).Output("y", DT.Int64);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), intMax: 1000);
    }
}
