using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class GatherTests
{
    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 12)]
    [InlineData(3, 1)]
    [InlineData(4, 20)]
    [InlineData(5, 6)]
    public void Constant_indices_match_onnx_runtime(int seed, int count)
    {
        var random = new Random(seed);
        int rank = random.Next(1, 5);
        var shape = RandomShape(random, rank, 9);
        int axis = random.Next(rank);
        long dim = shape[axis];
        var indices = Enumerable.Range(0, count).Select(_ => (long)random.Next(-(int)dim, (int)dim)).ToArray();
        var builder = new ModelBuilder(opset: 13).Input("x", shape).Initializer(Longs("i", indices))
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Gather", new[] { "r", "i" }, new[] { "y" }, ("axis", random.Next(2) == 0 ? axis : axis - rank)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(DT.Int64, 0)]
    [InlineData(DT.Int64, 1)]
    [InlineData(DT.Int32, 2)]
    [InlineData(DT.Int32, -1)]
    public void Run_time_indices_match_onnx_runtime(DT indexType, int axis)
    {
        var random = new Random(7);
        long[] shape = { 5, 6, 7 };
        int dim = (int)shape[axis < 0 ? axis + 3 : axis];
        var values = Enumerable.Range(0, 8).Select(_ => random.Next(-dim, dim)).ToArray();
        Array indices = indexType == DT.Int64 ? values.Select(v => (long)v).ToArray() : values;
        var builder = new ModelBuilder(opset: 13).Input("x", shape).Input("i", indexType, 2, 4)
            .Node("Gather", new[] { "x", "i" }, new[] { "y" }, ("axis", axis)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: new Dictionary<string, Array> { ["i"] = indices });
    }

    [Fact]
    public void Scalar_index_removes_the_axis()
    {
        var builder = new ModelBuilder(opset: 11).Input("x", 4, 3, 2)
            .Initializer(Tensor("i", DT.Int64, Array.Empty<long>(), new double[] { -2 }))
            .Node("Gather", new[] { "x", "i" }, new[] { "y" }, ("axis", 1)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(DT.Int64)]
    [InlineData(DT.Uint8)]
    public void Non_float_data_matches_onnx_runtime(DT type)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", type, 10, 3)
            .Initializer(Tensor("i", DT.Int64, new long[] { 3, 4 }, new double[] { 0, 9, -1, 3, 2, 2, 5, -10, 7, 1, 4, 8 }))
            .Node("Gather", new[] { "x", "i" }, new[] { "y" }).Output("y", type);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), intMax: 250);
    }

    [Fact]
    public void Constant_data_folds()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 2, 6)
            .Initializer(Longs("shape", 3, 4)).Initializer(Longs("i", 1))
            .Node("Gather", new[] { "shape", "i" }, new[] { "g" })
            .Node("Cast", new[] { "g" }, new[] { "f" }, ("to", (int)DT.Float))
            .Node("Add", new[] { "x", "f" }, new[] { "y" }).Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType is "Gather" or "Cast");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Out_of_range_constant_index_is_reported()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 4, 3).Initializer(Longs("i", 4))
            .Node("Gather", new[] { "x", "i" }, new[] { "y" }).Output("y");
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
