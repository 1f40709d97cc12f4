using System;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ResizeTests
{
    public static readonly TheoryData<string, string, bool> NearestCases = Cases(
        new[] { "half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel", "tf_half_pixel_for_nn" },
        new[] { "round_prefer_floor", "round_prefer_ceil", "floor", "ceil" });

    public static readonly TheoryData<string, string, bool> LinearCases = Cases(
        new[] { "half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel", "half_pixel_symmetric", "tf_half_pixel_for_nn" },
        new[] { "scales", "sizes" });

    private static TheoryData<string, string, bool> Cases(string[] a, string[] b)
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var x in a) foreach (var y in b) foreach (bool up in new[] { true, false }) data.Add(x, y, up);
        return data;
    }

    private static ModelBuilder Resize(int opset, long[] shape, float[]? scales, long[]? sizes, DT type = DT.Float, params (string, object)[] attributes)
    {
        var builder = new ModelBuilder(opset: opset).Input("x", type, shape);
        string scalesName = "", sizesName = "";
        if (scales is not null) { builder.Initializer(Floats("scales", scales)); scalesName = "scales"; }
        if (sizes is not null) { builder.Initializer(Longs("sizes", sizes)); sizesName = "sizes"; }
        var inputs = opset >= 11 ? new[] { "x", "", scalesName, sizesName } : new[] { "x", scalesName };
        if (opset >= 11 && sizes is null) inputs = new[] { "x", "", scalesName };
        return builder.Node("Resize", inputs, new[] { "y" }, attributes).Output("y", type);
    }

    [Theory]
    [MemberData(nameof(NearestCases))]
    public void Nearest_modes_and_coordinate_transforms_match_onnx_runtime(string coordinates, string nearest, bool upsample)
    {
        var scales = upsample ? new[] { 1f, 1f, 1.75f, 2.5f } : new[] { 1f, 1f, 0.6f, 0.45f };
        var builder = Resize(13, new long[] { 1, 2, 5, 7 }, scales, null, DT.Float,
            ("mode", "nearest"), ("coordinate_transformation_mode", coordinates), ("nearest_mode", nearest));
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [MemberData(nameof(LinearCases))]
    public void Linear_coordinate_transforms_match_onnx_runtime(string coordinates, string input, bool upsample)
    {
        long[] shape = { 2, 3, 6, 9 };
        var scales = upsample ? new[] { 1f, 1f, 1.5f, 2.25f } : new[] { 1f, 1f, 0.5f, 0.4f };
        long[]? sizes = null;
        if (input == "sizes")
        {
            sizes = upsample ? new long[] { 2, 3, 11, 17 } : new long[] { 2, 3, 4, 5 };
            scales = null;
        }
        var builder = Resize(19, shape, scales, sizes, DT.Float, ("mode", "linear"), ("coordinate_transformation_mode", coordinates));
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData("nearest", new[] { 1f, 1f, 2f, 2f })]
    [InlineData("nearest", new[] { 1f, 1f, 0.5f, 0.7f })]
    [InlineData("linear", new[] { 1f, 1f, 2f, 3f })]
    [InlineData("linear", new[] { 1f, 1f, 0.5f, 0.75f })]
    public void Opset_10_scales_match_onnx_runtime(string mode, float[] scales)
    {
        OnnxAssert.MatchesOnnxRuntime(Resize(10, new long[] { 1, 3, 8, 8 }, scales, null, DT.Float, ("mode", mode)));
    }

    [Fact]
    public void Opset_11_empty_roi_and_scales_with_sizes_match_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 11).Input("x", 1, 2, 4, 5)
            .Initializer(Floats("roi")).Initializer(Floats("scales")).Initializer(Longs("sizes", 1, 2, 7, 3))
            .Node("Resize", new[] { "x", "roi", "scales", "sizes" }, new[] { "y" }, ("mode", "linear"), ("coordinate_transformation_mode", "align_corners")).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData("stretch")]
    [InlineData("not_larger")]
    [InlineData("not_smaller")]
    public void Opset_18_axes_and_aspect_ratio_policy_match_onnx_runtime(string policy)
    {
        var builder = Resize(18, new long[] { 1, 3, 6, 8 }, null, new long[] { 9, 10 }, DT.Float,
            ("mode", "nearest"), ("axes", new long[] { 2, 3 }), ("keep_aspect_ratio_policy", policy));
        OnnxAssert.MatchesOnnxRuntime(builder);
        var reversed = Resize(18, new long[] { 1, 3, 6, 8 }, new[] { 0.5f, 1.5f }, null, DT.Float,
            ("mode", "linear"), ("axes", new long[] { 3, -2 }));
        OnnxAssert.MatchesOnnxRuntime(reversed);
    }

    [Theory]
    [InlineData(new long[] { 5, 7 }, new[] { 1.6f, 2.3f })]                  // 2-D bilinear
    [InlineData(new long[] { 3, 5, 7 }, new[] { 1f, 2f, 0.5f })]             // 3-D
    [InlineData(new long[] { 1, 6, 5, 3 }, new[] { 1f, 1.5f, 2f, 1f })]      // NHWC
    [InlineData(new long[] { 1, 2, 3, 4, 5 }, new[] { 1f, 1f, 2f, 1.5f, 0.6f })] // trilinear
    public void Linear_on_other_layouts_matches_onnx_runtime(long[] shape, float[] scales)
    {
        OnnxAssert.MatchesOnnxRuntime(Resize(13, shape, scales, null, DT.Float, ("mode", "linear")));
    }

    [Theory]
    [InlineData(DT.Uint8)]
    [InlineData(DT.Int32)]
    public void Nearest_on_integer_images_matches_onnx_runtime(DT type)
    {
        var builder = Resize(13, new long[] { 1, 3, 5, 6 }, new[] { 1f, 1f, 2f, 1.5f }, null, type, ("mode", "nearest"));
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), intMax: 255);
    }

    [Theory]
    [InlineData("nearest")]
    [InlineData("linear")]
    [InlineData("cubic")]
    public void Tf_crop_and_resize_extrapolates_like_onnx_runtime(string mode)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 1, 1, 6, 7)
            .Initializer(Floats("roi", 0, 0, -0.2f, 0.3f, 1, 1, 0.9f, 1.4f)).Initializer(Longs("sizes", 1, 1, 5, 9))
            .Node("Resize", new[] { "x", "roi", "", "sizes" }, new[] { "y" }, ("mode", mode),
                ("coordinate_transformation_mode", "tf_crop_and_resize"), ("extrapolation_value", 7.5f)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Large_nearest_upsample_after_computation_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 1, 8, 17, 19).Initializer(Floats("scales", 1, 1, 2, 2))
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Resize", new[] { "r", "", "scales" }, new[] { "y" }, ("mode", "nearest"), ("coordinate_transformation_mode", "asymmetric"), ("nearest_mode", "floor"))
            .Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    public static readonly TheoryData<string, string, bool> CubicCases = Cases(
        new[] { "half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel" },
        new[] { "default", "a=-0.5,exclude_outside" });

    [Theory]
    [MemberData(nameof(CubicCases))]
    public void Cubic_matches_onnx_runtime(string coordinates, string variant, bool upsample)
    {
        var attributes = new (string, object)[] { ("mode", "cubic"), ("coordinate_transformation_mode", coordinates) };
        if (variant != "default") attributes = attributes.Concat(new (string, object)[] { ("cubic_coeff_a", -0.5f), ("exclude_outside", 1) }).ToArray();
        var scales = upsample ? new[] { 1f, 1f, 1.5f, 2.25f } : new[] { 1f, 1f, 0.5f, 0.75f };
        OnnxAssert.MatchesOnnxRuntime(Resize(13, new long[] { 2, 3, 6, 9 }, scales, null, DT.Float, attributes));
    }

    [Fact]
    public void Cubic_on_2d_input_with_sizes_matches_onnx_runtime()
    {
        OnnxAssert.MatchesOnnxRuntime(Resize(13, new long[] { 7, 5 }, null, new long[] { 11, 3 }, DT.Float, ("mode", "cubic")));
    }

    public static System.Collections.Generic.IEnumerable<object[]> AntialiasBackendCases() =>
        BackendTestCase.Names("test_resize_downsample_scales_linear_antialias", "test_resize_downsample_scales_cubic_antialias",
            "test_resize_downsample_sizes_linear_antialias", "test_resize_downsample_sizes_cubic_antialias").Select(n => new object[] { n });

    [Theory, MemberData(nameof(AntialiasBackendCases))]
    public void Antialias_backend_test_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    [Fact]
    public void Every_antialias_backend_test_is_run() => Assert.Equal(4, AntialiasBackendCases().Count());

    [Theory]
    [InlineData("linear", "half_pixel", false, 0.5f, 0.75f)]
    [InlineData("linear", "half_pixel", false, 0.3f, 0.45f)]
    [InlineData("linear", "pytorch_half_pixel", true, 0.6f, 0.25f)]
    [InlineData("linear", "asymmetric", false, 1.5f, 0.4f)]
    [InlineData("cubic", "half_pixel", false, 0.5f, 0.75f)]
    [InlineData("cubic", "half_pixel", true, 0.3f, 0.45f)]
    [InlineData("cubic", "align_corners", false, 0.35f, 2f)]
    public void Antialias_matches_onnx_runtime(string mode, string coordinates, bool excludeOutside, float scaleH, float scaleW)
    {
        var attributes = new (string, object)[] { ("mode", mode), ("coordinate_transformation_mode", coordinates), ("antialias", 1),
            ("exclude_outside", excludeOutside ? 1 : 0) };
        OnnxAssert.MatchesOnnxRuntime(Resize(18, new long[] { 2, 3, 17, 23 }, new[] { 1f, 1f, scaleH, scaleW }, null, DT.Float, attributes));
    }

    [Fact]
    public void Antialias_with_sizes_and_axes_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 18).Input("x", 1, 2, 19, 26).Initializer(Longs("sizes", new long[] { 7, 9 }))
            .Node("Resize", new[] { "x", "", "", "sizes" }, new[] { "y" }, ("mode", "cubic"), ("antialias", 1), ("axes", new[] { 2, 3 }),
                ("cubic_coeff_a", -0.5f))
            .Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }
}
