using ModelGen.Tests.Infrastructure;
using Xunit;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SizeTests
{
    [Fact]
    public void Size_of_a_run_time_input_folds_and_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 3, 7, 2)
            .Node("Size", new[] { "x" }, new[] { "n" })
            .Node("Cast", new[] { "n" }, new[] { "f" }, ("to", (int)DT.Float))
            .Node("Add", new[] { "x", "f" }, new[] { "y" })
            .Output("y").Output("n", DT.Int64);
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType is "Size" or "Cast");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }
}
