using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class HardSwishTests : UnaryOpTestBase
{
    protected override string Op => "HardSwish";
    protected override int[] Opsets => new[] { 14 };
}
