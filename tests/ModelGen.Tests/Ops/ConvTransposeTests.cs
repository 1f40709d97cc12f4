using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ConvTransposeTests
{
    public static IEnumerable<object[]> BackendCases() => BackendTestCase.Names("test_convtranspose").Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Backend_case_passes(string name) => BackendTestCase.Load(name).AssertPasses();

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Backend_case_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    [Fact]
    public void Every_backend_case_is_found() => Assert.Equal(11, BackendTestCase.Names("test_convtranspose").Count);

    private static ModelBuilder Model(int seed, int n, int c, int[] spatial, int m, int[] kernel, bool bias, bool constantWeights,
        params (string Name, object Value)[] attributes)
    {
        var random = new Random(seed);
        int group = attributes.Where(a => a.Name == "group").Select(a => Convert.ToInt32(a.Value)).DefaultIfEmpty(1).First();
        var wShape = new long[] { c, m / group }.Concat(kernel.Select(k => (long)k)).ToArray();
        int wLength = (int)wShape.Aggregate(1L, (a, b) => a * b);
        var builder = new ModelBuilder(17).Input("x", new long[] { n, c }.Concat(spatial.Select(s => (long)s)).ToArray());
        if (constantWeights) builder.Initializer("w", TestData.Floats(random, wLength, 0.5f), wShape);
        else builder.Input("w", wShape);
        var inputs = new List<string> { "x", "w" };
        if (bias)
        {
            builder.Initializer("b", TestData.Floats(random, m), m);
            inputs.Add("b");
        }
        return builder.Node("ConvTranspose", inputs.ToArray(), new[] { "y" }, attributes).Output("y");
    }

    [Theory]
    // Stride-2 upsampling as decoders and super-resolution models use it: 4×4 pad 1 and 3×3 pad 1 output_padding 1.
    [InlineData(1, 16, 8, 8, 16, 4, 2, 1, 0)]
    [InlineData(1, 32, 9, 7, 16, 4, 2, 1, 0)]
    [InlineData(1, 64, 8, 8, 32, 4, 2, 1, 0)]
    [InlineData(2, 16, 5, 6, 24, 3, 2, 1, 1)]
    [InlineData(1, 48, 7, 7, 64, 3, 2, 1, 1)]
    // Stride 1 (the vectorized col2im rows) and odd sizes for the GEMM's edge panels.
    [InlineData(1, 7, 13, 11, 5, 3, 1, 1, 0)]
    [InlineData(1, 3, 1, 33, 9, 3, 1, 0, 0)]
    [InlineData(2, 5, 4, 4, 3, 2, 2, 0, 0)]
    public void Conv_transpose_2d_matches_onnx_runtime(int n, int c, int h, int w, int m, int k, int stride, int pad, int outputPadding)
    {
        var model = Model(c * 13 + h, n, c, new[] { h, w }, m, new[] { k, k }, bias: true, constantWeights: true,
            ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad, pad, pad }), ("output_padding", new[] { outputPadding, outputPadding }));
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Large_input_runs_in_several_column_blocks()
    {
        // 64 output channels × 16 taps × 40 columns: several blocks of input rows.
        var model = Model(5, 1, 32, new[] { 40, 40 }, 64, new[] { 4, 4 }, bias: true, constantWeights: true,
            ("strides", new[] { 2, 2 }), ("pads", new[] { 1, 1, 1, 1 }));
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Run_time_weights_match_onnx_runtime()
    {
        var model = Model(3, 2, 6, new[] { 5, 7 }, 4, new[] { 3, 3 }, bias: true, constantWeights: false,
            ("strides", new[] { 2, 1 }), ("pads", new[] { 1, 0, 0, 1 }));
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Groups_and_dilations_match_onnx_runtime()
    {
        var model = Model(9, 1, 8, new[] { 6, 5 }, 12, new[] { 3, 2 }, bias: false, constantWeights: true,
            ("group", 4), ("dilations", new[] { 2, 1 }), ("strides", new[] { 2, 3 }));
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(257)]
    public void Conv_transpose_1d_matches_onnx_runtime(int length)
    {
        var model = Model(length, 1, 4, new[] { length }, 6, new[] { 3 }, bias: true, constantWeights: true,
            ("strides", new[] { 2 }), ("pads", new[] { 1, 0 }));
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Conv_transpose_3d_matches_onnx_runtime()
    {
        var model = Model(11, 1, 3, new[] { 3, 4, 5 }, 4, new[] { 2, 3, 3 }, bias: true, constantWeights: true,
            ("strides", new[] { 2, 1, 2 }), ("pads", new[] { 0, 1, 1, 1, 0, 0 }));
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Output_shape_matches_onnx_runtime()
    {
        var model = Model(13, 1, 4, new[] { 5, 5 }, 3, new[] { 3, 3 }, bias: true, constantWeights: true,
            ("strides", new[] { 2, 2 }), ("output_shape", new[] { 11, 12 }));
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Fused_relu_matches_onnx_runtime()
    {
        var random = new Random(21);
        var model = new ModelBuilder(17).Input("x", 1, 16, 6, 6)
            .Initializer("w", TestData.Floats(random, 16 * 8 * 16), 16, 8, 4, 4)
            .Initializer("b", TestData.Floats(random, 8), 8)
            .Node("ConvTranspose", new[] { "x", "w", "b" }, new[] { "t" }, ("strides", new[] { 2, 2 }), ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Relu", new[] { "t" }, new[] { "y" })
            .Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Constant_inputs_fold_at_build_time()
    {
        var random = new Random(2);
        var model = new ModelBuilder(17).Input("z", 1, 2, 5, 5)
            .Initializer("x", TestData.Floats(random, 2 * 3 * 3), 1, 2, 3, 3)
            .Initializer("w", TestData.Floats(random, 2 * 2 * 9), 2, 2, 3, 3)
            .Node("ConvTranspose", new[] { "x", "w" }, new[] { "t" })
            .Node("Add", new[] { "t", "z" }, new[] { "y" })
            .Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
        Assert.DoesNotContain(OnnxAssert.Compile(model.ToBytes()).Plan!.Steps.OfType<KernelCall>(), s => s.Kernel == "ConvTranspose");
    }

    [Fact]
    public void Invalid_auto_pad_is_a_diagnostic()
    {
        var model = Model(1, 1, 2, new[] { 3, 3 }, 2, new[] { 3, 3 }, bias: false, constantWeights: true, ("auto_pad", "SAME"));
        var result = OnnxAssert.Compile(model.ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("auto_pad", StringComparison.Ordinal));
    }
}
