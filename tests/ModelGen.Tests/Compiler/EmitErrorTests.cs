using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Compiler;

public class EmitErrorTests
{
    [Fact]
    public void A_limit_found_while_emitting_is_MG0203_on_the_node_not_an_internal_error()
    {
        // Gemm with a run-time C and beta != 1 has no kernel yet: the diagnostic must name the node.
        var model = new ModelBuilder().Input("a", 2, 3).Input("b", 3, 4).Input("c", 2, 4)
            .Node("Gemm", new[] { "a", "b", "c" }, new[] { "y" }, ("beta", 0.5f)).Output("y");
        var result = OnnxAssert.Compile(model.ToBytes());
        Assert.False(result.Success);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("MG0203", d.Id);
        Assert.Contains("gemm_0", d.Message);
    }
}
