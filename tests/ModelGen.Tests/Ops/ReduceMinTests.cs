using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReduceMinTests : ReduceTestBase
{
    protected override string Op => "ReduceMin";
    protected override int AxesInputSince => 18;
}
