using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class AtanTests : UnaryOpTestBase
{
    protected override string Op => "Atan";
    protected override int[] Opsets => new[] { 7 };
    protected override (float Lo, float Hi) Range => (-10f, 10f);
}
