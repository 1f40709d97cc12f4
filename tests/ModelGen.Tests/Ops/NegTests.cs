using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class NegTests : UnaryOpTestBase
{
    protected override string Op => "Neg";
    protected override int[] Opsets => new[] { 7, 13 };
    protected override bool AcceptsIntegers => true;
}
