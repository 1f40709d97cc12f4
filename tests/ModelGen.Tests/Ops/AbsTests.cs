using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class AbsTests : UnaryOpTestBase
{
    protected override string Op => "Abs";
    protected override int[] Opsets => new[] { 7, 13 };
    protected override bool AcceptsIntegers => true;
}
