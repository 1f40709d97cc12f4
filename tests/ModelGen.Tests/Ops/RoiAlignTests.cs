using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>RoiAlign (opsets 10 and 16, avg and max, adaptive and fixed sampling) against the backend data and ONNX Runtime.</summary>
[Trait("Category", "Ops")]
public class RoiAlignTests
{
    public static IEnumerable<object[]> Cases() => BackendTestCase.Names("test_roialign").Select(n => new object[] { n });

    [Theory, MemberData(nameof(Cases))]
    public void Backend_test_passes(string name) => BackendTestCase.Load(name).AssertPasses();

    [Theory, MemberData(nameof(Cases))]
    public void Backend_test_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    [Fact]
    public void Every_backend_test_is_run() => Assert.Equal(3, BackendTestCase.Names("test_roialign").Count);

    /// <summary>Regions inside, across and beyond the borders of a 9×11 image, some smaller than a pixel, one inverted.</summary>
    private static float[] Regions(int seed, int count, float scale)
    {
        var random = new Random(seed);
        var r = new float[4 * count];
        for (int i = 0; i < count; i++)
        {
            float x1 = (float)(random.NextDouble() * 14 - 2) * scale, y1 = (float)(random.NextDouble() * 12 - 2) * scale;
            float w = (float)(random.NextDouble() * (i % 4 == 0 ? 0.8 : 9)) * scale, h = (float)(random.NextDouble() * (i % 5 == 1 ? 0.8 : 8)) * scale;
            if (i == 3) w = -w;
            r[4 * i] = x1; r[4 * i + 1] = y1; r[4 * i + 2] = x1 + w; r[4 * i + 3] = y1 + h;
        }
        return r;
    }

    [Theory]
    [InlineData(16, "half_pixel", "avg", 0, 1f)]
    [InlineData(16, "half_pixel", "avg", 2, 0.5f)]
    [InlineData(16, "output_half_pixel", "avg", 0, 0.5f)]
    [InlineData(16, "half_pixel", "max", 0, 1f)]
    [InlineData(16, "output_half_pixel", "max", 3, 0.25f)]
    [InlineData(10, null, "avg", 0, 1f)]
    [InlineData(10, null, "max", 2, 0.5f)]
    public void RoiAlign_matches_onnx_runtime(int opset, string? transform, string mode, int samplingRatio, float spatialScale)
    {
        const int n = 2, c = 5, h = 9, w = 11, regions = 12;
        var attributes = new List<(string, object)> { ("mode", mode), ("output_height", 3L), ("output_width", 4L), ("sampling_ratio", (long)samplingRatio), ("spatial_scale", spatialScale) };
        if (transform is not null) attributes.Add(("coordinate_transformation_mode", transform));
        var model = new ModelBuilder(opset).Input("x", n, c, h, w).Input("rois", regions, 4).Input("batch", TensorProto.Types.DataType.Int64, regions)
            .Node("RoiAlign", new[] { "x", "rois", "batch" }, new[] { "y" }, attributes.ToArray()).Output("y");
        var random = new Random(opset + samplingRatio);
        var inputs = new Dictionary<string, Array>
        {
            ["x"] = TestData.Floats(random, n * c * h * w, 3f),
            ["rois"] = Regions(samplingRatio + mode.Length, regions, 1f / spatialScale),
            ["batch"] = Enumerable.Range(0, regions).Select(i => (long)(i % n)).ToArray(),
        };
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: inputs);
    }

    [Fact]
    public void Max_mode_on_positive_and_negative_data_matches_onnx_runtime()
    {
        // Negative values make the weighted-corner maximum differ clearly from the maximum of interpolated values.
        var model = new ModelBuilder(16).Input("x", 1, 3, 6, 6).Initializer("rois", new[] { 0.3f, 0.7f, 4.6f, 5.2f, -1.5f, -0.5f, 3f, 2f, 2f, 2f, 2.4f, 2.2f }, 3, 4)
            .Initializer("batch", new long[] { 0, 0, 0 }, 3)
            .Node("RoiAlign", new[] { "x", "rois", "batch" }, new[] { "y" }, ("mode", "max"), ("output_height", 2L), ("output_width", 3L))
            .Output("y");
        OnnxAssert.MatchesOnnxRuntime(model, seed: 9);
    }

    [Fact]
    public void Unknown_mode_is_a_diagnostic()
    {
        var model = new ModelBuilder(16).Input("x", 1, 1, 4, 4).Input("rois", 1, 4).Input("batch", TensorProto.Types.DataType.Int64, 1)
            .Node("RoiAlign", new[] { "x", "rois", "batch" }, new[] { "y" }, ("mode", "median")).Output("y");
        Assert.Contains(OnnxAssert.Compile(model.ToBytes()).Diagnostics, d => d.ToString().Contains("mode 'median'", StringComparison.Ordinal));
    }
}
