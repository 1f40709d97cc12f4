using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class MulTests : BinaryOpTestBase
{
    protected override string Op => "Mul";
}
