using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class MinTests : VariadicMinMaxTestBase
{
    protected override string Op => "Min";
}
