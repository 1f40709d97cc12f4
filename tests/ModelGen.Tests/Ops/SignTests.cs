using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SignTests : UnaryOpTestBase
{
    protected override string Op => "Sign";
    protected override int[] Opsets => new[] { 9, 13 };
    protected override bool AcceptsIntegers => true;
}
