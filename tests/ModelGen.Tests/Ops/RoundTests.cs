using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class RoundTests : UnaryOpTestBase
{
    protected override string Op => "Round";
    protected override int[] Opsets => new[] { 11 };
    protected override (float Lo, float Hi) Range => (-20f, 20f);
}
