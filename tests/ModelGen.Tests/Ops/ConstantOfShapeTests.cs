using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ConstantOfShapeTests
{
    [Theory]
    [InlineData(DT.Float, 0, new long[] { 2, 3 }, false)]
    [InlineData(DT.Float, 1.5, new long[] { 4 }, true)]
    [InlineData(DT.Int64, -3, new long[] { 3, 2, 2 }, true)]
    [InlineData(DT.Int32, 9, new long[] { 0 }, true)]
    [InlineData(DT.Bool, 1, new long[] { 5 }, true)]
    [InlineData(DT.Float, 2, new long[] { 70, 80 }, true)]   // too large to embed: filled at run time
    public void Values_and_shapes_match_onnx_runtime(DT type, double value, long[] shape, bool withValue)
    {
        var attributes = withValue ? new (string, object)[] { ("value", Tensor("v", type, new long[] { 1 }, new[] { value })) } : new (string, object)[0];
        var builder = new ModelBuilder(opset: 13).Input("unused", 1)
            .Initializer(Longs("shape", shape))
            .Node("ConstantOfShape", new[] { "shape" }, new[] { "c" }, attributes)
            .Node("Identity", new[] { "c" }, new[] { "y" }).Output("y", type);
        OnnxAssert.MatchesOnnxRuntime(builder.Build());
    }

    [Fact]
    public void Shape_of_a_run_time_input_drives_it()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 3, 5)
            .Node("Shape", new[] { "x" }, new[] { "s" })
            .Node("ConstantOfShape", new[] { "s" }, new[] { "c" }, ("value", Tensor("v", DT.Float, new long[] { 1 }, new[] { 0.5 })))
            .Node("Add", new[] { "x", "c" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }
}
