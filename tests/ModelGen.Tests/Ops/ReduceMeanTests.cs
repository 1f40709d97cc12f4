using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReduceMeanTests : ReduceTestBase
{
    protected override string Op => "ReduceMean";
    protected override int AxesInputSince => 18;
}
