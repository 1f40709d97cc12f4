using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ReduceMaxTests : ReduceTestBase
{
    protected override string Op => "ReduceMax";
    protected override int AxesInputSince => 18;
}
