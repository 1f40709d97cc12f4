using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReduceProdTests : ReduceTestBase
{
    protected override string Op => "ReduceProd";
    protected override int AxesInputSince => 18;
}
