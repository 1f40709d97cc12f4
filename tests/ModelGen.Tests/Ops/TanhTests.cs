using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class TanhTests : UnaryOpTestBase
{
    protected override string Op => "Tanh";
    protected override (float Lo, float Hi) Range => (-5f, 5f);
}
