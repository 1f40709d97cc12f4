using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReduceL1Tests : ReduceTestBase
{
    protected override string Op => "ReduceL1";
    protected override int AxesInputSince => 18;
}
