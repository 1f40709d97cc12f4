using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class DivTests : BinaryOpTestBase
{
    protected override string Op => "Div";
    protected override bool NonZeroDivisor => true;

    [Fact]
    public void Division_by_zero_gives_infinities_and_nan_like_onnx_runtime()
    {
        var model = ElementwiseModels.Single("Div", 14, new[] { new long[] { 20 }, new long[] { 20 } });
        var a = new float[20]; var b = new float[20];
        float[] numerators = { 1f, -1f, 0f, 1f, float.PositiveInfinity, float.NaN, -0f, 3f };
        float[] divisors = { 0f, 0f, 0f, -0f, 0f, 0f, 0f, float.NegativeInfinity };
        for (int i = 0; i < 20; i++) { a[i] = numerators[i % 8]; b[i] = divisors[i % 8]; }
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(("x0", a), ("x1", b)));
    }

    [Fact]
    public void Integer_division_truncates_toward_zero()
    {
        var model = ElementwiseModels.Single("Div", 14, new[] { new long[] { 8 }, new long[] { 8 } }, TensorProto.Types.DataType.Int32);
        var a = new[] { 7, -7, 7, -7, 1, -1, int.MaxValue, int.MinValue };
        var b = new[] { 2, 2, -2, -2, 3, 3, 2, 2 };
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(("x0", a), ("x1", b)));
    }
}
