using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ErfTests : UnaryOpTestBase
{
    protected override string Op => "Erf";
    protected override int[] Opsets => new[] { 9, 13 };
    protected override (float Lo, float Hi) Range => (-4f, 4f);
}
