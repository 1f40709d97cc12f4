using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SigmoidTests : UnaryOpTestBase
{
    protected override string Op => "Sigmoid";
    protected override (float Lo, float Hi) Range => (-20f, 20f);
}
