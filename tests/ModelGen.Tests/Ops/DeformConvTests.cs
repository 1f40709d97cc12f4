using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>DeformConv (19) against the backend data and ONNX Runtime: offsets reaching outside the image, mask, bias, groups, offset groups.</summary>
[Trait("Category", "Ops")]
public class DeformConvTests
{
    public static IEnumerable<object[]> Cases() =>
        BackendTestCase.Names("test_basic_deform_conv", "test_deform_conv").Select(n => new object[] { n });

    [Theory, MemberData(nameof(Cases))]
    public void Backend_test_passes(string name) => BackendTestCase.Load(name).AssertPasses();

    [Theory, MemberData(nameof(Cases))]
    public void Backend_test_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    [Fact]
    public void Every_backend_test_is_run() => Assert.Equal(4, Cases().Count());

    public sealed record Case(int C, int M, int Group, int OffsetGroup, int KH, int KW, int Stride, int Pad, int Dilation, bool Mask, bool Bias);

    public static IEnumerable<object[]> OrtCases() => new[]
    {
        new Case(3, 4, 1, 1, 3, 3, 1, 1, 1, false, false),
        new Case(4, 6, 2, 1, 3, 2, 2, 1, 1, true, true),
        new Case(4, 4, 1, 2, 2, 3, 1, 0, 2, true, false),
        new Case(6, 6, 3, 3, 3, 3, 2, 2, 1, false, true),
        new Case(8, 16, 2, 4, 1, 1, 1, 0, 1, true, true),
    }.Select(c => new object[] { c });

    [Theory, MemberData(nameof(OrtCases))]
    public void DeformConv_matches_onnx_runtime(Case c)
    {
        const int n = 2, h = 7, w = 9;
        int oh = (h + 2 * c.Pad - c.Dilation * (c.KH - 1) - 1) / c.Stride + 1, ow = (w + 2 * c.Pad - c.Dilation * (c.KW - 1) - 1) / c.Stride + 1;
        int taps = c.OffsetGroup * c.KH * c.KW;
        var random = new Random(TestData.StableSeed(c));
        var builder = new ModelBuilder(19).Input("x", n, c.C, h, w).Input("offset", n, 2 * taps, oh, ow)
            .Initializer("w", TestData.Floats(random, c.M * c.C / c.Group * c.KH * c.KW), c.M, c.C / c.Group, c.KH, c.KW);
        var names = new List<string> { "x", "w", "offset" };
        if (c.Bias) builder.Initializer("b", TestData.Floats(random, c.M), c.M);
        names.Add(c.Bias ? "b" : "");
        if (c.Mask) { builder.Input("mask", n, taps, oh, ow); names.Add("mask"); }
        builder.Node("DeformConv", names.ToArray(), new[] { "y" }, ("group", c.Group), ("offset_group", c.OffsetGroup),
            ("kernel_shape", new[] { c.KH, c.KW }), ("strides", new[] { c.Stride, c.Stride }), ("dilations", new[] { c.Dilation, c.Dilation }),
            ("pads", new[] { c.Pad, c.Pad, c.Pad, c.Pad })).Output("y");
        var inputs = new Dictionary<string, Array>
        {
            ["x"] = TestData.Floats(random, n * c.C * h * w, 2f),
            // Offsets up to ±2.5 pixels: samples land between pixels, on the border and outside the image.
            ["offset"] = TestData.Floats(random, n * 2 * taps * oh * ow, 2.5f),
        };
        if (c.Mask) inputs["mask"] = Enumerable.Range(0, n * taps * oh * ow).Select(_ => (float)random.NextDouble()).ToArray();
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs);
    }

    [Fact]
    public void Large_output_runs_in_pixel_blocks_and_matches_onnx_runtime()
    {
        // 16 channels × 3×3 taps = 144 im2col rows: 448 pixels per block, so the 25×23 output takes two blocks, the last partial.
        const int c = 16, m = 8, h = 25, w = 23;
        var random = new Random(21);
        var builder = new ModelBuilder(19).Input("x", 1, c, h, w).Input("offset", 1, 36, h, w).Input("mask", 1, 18, h, w)
            .Initializer("w", TestData.Floats(random, m * c / 2 * 9), m, c / 2, 3, 3).Initializer("b", TestData.Floats(random, m), m)
            .Node("DeformConv", new[] { "x", "w", "offset", "b", "mask" }, new[] { "y" }, ("group", 2), ("offset_group", 2), ("pads", new[] { 1, 1, 1, 1 }))
            .Output("y");
        var inputs = new Dictionary<string, Array>
        {
            ["x"] = TestData.Floats(random, c * h * w, 2f),
            ["offset"] = TestData.Floats(random, 36 * h * w, 3f),
            ["mask"] = Enumerable.Range(0, 18 * h * w).Select(_ => (float)random.NextDouble()).ToArray(),
        };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs);
    }

    [Fact]
    public void Offset_of_the_wrong_shape_is_a_diagnostic()
    {
        var model = new ModelBuilder(19).Input("x", 1, 2, 5, 5).Input("w", 3, 2, 3, 3).Input("offset", 1, 9, 3, 3)
            .Node("DeformConv", new[] { "x", "w", "offset" }, new[] { "y" }).Output("y");
        Assert.Contains(OnnxAssert.Compile(model.ToBytes()).Diagnostics, d => d.ToString().Contains("offset", StringComparison.Ordinal));
    }
}
