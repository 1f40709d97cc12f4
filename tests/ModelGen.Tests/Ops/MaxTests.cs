using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class MaxTests : VariadicMinMaxTestBase
{
    protected override string Op => "Max";
}
