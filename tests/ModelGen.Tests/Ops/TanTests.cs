using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class TanTests : UnaryOpTestBase
{
    protected override string Op => "Tan";
    protected override int[] Opsets => new[] { 7 };
    protected override (float Lo, float Hi) Range => (-1.5f, 1.5f);
}
