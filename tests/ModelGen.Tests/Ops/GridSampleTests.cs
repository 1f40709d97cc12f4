using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// GridSample and AffineGrid: the ONNX backend node tests in both modes, and ONNX Runtime comparisons on random grids that
/// reach past [-1, 1] (so every padding mode is exercised). The AffineGrid <c>_expanded</c> variants need If: not these ops.
/// </summary>
[Trait("Category", "Ops")]
public class GridSampleTests
{
    private static IEnumerable<string> NonExpanded(string prefix) =>
        BackendTestCase.Names(prefix).Where(n => !n.EndsWith("_expanded", StringComparison.Ordinal));

    public static IEnumerable<object[]> Cases() =>
        NonExpanded("test_gridsample").Concat(NonExpanded("test_affine_grid_")).Select(n => new object[] { n });

    public static IEnumerable<object[]> GridSampleCases() => NonExpanded("test_gridsample").Select(n => new object[] { n });

    public static IEnumerable<object[]> AffineGridCases() => NonExpanded("test_affine_grid_").Select(n => new object[] { n });

    [Theory, MemberData(nameof(GridSampleCases))]
    public void Backend_test_passes(string name) => BackendTestCase.Load(name).AssertPasses();

    /// <summary>AffineGrid's size input fixes the output shape, so with every input left to run time it is refused (MG0203).</summary>
    [Theory, MemberData(nameof(AffineGridCases))]
    public void AffineGrid_backend_test_without_build_time_size_is_reported(string name) => BackendTestCase.Load(name).AssertRejected("MG0203");

    [Theory, MemberData(nameof(Cases))]
    public void Backend_test_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    [Fact]
    public void Every_backend_test_of_the_ops_is_run()
    {
        // The counts of ONNX 1.22's test data: a missing or renamed case fails here instead of silently running fewer.
        Assert.Equal(18, NonExpanded("test_gridsample").Count());
        Assert.Equal(4, NonExpanded("test_affine_grid_").Count());
    }

    private static float[] Random(int seed, long n, float scale)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, (int)n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    [Theory]
    [InlineData("bilinear", "zeros", 0, 1)]
    [InlineData("bilinear", "border", 1, 7)]
    [InlineData("bilinear", "reflection", 0, 33)]
    [InlineData("bilinear", "reflection", 1, 257)]
    [InlineData("nearest", "zeros", 1, 7)]
    [InlineData("nearest", "border", 0, 33)]
    [InlineData("nearest", "reflection", 0, 257)]
    [InlineData("bicubic", "zeros", 0, 33)]
    [InlineData("bicubic", "border", 1, 7)]
    [InlineData("bicubic", "reflection", 0, 33)]
    public void GridSample_2d_matches_onnx_runtime(string mode, string padding, int alignCorners, int width)
    {
        const int n = 2, c = 3, h = 5, w = 6, outH = 3;
        var builder = new ModelBuilder(opset: 16).Input("x", n, c, h, w).Input("grid", n, outH, width, 2)
            .Node("GridSample", new[] { "x", "grid" }, new[] { "y" }, ("mode", mode), ("padding_mode", padding), ("align_corners", (long)alignCorners))
            .Output("y");
        var inputs = new Dictionary<string, Array> { ["x"] = Random(1, n * c * h * w, 4f), ["grid"] = Random(2, n * outH * width * 2, 1.6f) };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs);
    }

    [Theory]
    [InlineData("linear", "zeros", 0)]
    [InlineData("nearest", "reflection", 1)]
    public void GridSample_3d_matches_onnx_runtime(string mode, string padding, int alignCorners)
    {
        var builder = new ModelBuilder(opset: 20).Input("x", 1, 2, 3, 4, 5).Input("grid", 1, 2, 3, 7, 3)
            .Node("GridSample", new[] { "x", "grid" }, new[] { "y" }, ("mode", mode), ("padding_mode", padding), ("align_corners", (long)alignCorners))
            .Output("y");
        var inputs = new Dictionary<string, Array> { ["x"] = Random(3, 120, 4f), ["grid"] = Random(4, 126, 1.4f) };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs);
    }

    [Fact]
    public void Constant_GridSample_folds_to_onnx_runtime_values()
    {
        var builder = new ModelBuilder(opset: 16).Input("z", 1, 2, 4, 7)
            .Initializer("x", Random(5, 2 * 20, 3f), 1, 2, 4, 5).Initializer("grid", Random(6, 4 * 7 * 2, 1.3f), 1, 4, 7, 2)
            .Node("GridSample", new[] { "x", "grid" }, new[] { "s" }, ("mode", "bicubic"), ("padding_mode", "reflection"))
            .Node("Add", new[] { "s", "z" }, new[] { "y" })
            .Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    /// <summary>
    /// A grid value of ±1e9 puts the bicubic location past int's range: its neighbour indices must not wrap to the far
    /// edge. With border padding every column tap is the near edge, so an infinity planted at the far edge (weight 0
    /// there before the fix, 0 · ∞ = NaN) must not reach the output; ONNX Runtime samples the near edge only.
    /// </summary>
    [Theory]
    [InlineData(1e9f)]
    [InlineData(-1e9f)]
    public void Bicubic_far_outside_grid_does_not_wrap_its_taps(float gx)
    {
        const int h = 4, w = 5;
        var builder = new ModelBuilder(opset: 16).Input("x", 1, 1, h, w).Input("grid", 1, 1, 2, 2)
            .Node("GridSample", new[] { "x", "grid" }, new[] { "y" }, ("mode", "bicubic"), ("padding_mode", "border"))
            .Output("y");
        var x = Random(9, h * w, 2f);
        x[gx > 0 ? 0 : w - 1] = float.PositiveInfinity; // row 0, the edge away from the sample
        var inputs = new Dictionary<string, Array> { ["x"] = x, ["grid"] = new[] { gx, -1f, gx, -0.3f } };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs);
    }

    /// <summary>The build-time fold of the same: an int conversion of the location there made the cubic weights huge.</summary>
    [Theory]
    [InlineData("bicubic", "border")]
    [InlineData("bicubic", "zeros")]
    [InlineData("bilinear", "zeros")]
    public void Constant_far_outside_grid_folds_to_onnx_runtime_values(string mode, string padding)
    {
        var builder = new ModelBuilder(opset: 16).Input("z", 1, 2, 1, 4)
            .Initializer("x", Random(10, 2 * 20, 3f), 1, 2, 4, 5).Initializer("grid", new[] { 1e9f, 0.2f, -1e9f, -0.7f, 0.3f, 1e9f, 1.3e9f, -2e9f }, 1, 1, 4, 2)
            .Node("GridSample", new[] { "x", "grid" }, new[] { "s" }, ("mode", mode), ("padding_mode", padding))
            .Node("Add", new[] { "s", "z" }, new[] { "y" })
            .Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AffineGrid_feeding_GridSample_matches_onnx_runtime(int alignCorners)
    {
        var builder = new ModelBuilder(opset: 20).Input("x", 2, 3, 6, 5).Input("theta", 2, 2, 3)
            .Initializer("size", new long[] { 2, 3, 4, 9 }, 4)
            .Node("AffineGrid", new[] { "theta", "size" }, new[] { "grid" }, ("align_corners", (long)alignCorners))
            .Node("GridSample", new[] { "x", "grid" }, new[] { "y" }, ("align_corners", (long)alignCorners))
            .Output("y").Output("grid");
        var inputs = new Dictionary<string, Array> { ["x"] = Random(7, 180, 2f), ["theta"] = Random(8, 12, 1.2f) };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs);
    }

    [Fact]
    public void Unknown_mode_is_a_diagnostic()
    {
        var builder = new ModelBuilder(opset: 16).Input("x", 1, 1, 3, 3).Input("grid", 1, 2, 2, 2)
            .Node("GridSample", new[] { "x", "grid" }, new[] { "y" }, ("mode", "area")).Output("y");
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics,
            d => d.Id == "MG0102" && d.ToString().Contains("mode 'area'", StringComparison.Ordinal));
    }
}
