using System;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class TransposeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Random_permutations_match_onnx_runtime(int seed)
    {
        var random = new Random(seed);
        int rank = random.Next(1, 6);
        var shape = RandomShape(random, rank, rank > 3 ? 7 : 17);
        var perm = Permutation(random, rank);
        var builder = new ModelBuilder(opset: 13).Input("x", shape)
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Transpose", new[] { "r" }, new[] { "y" }, ("perm", perm)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(new long[] { 37, 53 }, new[] { 1, 0 })]            // 2-D tiled, ragged tiles
    [InlineData(new long[] { 3, 33, 17 }, new[] { 0, 2, 1 })]      // batched 2-D
    [InlineData(new long[] { 2, 3, 4, 5 }, new[] { 0, 2, 3, 1 })]  // NCHW -> NHWC
    [InlineData(new long[] { 2, 5, 4, 3 }, new[] { 0, 3, 1, 2 })]  // NHWC -> NCHW
    [InlineData(new long[] { 4, 3, 5, 6 }, new[] { 1, 0, 2, 3 })]  // innermost kept: block copies
    [InlineData(new long[] { 2, 1, 9, 1, 7 }, new[] { 3, 4, 1, 2, 0 })] // unit axes dropped
    [InlineData(new long[] { 3, 4, 5, 6, 7 }, new[] { 4, 2, 0, 3, 1 })]
    public void Selected_permutations_match_onnx_runtime(long[] shape, int[] perm)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", shape)
            .Node("Transpose", new[] { "x" }, new[] { "y" }, ("perm", perm)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Default_perm_reverses_axes()
    {
        var builder = new ModelBuilder(opset: 9).Input("x", 2, 3, 4)
            .Node("Transpose", new[] { "x" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(DT.Int64)]
    [InlineData(DT.Uint8)]
    [InlineData(DT.Bool)]
    [InlineData(DT.Float16)]
    public void Non_float_types_match_onnx_runtime(DT type)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", type, 3, 19, 5)
            .Node("Transpose", new[] { "x" }, new[] { "y" }, ("perm", new[] { 2, 0, 1 })).Output("y", type);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), intMax: 250);
    }

    [Fact]
    public void Constant_input_folds()
    {
        var random = new Random(3);
        var w = TestData.Floats(random, 24);
        var builder = new ModelBuilder(opset: 13).Input("x", 4, 6)
            .Initializer("w", w, 6, 4)
            .Node("Transpose", new[] { "w" }, new[] { "wt" }, ("perm", new[] { 1, 0 }))
            .Node("Add", new[] { "x", "wt" }, new[] { "y" }).Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType == "Transpose");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Invalid_perm_is_reported()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 2, 3)
            .Node("Transpose", new[] { "x" }, new[] { "y" }, ("perm", new[] { 0, 0 })).Output("y");
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
