using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>
/// LayerNormalization, RMSNormalization, GroupNormalization, InstanceNormalization, LpNormalization, LRN and
/// MeanVarianceNormalization against ONNX Runtime, at row lengths that exercise the vector bodies and scalar tails.
/// </summary>
[Trait("Category", "Ops")]
public class NormalizationTests
{
    private static float[] Random(int seed, long n, float scale = 1f, float offset = 0f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, (int)n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale + offset).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(257)]
    public void LayerNormalization_rows_with_statistics_match_onnx_runtime(int cols)
    {
        var builder = new ModelBuilder(opset: 17).Input("x", 5, cols)
            .Initializer("w", Random(1, cols, 2f), cols).Initializer("b", Random(2, cols), cols)
            .Node("LayerNormalization", new[] { "x", "w", "b" }, new[] { "y", "mean", "inv" }, ("epsilon", 1e-3f))
            .Output("y").Output("mean").Output("inv");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-2)]
    [InlineData(-1)]
    public void LayerNormalization_over_trailing_axes_without_bias_matches_onnx_runtime(int axis)
    {
        long[] shape = { 2, 3, 4, 9 };
        var normalized = shape.Skip(axis < 0 ? axis + 4 : axis).ToArray();
        var builder = new ModelBuilder(opset: 17).Input("x", shape)
            .Initializer("w", Random(3, Size(normalized)), normalized)
            .Node("LayerNormalization", new[] { "x", "w" }, new[] { "y" }, ("axis", axis)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void LayerNormalization_with_run_time_scale_and_an_offset_input_matches_onnx_runtime()
    {
        // Rows far from zero: the one-pass variance must still match.
        var x = Random(4, 4 * 260, 1f, 10f);
        var builder = new ModelBuilder(opset: 17).Input("x", 4, 260).Input("w", 260).Input("b", 260)
            .Node("LayerNormalization", new[] { "x", "w", "b" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: new Dictionary<string, Array> { ["x"] = x });
    }

    [Fact]
    public void LayerNormalization_of_constants_folds_and_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 17).Input("z", 3, 7)
            .Initializer("c", Random(5, 21), 3, 7).Initializer("w", Random(6, 7), 7).Initializer("b", Random(7, 7), 7)
            .Node("LayerNormalization", new[] { "c", "w", "b" }, new[] { "n" })
            .Node("Add", new[] { "n", "z" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.DoesNotContain("Kernels.LayerNormalization", result.Source);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(257)]
    public void RMSNormalization_matches_onnx_runtime(int cols)
    {
        var builder = new ModelBuilder(opset: 23).Input("x", 2, 3, cols)
            .Initializer("w", Random(8, cols, 2f), cols)
            .Node("RMSNormalization", new[] { "x", "w" }, new[] { "y" }, ("epsilon", 1e-4f)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(7, 2)]
    [InlineData(33, 6)]
    [InlineData(257, 1)]
    public void GroupNormalization_21_matches_onnx_runtime(int spatial, int groups)
    {
        var builder = new ModelBuilder(opset: 21).Input("x", 2, 6, spatial)
            .Initializer("s", Random(9, 6, 2f), 6).Initializer("b", Random(10, 6), 6)
            .Node("GroupNormalization", new[] { "x", "s", "b" }, new[] { "y" }, ("num_groups", groups)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(7, 3)]
    [InlineData(33, 2)]
    public void GroupNormalization_18_with_per_group_parameters_matches_onnx_runtime(int spatial, int groups)
    {
        var builder = new ModelBuilder(opset: 18).Input("x", 2, 6, spatial)
            .Initializer("s", Random(13, groups, 2f), groups).Initializer("b", Random(14, groups), groups)
            .Node("GroupNormalization", new[] { "x", "s", "b" }, new[] { "y" }, ("num_groups", groups)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(257)]
    public void InstanceNormalization_matches_onnx_runtime(int spatial)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 2, 3, spatial)
            .Initializer("s", Random(11, 3, 2f), 3).Initializer("b", Random(12, 3), 3)
            .Node("InstanceNormalization", new[] { "x", "s", "b" }, new[] { "y" }, ("epsilon", 1e-4f)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(1, -1, 7)]
    [InlineData(2, -1, 33)]
    [InlineData(2, -1, 257)]
    [InlineData(1, 1, 9)]
    [InlineData(2, 0, 5)]
    public void LpNormalization_matches_onnx_runtime(int p, int axis, int length)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 3, 4, length)
            .Node("LpNormalization", new[] { "x" }, new[] { "y" }, ("p", p), ("axis", axis)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(1, 7)]
    [InlineData(5, 33)]
    public void LRN_matches_onnx_runtime(int size, int spatial)
    {
        // ONNX Runtime takes 4-D inputs and odd sizes only.
        var builder = new ModelBuilder(opset: 13).Input("x", 2, 6, 3, spatial)
            .Node("LRN", new[] { "x" }, new[] { "y" }, ("size", size), ("alpha", 0.01f), ("beta", 0.6f), ("bias", 1.5f)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void MeanVarianceNormalization_over_spatial_axes_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 2, 3, 4, 9)
            .Node("MeanVarianceNormalization", new[] { "x" }, new[] { "y" }, ("axes", new long[] { 2, 3 })).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Invalid_attributes_are_diagnostics()
    {
        var groups = new ModelBuilder(opset: 21).Input("x", 1, 6, 4)
            .Initializer("s", Random(1, 6), 6).Initializer("b", Random(2, 6), 6)
            .Node("GroupNormalization", new[] { "x", "s", "b" }, new[] { "y" }, ("num_groups", 4)).Output("y");
        var result = OnnxAssert.Compile(groups.ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("num_groups 4"));

        var lp = new ModelBuilder(opset: 13).Input("x", 2, 3).Node("LpNormalization", new[] { "x" }, new[] { "y" }, ("p", 3)).Output("y");
        Assert.Contains(OnnxAssert.Compile(lp.ToBytes()).Diagnostics, d => d.Message.Contains("p 3 must be 1 or 2"));

        var stash = new ModelBuilder(opset: 17).Input("x", 2, 3).Initializer("w", Random(1, 3), 3)
            .Node("LayerNormalization", new[] { "x", "w" }, new[] { "y" }, ("stash_type", 11)).Output("y");
        Assert.Contains(OnnxAssert.Compile(stash.ToBytes()).Diagnostics, d => d.Message.Contains("stash_type 11"));
    }
}
