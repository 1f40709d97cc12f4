using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReduceSumSquareTests : ReduceTestBase
{
    protected override string Op => "ReduceSumSquare";
    protected override int AxesInputSince => 18;
}
