using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SumTests : BinaryOpTestBase
{
    protected override string Op => "Sum";
    protected override bool IntegerTypes => false;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Variadic_inputs_with_broadcasting_match_onnx_runtime(int inputs) =>
        OnnxAssert.MatchesOnnxRuntime(ElementwiseModels.RandomBroadcast("Sum", 10 + inputs, cases: 4, opset: 13, inputs: inputs));

    [Fact]
    public void Opset_7_sums_inputs_of_one_shape()
    {
        OnnxAssert.MatchesOnnxRuntime(ElementwiseModels.Single("Sum", 7, new[] { new long[] { 3, 17 }, new long[] { 3, 17 }, new long[] { 3, 17 } }));
        var invalid = ElementwiseModels.Single("Sum", 7, new[] { new long[] { 3, 17 }, new long[] { 17 } });
        Assert.Contains(OnnxAssert.Compile(invalid.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
