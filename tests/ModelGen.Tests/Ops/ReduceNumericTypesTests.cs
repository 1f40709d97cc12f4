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

    /// <summary>
    /// ONNX: an empty ReduceMax is the lowest value of the type and an empty ReduceMin the highest. Both the run-time fill
    /// (an input with a zero dimension) and the build-time fold (a constant) are checked, for int32 and narrower.
    /// </summary>
    [Theory]
    [InlineData("ReduceMax", TensorProto.Types.DataType.Int32)]
    [InlineData("ReduceMin", TensorProto.Types.DataType.Int32)]
    [InlineData("ReduceMax", TensorProto.Types.DataType.Int8)]
    [InlineData("ReduceMin", TensorProto.Types.DataType.Int8)]
    [InlineData("ReduceMax", TensorProto.Types.DataType.Uint8)]
    [InlineData("ReduceMin", TensorProto.Types.DataType.Uint8)]
    [InlineData("ReduceMax", TensorProto.Types.DataType.Int64)]
    [InlineData("ReduceMin", TensorProto.Types.DataType.Int64)]
    public void Empty_integer_reduction_is_the_type_limit(string op, TensorProto.Types.DataType type)
    {
        var shape = new long[] { 2, 0, 3 };
        var run = new ModelBuilder(18).Input("x", type, shape).Initializer("axes", new long[] { 1 }, 1)
            .Node(op, new[] { "x", "axes" }, new[] { "y" }, ("keepdims", 0L)).Output("y", type);
        Array empty = type switch
        {
            TensorProto.Types.DataType.Int32 => new int[0],
            TensorProto.Types.DataType.Int8 => new sbyte[0],
            TensorProto.Types.DataType.Uint8 => new byte[0],
            _ => new long[0],
        };
        OnnxAssert.MatchesOnnxRuntime(run.Build(), inputs: ElementwiseModels.Inputs(("x", empty)));

        // The same on a constant, folded at build time.
        var folded = new ModelBuilder(18).Initializer("axes", new long[] { 1 }, 1);
        folded = type switch
        {
            TensorProto.Types.DataType.Int32 => folded.Initializer("c", new int[0], shape),
            TensorProto.Types.DataType.Int8 => folded.Initializer("c", new sbyte[0], shape),
            TensorProto.Types.DataType.Uint8 => folded.Initializer("c", new byte[0], shape),
            _ => folded.Initializer("c", new long[0], shape),
        };
        folded = folded.Node(op, new[] { "c", "axes" }, new[] { "y" }, ("keepdims", 0L)).Output("y", type);
        OnnxAssert.MatchesOnnxRuntime(folded.Build());
    }
}
