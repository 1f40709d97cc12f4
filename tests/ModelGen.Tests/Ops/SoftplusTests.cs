using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SoftplusTests : UnaryOpTestBase
{
    protected override string Op => "Softplus";
    protected override int[] Opsets => new[] { 7, 22 };
    protected override (float Lo, float Hi) Range => (-30f, 30f);
}
