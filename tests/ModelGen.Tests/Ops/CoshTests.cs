using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class CoshTests : UnaryOpTestBase
{
    protected override string Op => "Cosh";
    protected override int[] Opsets => new[] { 9 };
    protected override (float Lo, float Hi) Range => (-5f, 5f);
}
