using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SoftsignTests : UnaryOpTestBase
{
    protected override string Op => "Softsign";
    protected override int[] Opsets => new[] { 7, 22 };
    protected override (float Lo, float Hi) Range => (-10f, 10f);
}
