using System;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class AddTests : BinaryOpTestBase
{
    protected override string Op => "Add";

    [Theory]
    [InlineData(new long[] { 2, 3, 4 }, new long[] { 2, 3, 4 })]
    [InlineData(new long[] { 2, 3, 4 }, new long[] { 4 })]
    [InlineData(new long[] { 2, 3, 4 }, new long[] { 3, 1 })]
    [InlineData(new long[] { 1, 3, 1 }, new long[] { 2, 1, 37 })]
    [InlineData(new long[] { 5, 1, 70 }, new long[] { 1, 4, 1 })]
    [InlineData(new long[] { 1 }, new long[] { 3, 33 })]
    public void Broadcasting_inputs_match_onnx_runtime(long[] a, long[] b)
    {
        var model = new ModelBuilder().Input("a", a).Input("b", b)
            .Node("Add", new[] { "a", "b" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Constant_operand_becomes_a_weight()
    {
        var random = new Random(3);
        var model = new ModelBuilder().Input("x", 4, 19).Initializer("bias", TestData.Floats(random, 19), 19)
            .Node("Add", new[] { "x", "bias" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }
}
