using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SinTests : UnaryOpTestBase
{
    protected override string Op => "Sin";
    protected override int[] Opsets => new[] { 7 };
    protected override (float Lo, float Hi) Range => (-10f, 10f);
}
