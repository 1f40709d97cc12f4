using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class AsinhTests : UnaryOpTestBase
{
    protected override string Op => "Asinh";
    protected override int[] Opsets => new[] { 9 };
    protected override (float Lo, float Hi) Range => (-10f, 10f);
}
