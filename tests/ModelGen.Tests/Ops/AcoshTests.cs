using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class AcoshTests : UnaryOpTestBase
{
    protected override string Op => "Acosh";
    protected override int[] Opsets => new[] { 9 };
    protected override (float Lo, float Hi) Range => (1f, 10f);
}
