using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class HardSwishTests : UnaryOpTestBase
{
    protected override string Op => "HardSwish";
    protected override int[] Opsets => new[] { 14 };

    [Fact]
    public void Before_opset_14_it_is_invalid()
    {
        var model = new ModelGen.Tests.Infrastructure.ModelBuilder(13).Input("x", 4).Node("HardSwish", new[] { "x" }, new[] { "y" }).Output("y");
        Assert.Contains(ModelGen.Tests.Infrastructure.OnnxAssert.Compile(model.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
