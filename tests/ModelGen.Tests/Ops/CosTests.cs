using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class CosTests : UnaryOpTestBase
{
    protected override string Op => "Cos";
    protected override int[] Opsets => new[] { 7 };
    protected override (float Lo, float Hi) Range => (-10f, 10f);
}
