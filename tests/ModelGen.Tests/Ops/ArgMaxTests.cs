using System;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// ArgMax and ArgMin against ONNX Runtime: every axis of 1-D to 4-D shapes (contiguous rows and strided ones), keepdims,
/// select_last_index with many ties (small integers as floats), other element types, and folding.
/// </summary>
[Trait("Category", "Ops")]
public class ArgMaxTests
{
    private static ModelBuilder Model(string op, TensorProto.Types.DataType type, long[] shape, long axis, long keepDims, long selectLast, int opset = 13) =>
        new ModelBuilder(opset).Input("x", type, shape)
            .Node(op, new[] { "x" }, new[] { "y" }, ("axis", axis), ("keepdims", keepDims), ("select_last_index", selectLast))
            .Output("y", TensorProto.Types.DataType.Int64);

    public static TheoryData<string, long[]> Shapes => new()
    {
        { "ArgMax", new long[] { 1 } }, { "ArgMax", new long[] { 7 } }, { "ArgMax", new long[] { 257 } }, { "ArgMax", new long[] { 3, 33 } },
        { "ArgMax", new long[] { 2, 3, 4, 5 } }, { "ArgMin", new long[] { 33 } }, { "ArgMin", new long[] { 5, 17 } }, { "ArgMin", new long[] { 2, 3, 4, 5 } },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_axis_matches_onnx_runtime(string op, long[] shape)
    {
        int n = (int)shape.Aggregate(1L, (p, d) => p * d);
        var random = new Random(n);
        // Small integers make ties common, so first/last index selection matters.
        var ties = Enumerable.Range(0, n).Select(_ => (float)random.Next(-3, 4)).ToArray();
        var spread = ElementwiseModels.Floats(n, n, -5f, 5f);
        for (int axis = -shape.Length; axis < shape.Length; axis++)
            foreach (long keep in new long[] { 0, 1 })
                foreach (long last in new long[] { 0, 1 })
                    foreach (var data in new[] { ties, spread })
                        OnnxAssert.MatchesOnnxRuntime(Model(op, TensorProto.Types.DataType.Float, shape, axis, keep, last).Build(), inputs: ElementwiseModels.Inputs(("x", data)));
    }

    [Theory]
    [InlineData("ArgMax")]
    [InlineData("ArgMin")]
    public void Int32_and_double_inputs_match_onnx_runtime(string op)
    {
        var shape = new long[] { 4, 9 };
        var random = new Random(7);
        var ints = Enumerable.Range(0, 36).Select(_ => random.Next(-4, 5)).ToArray();
        var doubles = Enumerable.Range(0, 36).Select(_ => random.NextDouble() * 10 - 5).ToArray();
        foreach (long axis in new long[] { 0, 1 })
        {
            OnnxAssert.MatchesOnnxRuntime(Model(op, TensorProto.Types.DataType.Int32, shape, axis, 1, 0).Build(), inputs: ElementwiseModels.Inputs(("x", ints)));
            OnnxAssert.MatchesOnnxRuntime(Model(op, TensorProto.Types.DataType.Double, shape, axis, 0, 1).Build(), inputs: ElementwiseModels.Inputs(("x", doubles)));
        }
    }

    [Fact]
    public void A_constant_input_folds_at_build_time()
    {
        var model = new ModelBuilder(13).Initializer("c", new float[] { 1, 5, 5, -2, 7, 0 }, 2, 3)
            .Node("ArgMax", new[] { "c" }, new[] { "y" }, ("axis", 1L), ("select_last_index", 1L)).Output("y", TensorProto.Types.DataType.Int64);
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        Assert.Empty(compiled.Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void An_out_of_range_axis_or_bad_flag_is_invalid()
    {
        Assert.Contains(OnnxAssert.Compile(Model("ArgMax", TensorProto.Types.DataType.Float, new long[] { 3, 4 }, 2, 1, 0).ToBytes()).Diagnostics, d => d.Id == "MG0102");
        Assert.Contains(OnnxAssert.Compile(Model("ArgMin", TensorProto.Types.DataType.Float, new long[] { 3, 4 }, 0, 2, 0).ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
