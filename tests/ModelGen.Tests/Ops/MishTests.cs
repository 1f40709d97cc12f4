using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class MishTests : UnaryOpTestBase
{
    protected override string Op => "Mish";
    protected override int[] Opsets => new[] { 18, 22 };
    protected override (float Lo, float Hi) Range => (-30f, 30f);
}
