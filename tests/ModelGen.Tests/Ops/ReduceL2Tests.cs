using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReduceL2Tests : ReduceTestBase
{
    protected override string Op => "ReduceL2";
    protected override int AxesInputSince => 18;
    protected override bool FoldsInt64 => false;
}
