using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>Col2Im (18) against the backend data and ONNX Runtime: 1-D to 3-D images, strides, dilations, pads.</summary>
[Trait("Category", "Ops")]
public class Col2ImTests
{
    public static IEnumerable<object[]> Cases() => BackendTestCase.Names("test_col2im").Select(n => new object[] { n });

    /// <summary>image_shape and block_shape fix the output shape: with every input left to run time the model is refused.</summary>
    [Theory, MemberData(nameof(Cases))]
    public void Backend_test_without_build_time_shapes_is_reported(string name) => BackendTestCase.Load(name).AssertRejected("MG0203");

    [Theory, MemberData(nameof(Cases))]
    public void Backend_test_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    [Fact]
    public void Every_backend_test_is_run() => Assert.Equal(5, BackendTestCase.Names("test_col2im").Count);

    private static ModelBuilder Col2Im(long[] image, long[] block, int channels, long blocks, params (string, object)[] attributes) =>
        new ModelBuilder(18).Input("x", 2, channels * block.Aggregate(1L, (a, b) => a * b), blocks)
            .Initializer("image", image, image.Length).Initializer("block", block, block.Length)
            .Node("Col2Im", new[] { "x", "image", "block" }, new[] { "y" }, attributes).Output("y");

    [Fact]
    public void Two_d_matches_onnx_runtime()
    {
        // 9×23 image, 3×4 block: (9+1+2-3)/2+1 = 5 by (23+3+0-2·3-1)/1+1 = 20 blocks.
        OnnxAssert.MatchesOnnxRuntime(Col2Im(new long[] { 9, 23 }, new long[] { 3, 4 }, 3, 5 * 20,
            ("strides", new[] { 2, 1 }), ("dilations", new[] { 1, 2 }), ("pads", new[] { 1, 3, 2, 0 })), seed: 2);
        // Stride 3 along the width: (20+2-3)/3+1 = 7 by (8-2)/1+1 = 7 blocks.
        OnnxAssert.MatchesOnnxRuntime(Col2Im(new long[] { 8, 20 }, new long[] { 2, 3 }, 2, 7 * 7,
            ("strides", new[] { 1, 3 }), ("pads", new[] { 0, 1, 0, 1 })), seed: 3);
    }

    /// <summary>
    /// ONNX Runtime's Col2Im for other than 2-D images (math::Col2imNd) sizes its block grid as if strides were 1 and pads
    /// 0 and dilates the kernel twice, so it is a reference only for stride 1, no pads, dilation 1; the strided, padded
    /// and dilated paths of the shared kernel are checked through the 2-D cases and the backend data.
    /// </summary>
    [Fact]
    public void One_d_matches_onnx_runtime() =>
        OnnxAssert.MatchesOnnxRuntime(Col2Im(new long[] { 30 }, new long[] { 5 }, 3, 26), seed: 4);

    [Fact]
    public void Three_d_matches_onnx_runtime()
    {
        OnnxAssert.MatchesOnnxRuntime(Col2Im(new long[] { 4, 5, 6 }, new long[] { 2, 2, 3 }, 2, 3 * 4 * 4,
            ("pads", new[] { 0, 0, 0, 0, 0, 0 })), seed: 5);
    }

    [Fact]
    public void Wrong_block_count_is_a_diagnostic()
    {
        var model = Col2Im(new long[] { 5, 5 }, new long[] { 2, 2 }, 1, 15);
        Assert.Contains(OnnxAssert.Compile(model.ToBytes()).Diagnostics, d => d.ToString().Contains("blocks", StringComparison.Ordinal));
    }
}
