using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class FloorTests : UnaryOpTestBase
{
    protected override string Op => "Floor";
    protected override int[] Opsets => new[] { 7, 13 };
    protected override (float Lo, float Hi) Range => (-20f, 20f);
}
