using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReduceSumTests : ReduceTestBase
{
    protected override string Op => "ReduceSum";
    protected override int AxesInputSince => 13;
}
