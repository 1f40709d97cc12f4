using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SoftmaxTests : SoftmaxTestBase
{
    protected override string Op => "Softmax";
}
