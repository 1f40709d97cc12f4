using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ExpTests : UnaryOpTestBase
{
    protected override string Op => "Exp";
    protected override (float Lo, float Hi) Range => (-80f, 80f);
}
