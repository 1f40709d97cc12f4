using System;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>The reductions at run time on element types other than float (the scalar generic kernel), against ONNX Runtime.</summary>
[Trait("Category", "Ops")]
public class ReduceNumericTypesTests
{
    [Theory]
    [InlineData("ReduceSum", 13)]
    [InlineData("ReduceMean", 18)]
    [InlineData("ReduceMax", 18)]
    [InlineData("ReduceMin", 18)]
    [InlineData("ReduceProd", 18)]
    [InlineData("ReduceLogSumExp", 18)]
    [InlineData("ReduceL1", 18)]
    [InlineData("ReduceSumSquare", 18)]
    public void Double_and_int32_match_onnx_runtime(string op, int opset)
    {
        var shape = new long[] { 2, 3, 4, 5 };
        var random = new Random(op.Length);
        var doubles = Enumerable.Range(0, 120).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        var ints = Enumerable.Range(0, 120).Select(_ => random.Next(-3, 4)).ToArray();
        foreach (var axes in new[] { new long[] { 1 }, new long[] { 0, 2 }, new long[] { 3 } })
            foreach (long keep in new long[] { 0, 1 })
            {
                ModelBuilder Model(TensorProto.Types.DataType type) => new ModelBuilder(opset).Input("x", type, shape).Initializer("axes", axes, axes.Length)
                    .Node(op, new[] { "x", "axes" }, new[] { "y" }, ("keepdims", keep)).Output("y", type);
                OnnxAssert.MatchesOnnxRuntime(Model(TensorProto.Types.DataType.Double).Build(), inputs: ElementwiseModels.Inputs(("x", doubles)));
                if (op is not "ReduceLogSumExp")
                    OnnxAssert.MatchesOnnxRuntime(Model(TensorProto.Types.DataType.Int32).Build(), inputs: ElementwiseModels.Inputs(("x", ints)));
            }
    }
}
