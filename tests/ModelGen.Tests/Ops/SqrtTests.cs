using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SqrtTests : UnaryOpTestBase
{
    protected override string Op => "Sqrt";
    protected override (float Lo, float Hi) Range => (0f, 50f);
}
