using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class DropoutTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(12)]
    [InlineData(13)]
    public void Inference_is_identity_with_an_all_true_mask(int opset)
    {
        var builder = new ModelBuilder(opset: opset).Input("x", 3, 17)
            .Node("Relu", new[] { "x" }, new[] { "r" });
        builder = opset < 12
            ? builder.Node("Dropout", new[] { "r" }, new[] { "d", "mask" }, ("ratio", 0.3f))
            : builder.Initializer(ModelBuilder.FloatTensor("ratio", new[] { 0.3f })).Node("Dropout", new[] { "r", "ratio" }, new[] { "d", "mask" });
        builder.Node("Relu", new[] { "d" }, new[] { "y" }).Output("y").Output("mask", opset >= 10 ? DT.Bool : DT.Float);
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Constant_false_training_mode_is_inference()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 4, 5)
            .Initializer(ModelBuilder.FloatTensor("ratio", new[] { 0.5f })).Initializer(Scalar("training", DT.Bool, 0))
            .Node("Dropout", new[] { "x", "ratio", "training" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Training_with_a_nonzero_ratio_is_unsupported()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 4, 5)
            .Initializer(ModelBuilder.FloatTensor("ratio", new[] { 0.5f })).Initializer(Scalar("training", DT.Bool, 1))
            .Node("Dropout", new[] { "x", "ratio", "training" }, new[] { "y" }).Output("y");
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id == "MG0203");
    }
}
