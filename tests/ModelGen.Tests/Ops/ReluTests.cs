using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReluTests : UnaryOpTestBase
{
    protected override string Op => "Relu";
    protected override int[] Opsets => new[] { 7, 13, 14 };

    [Fact]
    public void Chain_through_reshape_and_identity_reuses_buffers()
    {
        var model = new ModelBuilder().Input("x", 2, 3, 4).Initializer("shape", new long[] { 6, -1 }, 2)
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Reshape", new[] { "r", "shape" }, new[] { "s" })
            .Node("Identity", new[] { "s" }, new[] { "i" })
            .Node("Relu", new[] { "i" }, new[] { "y" })
            .Output("y");
        var report = OnnxAssert.MatchesOnnxRuntime(model);
        var compiled = OnnxAssert.Compile(model.ToBytes());
        // r, s and i share one 24-float buffer: the arena holds exactly one (64-byte aligned).
        Assert.Equal(128, compiled.Plan!.ArenaBytes);
    }
}
