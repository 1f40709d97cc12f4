using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SubTests : BinaryOpTestBase
{
    protected override string Op => "Sub";
}
