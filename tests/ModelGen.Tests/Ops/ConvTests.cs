using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ConvTests
{
    private static ModelBuilder Conv2D(int seed, int n, int c, int h, int w, int m, int kh, int kw, bool bias, int opset = 13,
        params (string Name, object Value)[] attributes)
    {
        var random = new Random(seed);
        var attrs = attributes.ToList();
        int group = attrs.Where(a => a.Name == "group").Select(a => Convert.ToInt32(a.Value)).DefaultIfEmpty(1).First();
        var builder = new ModelBuilder(opset).Input("x", n, c, h, w)
            .Initializer("w", TestData.Floats(random, m * (c / group) * kh * kw), m, c / group, kh, kw);
        var inputs = new List<string> { "x", "w" };
        if (bias)
        {
            builder.Initializer("b", TestData.Floats(random, m), m);
            inputs.Add("b");
        }
        return builder.Node("Conv", inputs.ToArray(), new[] { "y" }, attrs.ToArray()).Output("y");
    }

    [Theory]
    [InlineData(1, 3, 8, 8, 4, 3, 3, 1, 1, 1)]
    [InlineData(1, 16, 17, 19, 33, 3, 3, 1, 1, 1)]
    [InlineData(2, 5, 9, 7, 6, 3, 3, 2, 2, 1)]
    [InlineData(1, 8, 15, 15, 8, 5, 5, 2, 1, 2)]
    [InlineData(1, 4, 12, 10, 20, 1, 1, 1, 0, 1)]
    [InlineData(1, 7, 13, 11, 9, 3, 1, 1, 0, 1)]
    [InlineData(1, 64, 14, 14, 64, 3, 3, 1, 1, 1)]
    [InlineData(1, 40, 7, 7, 24, 1, 1, 1, 0, 1)]
    [InlineData(2, 200, 7, 7, 700, 1, 1, 1, 0, 1)]
    [InlineData(1, 33, 1, 17, 9, 1, 1, 1, 0, 1)]
    public void Conv2d_matches_onnx_runtime(int n, int c, int h, int w, int m, int kh, int kw, int stride, int pad, int dilation)
    {
        var model = Conv2D(c * 31 + h, n, c, h, w, m, kh, kw, bias: true, 13,
            ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad, pad, pad }), ("dilations", new[] { dilation, dilation }));
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Theory]
    [InlineData(1, 8, 16, 16, 3, 1, 1)]
    [InlineData(1, 32, 17, 17, 3, 1, 1)]
    [InlineData(2, 6, 9, 33, 3, 2, 1)]
    [InlineData(1, 5, 20, 21, 5, 1, 2)]
    [InlineData(1, 5, 20, 21, 5, 2, 2)]
    public void Depthwise_matches_onnx_runtime(int n, int c, int h, int w, int k, int stride, int pad)
    {
        var model = Conv2D(c * 7 + k, n, c, h, w, c, k, k, bias: true, 13,
            ("group", c), ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad, pad, pad }));
        OnnxAssert.MatchesOnnxRuntime(model);
    }
    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(5, 1, 2)]
    [InlineData(5, 2, 2)]
    [InlineData(3, 1, 0)]
    [InlineData(7, 1, 3)]
    public void Depthwise_odd_widths_match_onnx_runtime(int k, int stride, int pad)
    {
        // Widths around every vector size, so the two-vector, one-vector, overlapping-tail and scalar paths all run.
        foreach (int w in new[] { 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 40, 65 })
        {
            if (w + 2 * pad < k) continue;
            var model = Conv2D(w * 17 + k, 1, 3, 5, w, 3, k, k, bias: w % 2 == 0, 13,
                ("group", 3), ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad, pad, pad }));
            OnnxAssert.MatchesOnnxRuntime(model, seed: w);
        }
    }

    [Fact]
    public void Pointwise_convolution_of_a_one_pixel_image_is_a_matrix_vector_product()
    {
        // A squeeze-and-excitation layer: 1×1 convolution on [1, C, 1, 1], with a fused HardSigmoid.
        var random = new Random(17);
        var builder = new ModelBuilder(13).Input("x", 1, 72, 1, 1)
            .Initializer("w", TestData.Floats(random, 40 * 72), 40, 72, 1, 1)
            .Initializer("b", TestData.Floats(random, 40), 40)
            .Node("Conv", new[] { "x", "w", "b" }, new[] { "t" })
            .Node("HardSigmoid", new[] { "t" }, new[] { "y" }).Output("y");
        var plan = OnnxAssert.Compile(builder.ToBytes()).Plan!;
        Assert.Equal("Gemv", Assert.Single(plan.Steps.OfType<ModelGen.Plan.KernelCall>()).Kernel);
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    /// <summary>Geometries that select each generated depthwise variant (checked on the plan), activations fused or not.</summary>
    [Theory]
    [InlineData(64, 25, 5, 3, 3, 1, 1, 1, 1, "Relu", "Flat")]
    [InlineData(20, 7, 7, 5, 5, 1, 1, 1, 1, "", "Flat")]
    [InlineData(12, 14, 14, 5, 5, 2, 2, 1, 1, "Relu", "Flat")]
    [InlineData(6, 13, 11, 3, 3, 2, 2, 1, 1, "Sigmoid", "Flat")]
    [InlineData(5, 9, 10, 3, 5, 2, 3, 2, 1, "", "Flat")]
    [InlineData(7, 12, 9, 3, 3, 1, 1, 2, 2, "Tanh", "Flat")]
    [InlineData(4, 30, 52, 3, 3, 1, 1, 1, 1, "Sigmoid", "Direct")]
    [InlineData(3, 20, 41, 3, 3, 1, 1, 1, 1, "HardSigmoid", "Direct")]
    [InlineData(4, 40, 64, 5, 5, 2, 2, 1, 1, "Relu", "PaddedRows")]
    public void Each_depthwise_variant_matches_onnx_runtime(int c, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw,
        string activation, string variant)
    {
        var random = new Random(c * 100 + h);
        int ph = (kh - 1) * dh / 2, pw = (kw - 1) * dw / 2;
        var builder = new ModelBuilder(13).Input("x", 1, c, h, w)
            .Initializer("w", TestData.Floats(random, c * kh * kw), c, 1, kh, kw)
            .Initializer("b", TestData.Floats(random, c), c)
            .Node("Conv", new[] { "x", "w", "b" }, new[] { activation == "" ? "y" : "t" }, ("group", c), ("strides", new[] { sh, sw }),
                ("dilations", new[] { dh, dw }), ("pads", new[] { ph, pw, ph, pw }));
        if (activation != "") builder.Node(activation, new[] { "t" }, new[] { "y" });
        builder.Output("y");
        var plan = OnnxAssert.Compile(builder.ToBytes()).Plan!;
        var step = Assert.Single(plan.Steps.OfType<ModelGen.Plan.DepthwiseConvCall>());
        Assert.Equal(variant, step.Variant.ToString());
        Assert.Equal(activation != "", step.Activation is not null);
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Depthwise_with_dilation_and_asymmetric_pads_matches_onnx_runtime()
    {
        OnnxAssert.MatchesOnnxRuntime(Conv2D(41, 2, 7, 12, 21, 7, 3, 3, bias: true, 13,
            ("group", 7), ("dilations", new[] { 2, 3 }), ("pads", new[] { 2, 0, 1, 3 })));
        OnnxAssert.MatchesOnnxRuntime(Conv2D(42, 1, 4, 9, 19, 4, 3, 5, bias: false, 13,
            ("group", 4), ("strides", new[] { 2, 1 }), ("pads", new[] { 0, 4, 2, 1 })));
    }

    [Fact]
    public void Randomized_convolutions_match_onnx_runtime()
    {
        var random = new Random(1234);
        for (int trial = 0; trial < 40; trial++)
        {
            int group = new[] { 1, 1, 1, 2, 3 }[random.Next(5)];
            bool depthwise = random.Next(4) == 0;
            int c = depthwise ? random.Next(1, 9) : group * random.Next(1, 6);
            if (depthwise) group = c;
            int m = depthwise ? c : group * random.Next(1, 7);
            int kh = random.Next(1, 6), kw = random.Next(1, 6);
            int dh = random.Next(3) == 0 ? 2 : 1, dw = random.Next(3) == 0 ? 2 : 1;
            int h = random.Next((kh - 1) * dh + 1, 24), w = random.Next((kw - 1) * dw + 1, 40);
            int sh = random.Next(1, 4), sw = random.Next(1, 4);
            var attrs = new List<(string, object)> { ("group", group), ("strides", new[] { sh, sw }), ("dilations", new[] { dh, dw }) };
            string autoPad = new[] { "NOTSET", "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER" }[random.Next(5)];
            // ONNX Runtime does not implement SAME padding with dilations.
            if (autoPad.StartsWith("SAME", StringComparison.Ordinal) && (dh > 1 || dw > 1)) autoPad = "NOTSET";
            if (autoPad == "NOTSET") attrs.Add(("pads", new[] { random.Next(3), random.Next(3), random.Next(3), random.Next(3) }));
            else attrs.Add(("auto_pad", autoPad));
            if (random.Next(2) == 0) attrs.Add(("kernel_shape", new[] { kh, kw }));
            var model = Conv2D(trial, random.Next(1, 3), c, h, w, m, kh, kw, bias: random.Next(2) == 0, random.Next(2) == 0 ? 11 : 13, attrs.ToArray());
            try { OnnxAssert.MatchesOnnxRuntime(model, seed: trial); }
            catch (Exception e) { throw new Exception($"trial {trial}: c={c} m={m} {h}x{w} k={kh}x{kw} " + string.Join(", ", attrs.Select(a => a.Item1 + "=" + (a.Item2 is int[] v ? string.Join(",", v) : a.Item2))), e); }
        }
    }

    [Theory]
    [InlineData("SAME_UPPER", 1)]
    [InlineData("SAME_UPPER", 2)]
    [InlineData("SAME_LOWER", 2)]
    [InlineData("VALID", 3)]
    public void Every_auto_pad_mode_matches_onnx_runtime(string autoPad, int stride)
    {
        OnnxAssert.MatchesOnnxRuntime(Conv2D(stride, 1, 5, 14, 17, 6, 4, 3, bias: true, 13, ("auto_pad", autoPad), ("strides", new[] { stride, stride })));
        OnnxAssert.MatchesOnnxRuntime(Conv2D(stride + 7, 1, 5, 14, 17, 5, 3, 4, bias: true, 13, ("auto_pad", autoPad), ("strides", new[] { stride, stride }), ("group", 5)));
    }

    [Fact]
    public void Grouped_convolution_with_channel_multiplier_matches_onnx_runtime()
    {
        OnnxAssert.MatchesOnnxRuntime(Conv2D(5, 1, 4, 10, 10, 8, 3, 3, bias: true, 13, ("group", 4), ("pads", new[] { 1, 1, 1, 1 })));
        OnnxAssert.MatchesOnnxRuntime(Conv2D(6, 2, 6, 9, 11, 9, 3, 2, bias: false, 13, ("group", 3), ("strides", new[] { 2, 1 })));
    }

    [Fact]
    public void Large_im2col_runs_in_several_chunks_and_matches_onnx_runtime()
    {
        // Stride 2 goes through im2col; 3·3·32 = 288 rows: a chunk holds fewer output pixels than the 20·23 of the output.
        OnnxAssert.MatchesOnnxRuntime(Conv2D(8, 1, 32, 40, 45, 19, 3, 3, bias: true, 13, ("pads", new[] { 1, 1, 1, 1 }), ("strides", new[] { 2, 2 })));
    }

    [Fact]
    public void Implicit_gemm_runs_in_several_row_blocks_and_matches_onnx_runtime()
    {
        // Stride 1 with 128 channels: each block of padded rows holds only a few output rows of the 30.
        OnnxAssert.MatchesOnnxRuntime(Conv2D(11, 2, 128, 30, 29, 20, 3, 3, bias: true, 13, ("pads", new[] { 1, 2, 1, 0 })));
        OnnxAssert.MatchesOnnxRuntime(Conv2D(12, 1, 96, 25, 37, 8, 5, 3, bias: false, 13, ("pads", new[] { 2, 1, 3, 1 }), ("dilations", new[] { 2, 1 }), ("group", 2)));
    }

    [Theory]
    [InlineData(1, 16, 4, 4, 32, 3, 3, 1, 1, 1, false)]
    [InlineData(2, 3, 7, 1, 5, 3, 1, 1, 1, 1, true)]
    [InlineData(1, 5, 3, 3, 17, 3, 3, 1, 1, 1, true)]
    [InlineData(1, 6, 9, 5, 8, 3, 3, 2, 1, 2, false)]
    [InlineData(2, 4, 6, 9, 9, 5, 5, 1, 2, 1, true)]
    [InlineData(1, 8, 13, 13, 12, 3, 3, 2, 1, 1, false)]
    [InlineData(1, 3, 10, 20, 4, 3, 3, 1, 3, 3, true)]
    [InlineData(1, 2, 5, 2, 3, 1, 2, 1, 0, 1, false)]
    public void Narrow_stride_one_convolutions_gather_their_im2col_and_match_onnx_runtime(int n, int c, int h, int w, int m, int kh, int kw,
        int group, int pad, int dilation, bool relu)
    {
        // Outputs at most 17 columns wide: the implicit GEMM gathers each block's im2col rows from the padded input.
        var random = new Random(40 + h * w + c);
        bool bias = relu || (h + w) % 2 == 0;
        var model = new ModelBuilder(13).Input("x", n, c, h, w)
            .Initializer("w", TestData.Floats(random, m * (c / group) * kh * kw), m, c / group, kh, kw);
        if (bias) model.Initializer("b", TestData.Floats(random, m), m);
        model.Node("Conv", bias ? new[] { "x", "w", "b" } : new[] { "x", "w" }, new[] { "y" },
            ("group", group), ("pads", new[] { pad, pad + (w % 2), pad, pad }), ("dilations", new[] { dilation, dilation }));
        if (relu) model.Node("Relu", new[] { "y" }, new[] { "r" }).Output("r");
        else model.Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Theory]
    [InlineData(1, 5, 1, 3, 1)]
    [InlineData(4, 9, 2, 3, 2)]
    [InlineData(3, 16, 3, 3, 1)]
    [InlineData(7, 17, 2, 5, 1)]
    [InlineData(2, 1, 5, 1, 1)]
    public void Gathered_implicit_convolution_in_several_row_blocks_matches_the_padded_product(int width, int height, int rowsPerBlock, int kernel, int dilation)
    {
        // The generator gathers only when one block covers the image; the kernel also handles several blocks and a short last one.
        var random = new Random(width * 31 + height);
        int c = 3, m = 5, pad = kernel / 2 * dilation, batch = 2;
        int outH = height + 2 * pad - (kernel - 1) * dilation, outW = width + 2 * pad - (kernel - 1) * dilation;
        var x = TestData.Floats(random, batch * c * height * width);
        var wt = TestData.Floats(random, m * c * kernel * kernel);
        var bias = TestData.Floats(random, m);
        ModelGen.Runtime.ConvGeometry Geometry(int chunk) => new(channels: c, depth: 1, height: height, width: width, outChannels: m, outDepth: 1,
            outHeight: outH, outWidth: outW, kernelD: 1, kernelH: kernel, kernelW: kernel, strideD: 1, strideH: 1, strideW: 1, dilationD: 1,
            dilationH: dilation, dilationW: dilation, padFront: 0, padTop: pad, padLeft: pad, groups: 1, chunk: chunk, rowsPerBlock: rowsPerBlock);
        var padded = Geometry(0);
        var gathered = Geometry((rowsPerBlock * outW + 15) / 16 * 16);
        var activation = new ModelGen.Runtime.FusedActivation(ModelGen.Runtime.ActivationKind.Relu, 0f, 0f);
        var expected = new float[batch * m * outH * outW];
        var actual = new float[expected.Length];
        ModelGen.Runtime.Kernels.Conv(x, wt, bias, expected, batch, padded, activation, new float[ModelGen.Runtime.Kernels.ConvScratch(padded)]);
        var scratch = new float[ModelGen.Runtime.Kernels.ConvScratch(gathered)];
        scratch.AsSpan().Fill(float.NaN);
        ModelGen.Runtime.Kernels.Conv(x, wt, bias, actual, batch, gathered, activation, scratch);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]), $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void One_dimensional_convolution_matches_onnx_runtime(bool depthwise)
    {
        var random = new Random(depthwise ? 1 : 2);
        int c = 6, m = depthwise ? 6 : 10, group = depthwise ? 6 : 2;
        var model = new ModelBuilder(13).Input("x", 2, c, 37).Initializer("w", TestData.Floats(random, m * (c / group) * 5), m, c / group, 5)
            .Initializer("b", TestData.Floats(random, m), m)
            .Node("Conv", new[] { "x", "w", "b" }, new[] { "y" }, ("group", group), ("pads", new[] { 2, 1 }), ("strides", new[] { 1 }), ("dilations", new[] { 2 })).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Three_dimensional_convolution_matches_onnx_runtime()
    {
        var random = new Random(3);
        var model = new ModelBuilder(13).Input("x", 1, 4, 7, 9, 10).Initializer("w", TestData.Floats(random, 6 * 2 * 3 * 3 * 2), 6, 2, 3, 3, 2)
            .Initializer("b", TestData.Floats(random, 6), 6)
            .Node("Conv", new[] { "x", "w", "b" }, new[] { "y" }, ("group", 2), ("pads", new[] { 1, 0, 1, 1, 2, 0 }), ("strides", new[] { 2, 1, 2 }), ("dilations", new[] { 1, 2, 1 })).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
        var pointwise = new ModelBuilder(13).Input("x", 1, 4, 3, 5, 6).Initializer("w", TestData.Floats(random, 8 * 4), 8, 4, 1, 1, 1)
            .Node("Conv", new[] { "x", "w" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(pointwise);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Weights_and_bias_as_graph_inputs_match_onnx_runtime(int group)
    {
        var model = new ModelBuilder(13).Input("x", 1, 5, 12, 13).Input("w", group == 1 ? 7 : 5, 5 / group, 3, 3).Input("b", group == 1 ? 7 : 5)
            .Node("Conv", new[] { "x", "w", "b" }, new[] { "y" }, ("group", group), ("pads", new[] { 1, 1, 1, 1 })).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Pointwise_convolution_with_odd_pixel_count_matches_onnx_runtime()
    {
        // 7·9 = 63 pixels: the last 15 columns go through the edge panel.
        OnnxAssert.MatchesOnnxRuntime(Conv2D(9, 2, 24, 7, 9, 40, 1, 1, bias: true, 13));
        OnnxAssert.MatchesOnnxRuntime(Conv2D(10, 1, 3, 1, 1, 5, 1, 1, bias: false, 13));
    }

    [Fact]
    public void Macs_count_every_multiply_accumulate()
    {
        var model = Conv2D(1, 2, 8, 10, 12, 6, 3, 3, bias: true, 13, ("group", 2), ("pads", new[] { 1, 1, 1, 1 }), ("strides", new[] { 2, 2 }));
        var result = OnnxAssert.Compile(model.ToBytes());
        var node = Assert.Single(result.Graph!.Nodes);
        // N·M·OH·OW·(C/group)·kh·kw = 2·6·5·6·4·9.
        Assert.Equal(2L * 6 * 5 * 6 * 4 * 9, new ModelGen.Ops.ConvOp().Macs(node));
    }

    [Fact]
    public void Invalid_group_is_reported()
    {
        var model = Conv2D(1, 1, 6, 5, 5, 4, 3, 3, bias: false, 13, ("group", 4));
        Assert.Contains(OnnxAssert.Compile(model.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
