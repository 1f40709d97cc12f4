using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReduceLogSumTests : ReduceTestBase
{
    protected override string Op => "ReduceLogSum";
    protected override int AxesInputSince => 18;
    protected override bool FoldsInt64 => false;
}
