using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>
/// GatherElements, GatherND, ScatterElements, ScatterND, TopK, Trilu, OneHot, Tile, DepthToSpace, SpaceToDepth,
/// ReverseSequence, Compress, CenterCropPad and EyeLike against ONNX Runtime, with run-time indices where the op takes them.
/// </summary>
[Trait("Category", "Ops")]
public class IndexingTests
{
    private static long[] Indices(Random random, int count, int dim, bool negative = true) =>
        Enumerable.Range(0, count).Select(_ => (long)random.Next(negative ? -dim : 0, dim)).ToArray();

    private static void Check(ModelBuilder builder, Dictionary<string, Array> inputs) =>
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs);

    [Theory]
    [InlineData(0, DT.Int64)]
    [InlineData(1, DT.Int32)]
    [InlineData(-1, DT.Int64)]
    public void GatherElements_matches_onnx_runtime(int axis, DT indexType)
    {
        var random = new Random(axis + 5);
        long[] data = { 4, 5, 33 }, idx = { 3, 4, 17 };
        idx[axis < 0 ? axis + 3 : axis] = 9;
        int dim = (int)data[axis < 0 ? axis + 3 : axis];
        var values = Indices(random, (int)Size(idx), dim);
        Array indices = indexType == DT.Int64 ? values : values.Select(v => (int)v).ToArray();
        var builder = new ModelBuilder(opset: 13).Input("x", data).Input("i", indexType, idx)
            .Node("GatherElements", new[] { "x", "i" }, new[] { "y" }, ("axis", axis)).Output("y");
        Check(builder, new() { ["i"] = indices });
    }

    [Theory]
    [InlineData("none")]
    [InlineData("add")]
    [InlineData("mul")]
    [InlineData("max")]
    [InlineData("min")]
    public void ScatterElements_reductions_match_onnx_runtime(string reduction)
    {
        var random = new Random(reduction.Length);
        // Distinct indices per column without a reduction (the order of duplicates is unspecified there).
        var values = reduction == "none"
            ? Enumerable.Range(0, 7).SelectMany(_ => Enumerable.Range(0, 6).OrderBy(_ => random.Next()).Take(4).Select(v => (long)v)).ToArray()
            : Indices(random, 28, 6);
        var indices = new long[28];
        for (int r = 0; r < 4; r++) for (int c = 0; c < 7; c++) indices[r * 7 + c] = values[c * 4 + r];
        var builder = new ModelBuilder(opset: 18).Input("x", 6, 7).Input("i", DT.Int64, 4, 7).Input("u", 4, 7)
            .Node("ScatterElements", new[] { "x", "i", "u" }, new[] { "y" }, ("axis", 0), ("reduction", reduction)).Output("y");
        Check(builder, new() { ["i"] = indices });
    }

    [Theory]
    [InlineData("none")]
    [InlineData("add")]
    [InlineData("mul")]
    [InlineData("max")]
    [InlineData("min")]
    public void ScatterND_reductions_match_onnx_runtime(string reduction)
    {
        var random = new Random(reduction.Length + 10);
        // Three tuples of 2 indices into [5, 4, 9]: slices of 9.
        var tuples = reduction == "none"
            ? new long[] { 0, 1, 4, -1, 2, 3 }
            : Enumerable.Range(0, 3).SelectMany(_ => new long[] { random.Next(-5, 5), random.Next(0, 2) }).ToArray();
        var builder = new ModelBuilder(opset: 18).Input("x", 5, 4, 9).Input("i", DT.Int64, 3, 2).Input("u", 3, 9)
            .Node("ScatterND", new[] { "x", "i", "u" }, new[] { "y" }, ("reduction", reduction)).Output("y");
        Check(builder, new() { ["i"] = tuples });
    }

    [Theory]
    [InlineData("add")]
    [InlineData("max")]
    public void Scatter_reductions_of_constants_fold_and_match_onnx_runtime(string reduction)
    {
        var builder = new ModelBuilder(opset: 18).Input("z", 4, 3)
            .Initializer("d", new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, 4, 3)
            .Initializer(Tensor("i", DT.Int64, new long[] { 2, 3 }, new double[] { 0, 3, 0, -4, 1, 0 }))
            .Initializer("u", new float[] { 5, -1, 2, 7, 0.5f, -3 }, 2, 3)
            .Initializer(Tensor("t", DT.Int64, new long[] { 2, 1 }, new double[] { 1, 1 }))
            .Node("ScatterElements", new[] { "d", "i", "u" }, new[] { "e" }, ("axis", 0), ("reduction", reduction))
            .Node("ScatterND", new[] { "e", "t", "u" }, new[] { "n" }, ("reduction", reduction))
            .Node("Add", new[] { "n", "z" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
        var source = OnnxAssert.Compile(builder.ToBytes()).Source;
        Assert.DoesNotContain("Kernels.Scatter", source);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void GatherND_matches_onnx_runtime(int batchDims)
    {
        var random = new Random(batchDims + 20);
        // data [3, 4, 5, 6]; indices [3, 2, 2] pick (4, 5) pairs (batch_dims 1) or (3, 4) pairs.
        int d0 = batchDims == 1 ? 4 : 3, d1 = batchDims == 1 ? 5 : 4;
        var tuples = Enumerable.Range(0, 6).SelectMany(_ => new long[] { random.Next(-d0, d0), random.Next(0, d1) }).ToArray();
        var builder = new ModelBuilder(opset: 13).Input("x", 3, 4, 5, 6).Input("i", DT.Int64, 3, 2, 2)
            .Node("GatherND", new[] { "x", "i" }, new[] { "y" }, ("batch_dims", batchDims)).Output("y");
        Check(builder, new() { ["i"] = tuples });
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(7, 3, true)]
    [InlineData(33, 5, false)]
    [InlineData(257, 17, true)]
    [InlineData(257, 257, false)]
    public void TopK_matches_onnx_runtime(int length, int k, bool largest)
    {
        var builder = new ModelBuilder(opset: 11).Input("x", 3, length, 2).Initializer(Longs("k", k))
            .Node("TopK", new[] { "x", "k" }, new[] { "v", "i" }, ("axis", 1), ("largest", largest ? 1 : 0))
            .Output("v").Output("i", DT.Int64);
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(13)]
    public void TopK_with_k_given_at_run_time_returns_k_rows_and_their_count(long k)
    {
        // K a graph input: the outputs have the whole axis (13) as capacity and Predict reports k through vCount/iCount.
        var builder = new ModelBuilder(opset: 11).Input("x", 3, 13, 2).Input("k", DT.Int64, 1)
            .Node("TopK", new[] { "x", "k" }, new[] { "v", "i" }, ("axis", 1))
            .Output("v").Output("i", DT.Int64);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: new Dictionary<string, Array> { ["k"] = new[] { k } });
        var plan = OnnxAssert.Compile(builder.ToBytes()).Plan!;
        Assert.All(plan.Outputs, p => Assert.True(p.Count >= 0, $"output '{p.OnnxName}' has no run-time count"));
    }

    [Fact]
    public void TopK_orders_equal_integers_by_index()
    {
        var x = new long[] { 3, 1, 3, 2, 1, 3, 2, 2 };
        var builder = new ModelBuilder(opset: 11).Input("x", DT.Int64, 2, 4).Initializer(Longs("k", 3))
            .Node("TopK", new[] { "x", "k" }, new[] { "v", "i" }).Output("v", DT.Int64).Output("i", DT.Int64);
        Check(builder, new() { ["x"] = x });
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, -2)]
    [InlineData(false, 3)]
    [InlineData(false, -9)]
    public void Trilu_with_run_time_k_matches_onnx_runtime(bool upper, long k)
    {
        var builder = new ModelBuilder(opset: 14).Input("x", 2, 5, 37).Input("k", DT.Int64)
            .Node("Trilu", new[] { "x", "k" }, new[] { "y" }, ("upper", upper ? 1 : 0)).Output("y");
        Check(builder, new() { ["k"] = new[] { k } });
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    public void OneHot_matches_onnx_runtime(int axis)
    {
        var random = new Random(axis + 30);
        var builder = new ModelBuilder(opset: 11).Input("i", DT.Int64, 3, 4).Initializer(Longs("depth", 6)).Initializer(Floats("values", -2f, 5f))
            .Node("OneHot", new[] { "i", "depth", "values" }, new[] { "y" }, ("axis", axis)).Output("y");
        Check(builder, new() { ["i"] = Indices(random, 12, 8) });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Tile_matches_onnx_runtime(int seed)
    {
        var random = new Random(seed);
        var shape = RandomShape(random, 3, 9);
        var repeats = Enumerable.Range(0, 3).Select(_ => (long)random.Next(1, 4)).ToArray();
        var builder = new ModelBuilder(opset: 13).Input("x", shape).Initializer(Longs("r", repeats))
            .Node("Tile", new[] { "x", "r" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData("DCR", 2)]
    [InlineData("CRD", 2)]
    [InlineData("DCR", 3)]
    public void DepthToSpace_matches_onnx_runtime(string mode, int blocksize)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 2, 2 * blocksize * blocksize, 3, 5)
            .Node("DepthToSpace", new[] { "x" }, new[] { "y" }, ("blocksize", blocksize), ("mode", mode)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void SpaceToDepth_matches_onnx_runtime(int blocksize)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 2, 3, 2 * blocksize, 4 * blocksize)
            .Node("SpaceToDepth", new[] { "x" }, new[] { "y" }, ("blocksize", blocksize)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void ReverseSequence_matches_onnx_runtime(int batchAxis, int timeAxis)
    {
        var lens = new long[] { 1, 6, 3, 0 };
        long[] shape = batchAxis == 0 ? new long[] { 4, 6, 5 } : new long[] { 6, 4, 5 };
        var builder = new ModelBuilder(opset: 10).Input("x", shape).Input("l", DT.Int64, 4)
            .Node("ReverseSequence", new[] { "x", "l" }, new[] { "y" }, ("batch_axis", batchAxis), ("time_axis", timeAxis)).Output("y");
        Check(builder, new() { ["l"] = lens });
    }

    [Fact]
    public void Compress_with_a_constant_condition_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 11).Input("x", 5, 6, 7)
            .Initializer(Tensor("c", DT.Bool, new long[] { 5 }, new double[] { 1, 0, 1, 1, 0 }))
            .Node("Compress", new[] { "x", "c" }, new[] { "y" }, ("axis", 1)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void CenterCropPad_crops_and_pads_like_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 18).Input("x", 3, 9, 8).Initializer(Longs("s", 6, 11))
            .Node("CenterCropPad", new[] { "x", "s" }, new[] { "y" }, ("axes", new long[] { 1, 2 })).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void EyeLike_and_constant_Tile_fold_and_match_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 4, 6)
            .Initializer("c", new float[] { 1, 2, 3 }, 1, 3).Initializer(Longs("r", 4, 2))
            .Node("Tile", new[] { "c", "r" }, new[] { "t" })
            .Node("EyeLike", new[] { "x" }, new[] { "e" }, ("k", 1))
            .Node("Add", new[] { "e", "t" }, new[] { "s" })
            .Node("Add", new[] { "s", "x" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
        var source = OnnxAssert.Compile(builder.ToBytes()).Source;
        Assert.DoesNotContain("CopyStrided", source);
        Assert.DoesNotContain("FillStrided", source);
    }

    [Fact]
    public void Out_of_range_constant_indices_are_diagnostics()
    {
        var gather = new ModelBuilder(opset: 13).Input("x", 3, 4)
            .Initializer(Tensor("i", DT.Int64, new long[] { 1, 2 }, new double[] { 0, 4 }))
            .Node("GatherElements", new[] { "x", "i" }, new[] { "y" }, ("axis", 1)).Output("y");
        var result = OnnxAssert.Compile(gather.ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("index 4 is outside [-4, 4)"));
    }
}
