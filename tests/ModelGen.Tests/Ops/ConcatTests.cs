using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ConcatTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Random_shapes_and_axes_match_onnx_runtime(int seed)
    {
        var random = new Random(seed);
        int rank = random.Next(1, 5);
        var shape = RandomShape(random, rank, 9);
        int axis = random.Next(rank);
        long onnxAxis = random.Next(2) == 0 ? axis : axis - rank;
        int count = random.Next(1, 5);
        var builder = new ModelBuilder(opset: 13);
        var names = new List<string>();
        for (int k = 0; k < count; k++)
        {
            var s = (long[])shape.Clone();
            s[axis] = random.Next(1, 6);
            builder.Input("x" + k, s);
            names.Add("x" + k);
        }
        builder.Node("Concat", names.ToArray(), new[] { "y" }, ("axis", onnxAxis)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(DT.Int64)]
    [InlineData(DT.Uint8)]
    [InlineData(DT.Bool)]
    [InlineData(DT.Int32)]
    public void Non_float_types_match_onnx_runtime(DT type)
    {
        var builder = new ModelBuilder(opset: 13)
            .Input("a", type, 2, 3, 5).Input("b", type, 2, 7, 5)
            .Initializer(Tensor("c", type, new long[] { 2, 1, 5 }, Enumerable.Range(0, 10).Select(i => (double)(i % 2)).ToArray()))
            .Node("Concat", new[] { "a", "b", "c" }, new[] { "y" }, ("axis", 1)).Output("y", type);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), intMax: 200);
    }

    [Fact]
    public void Computed_inputs_and_an_empty_input_match_onnx_runtime()
    {
        // Inputs in the arena (after Relu) and one with a zero-sized axis, which contributes nothing.
        var builder = new ModelBuilder(opset: 11)
            .Input("a", 3, 4).Input("b", 3, 0).Input("c", 3, 17)
            .Node("Relu", new[] { "a" }, new[] { "ra" })
            .Node("Relu", new[] { "c" }, new[] { "rc" })
            .Node("Concat", new[] { "ra", "b", "rc", "ra" }, new[] { "y" }, ("axis", -1)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Constant_inputs_fold_at_build_time()
    {
        var builder = new ModelBuilder(opset: 13)
            .Input("x", 2, 3)
            .Initializer(Longs("a", 1, 2)).Initializer(Longs("b", 3))
            .Node("Concat", new[] { "a", "b" }, new[] { "shape" }, ("axis", 0))
            .Node("Reshape", new[] { "x", "shape" }, new[] { "y" }).Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType == "Concat");
        Assert.Equal(new[] { 1, 2, 3 }, result.Graph.Values["y"].Shape);
    }

    [Fact]
    public void Mismatched_shapes_are_reported()
    {
        var builder = new ModelBuilder(opset: 13).Input("a", 2, 3).Input("b", 3, 3)
            .Node("Concat", new[] { "a", "b" }, new[] { "y" }, ("axis", 1)).Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.Contains(result.Diagnostics, d => d.Id == "MG0102");
    }
}
