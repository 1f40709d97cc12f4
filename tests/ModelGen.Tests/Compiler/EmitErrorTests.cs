using System.Linq;
using ModelGen.Configuration;
using ModelGen.Compiler;
using ModelGen.Plan;
using ModelGen.Ir;
using ModelGen.Ops;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Compiler;

public class EmitErrorTests
{
    /// <summary>An op whose shapes are fine but whose code generation hits a limit, like an integer op that did not fold.</summary>
    private sealed class LimitedRelu : OpDefinition
    {
        public override string OpType => "Relu";
        public override void InferShapes(Node node)
        {
            node.Outputs[0].Type = node.Inputs[0]!.Type;
            node.Outputs[0].Shape = node.Inputs[0]!.Shape;
        }
        public override void Lower(LoweringContext ctx) => throw new UnsupportedException("no kernel for this configuration");
    }

    [Fact]
    public void A_limit_found_while_emitting_is_MG0203_on_the_node_not_an_internal_error()
    {
        var model = new ModelBuilder().Input("x", 2, 3).Node("Relu", new[] { "x" }, new[] { "y" }).Output("y");
        var result = ModelCompiler.Compile(model.ToBytes(), "test.onnx", ModelOptions.Default("T"), new OpRegistry(new OpDefinition[] { new LimitedRelu() }));
        Assert.False(result.Success);
        Assert.Null(result.Source);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("MG0203", d.Id);
        Assert.Contains("relu_0", d.Message);
        Assert.Contains("no kernel for this configuration", d.Message);
    }
}
