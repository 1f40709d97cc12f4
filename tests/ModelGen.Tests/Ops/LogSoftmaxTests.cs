using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class LogSoftmaxTests : SoftmaxTestBase
{
    protected override string Op => "LogSoftmax";
}
