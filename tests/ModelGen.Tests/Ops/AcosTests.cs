using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class AcosTests : UnaryOpTestBase
{
    protected override string Op => "Acos";
    protected override int[] Opsets => new[] { 7 };
    protected override (float Lo, float Hi) Range => (-1f, 1f);
}
