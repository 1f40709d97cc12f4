using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// Every integer element type crosses the model boundary as itself: ModelGen's Predict and the ONNX Runtime oracle both
/// see int8 as int8 and uint32 as uint32 (the CLR lets same-sized integer arrays pass as each other in type tests).
/// </summary>
[Trait("Category", "Ops")]
public class IntegerBindingTests
{
    [Theory]
    [InlineData(TensorProto.Types.DataType.Int8)]
    [InlineData(TensorProto.Types.DataType.Uint8)]
    [InlineData(TensorProto.Types.DataType.Int16)]
    [InlineData(TensorProto.Types.DataType.Uint16)]
    [InlineData(TensorProto.Types.DataType.Int32)]
    [InlineData(TensorProto.Types.DataType.Uint32)]
    [InlineData(TensorProto.Types.DataType.Int64)]
    [InlineData(TensorProto.Types.DataType.Uint64)]
    public void Integer_inputs_and_outputs_round_trip_through_both_engines(TensorProto.Types.DataType type)
    {
        var model = new ModelBuilder(opset: 14).Input("a", type, 3, 5).Input("b", type, 5)
            .Node("Add", new[] { "a", "b" }, new[] { "y" }).Output("y", type);
        OnnxAssert.MatchesOnnxRuntime(model.Build(), intMax: 100);
    }
}
