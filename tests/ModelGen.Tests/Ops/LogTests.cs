using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class LogTests : UnaryOpTestBase
{
    protected override string Op => "Log";
    protected override int[] Opsets => new[] { 7, 13 };
    protected override (float Lo, float Hi) Range => (0.001f, 50f);
}
