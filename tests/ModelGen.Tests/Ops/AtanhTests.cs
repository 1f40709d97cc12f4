using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class AtanhTests : UnaryOpTestBase
{
    protected override string Op => "Atanh";
    protected override int[] Opsets => new[] { 9 };
    protected override (float Lo, float Hi) Range => (-0.99f, 0.99f);
}
