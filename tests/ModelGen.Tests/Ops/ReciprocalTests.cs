using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReciprocalTests : UnaryOpTestBase
{
    protected override string Op => "Reciprocal";
    protected override int[] Opsets => new[] { 7, 13 };
    protected override (float Lo, float Hi) Range => (0.1f, 6f);
}
