using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>Max and Min: variadic, NaN-propagating, integer types from opset 12.</summary>
public abstract class VariadicMinMaxTestBase : BinaryOpTestBase
{

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void Variadic_inputs_with_broadcasting_match_onnx_runtime(int inputs) =>
        OnnxAssert.MatchesOnnxRuntime(ElementwiseModels.RandomBroadcast(Op, 20 + inputs, cases: 4, opset: 13, inputs: inputs));

    [Fact]
    public void Nan_propagates_from_either_operand_like_onnx_runtime()
    {
        int n = 41;
        var a = ElementwiseModels.WithSpecials(1, n);
        var b = ElementwiseModels.WithSpecials(2, n);
        var model = ElementwiseModels.Single(Op, 13, new[] { new long[] { n }, new long[] { n } });
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(("x0", a), ("x1", b)));
        // And against a broadcast scalar NaN, on both sides.
        var scalar = ElementwiseModels.Single(Op, 13, new[] { new long[] { n }, new long[] { } });
        OnnxAssert.MatchesOnnxRuntime(scalar.Build(), inputs: ElementwiseModels.Inputs(("x0", a), ("x1", new[] { float.NaN })));
    }

    [Fact]
    public void Opset_12_integer_types_run()
    {
        var model = ElementwiseModels.Single(Op, 12, new[] { new long[] { 2, 9 }, new long[] { 9 }, new long[] { 2, 1 } }, TensorProto.Types.DataType.Int32);
        OnnxAssert.MatchesOnnxRuntime(model.Build(), intMax: 50);
    }
}
