using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReduceLogSumExpTests : ReduceTestBase
{
    protected override string Op => "ReduceLogSumExp";
    protected override int AxesInputSince => 18;
    protected override bool FoldsInt64 => false;
}
