using System;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SplitTests
{
    private static ModelBuilder Outputs(ModelBuilder builder, int n, DT type = DT.Float)
    {
        for (int i = 0; i < n; i++) builder.Output("y" + i, type);
        return builder;
    }

    private static string[] Names(int n) => Enumerable.Range(0, n).Select(i => "y" + i).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_split_input_matches_onnx_runtime(int seed)
    {
        var random = new Random(seed);
        int rank = random.Next(1, 5);
        var shape = RandomShape(random, rank, 9);
        int axis = random.Next(rank);
        shape[axis] = random.Next(3, 12);
        int n = random.Next(1, 4);
        var parts = new long[n];
        long left = shape[axis];
        for (int i = 0; i < n - 1; i++) { parts[i] = random.Next(0, (int)left + 1); left -= parts[i]; }
        parts[n - 1] = left;
        var builder = new ModelBuilder(opset: 13).Input("x", shape).Initializer(Longs("split", parts))
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Split", new[] { "r", "split" }, Names(n), ("axis", random.Next(2) == 0 ? axis : axis - rank));
        OnnxAssert.MatchesOnnxRuntime(Outputs(builder, n));
    }

    [Fact]
    public void Opset_11_split_attribute_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 11).Input("x", 3, 10, 2)
            .Node("Split", new[] { "x" }, Names(3), ("axis", 1), ("split", new long[] { 2, 5, 3 }));
        OnnxAssert.MatchesOnnxRuntime(Outputs(builder, 3));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    public void Equal_parts_by_default_match_onnx_runtime(int opset)
    {
        var builder = new ModelBuilder(opset: opset).Input("x", 6, 4)
            .Node("Split", new[] { "x" }, Names(3));
        OnnxAssert.MatchesOnnxRuntime(Outputs(builder, 3));
    }

    [Theory]
    [InlineData(7, 3)]
    [InlineData(10, 4)]
    [InlineData(6, 3)]
    public void Opset_18_num_outputs_matches_onnx_runtime(int dim, int n)
    {
        var builder = new ModelBuilder(opset: 18).Input("x", 2, dim)
            .Node("Split", new[] { "x" }, Names(n), ("axis", 1), ("num_outputs", n));
        OnnxAssert.MatchesOnnxRuntime(Outputs(builder, n));
    }

    [Theory]
    [InlineData(DT.Int64)]
    [InlineData(DT.Uint8)]
    public void Non_float_types_match_onnx_runtime(DT type)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", type, 5, 8).Initializer(Longs("split", 3, 5))
            .Node("Split", new[] { "x", "split" }, Names(2), ("axis", -1));
        OnnxAssert.MatchesOnnxRuntime(Outputs(builder, 2, type).Build(), intMax: 200);
    }

    [Fact]
    public void Parts_that_do_not_add_up_are_reported()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 5).Initializer(Longs("split", 2, 2))
            .Node("Split", new[] { "x", "split" }, Names(2));
        Assert.Contains(OnnxAssert.Compile(Outputs(builder, 2).ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
