using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool against ONNX Runtime.</summary>
[Trait("Category", "Ops")]
public class PoolTests
{
    private static ModelBuilder Pool(string op, int opset, long[] shape, params (string, object)[] attributes) =>
        new ModelBuilder(opset).Input("x", shape).Node(op, new[] { "x" }, new[] { "y" }, attributes).Output("y");

    [Theory]
    [InlineData("MaxPool", 12)]
    [InlineData("AveragePool", 11)]
    [InlineData("AveragePool", 19)]
    public void Randomized_2d_windows_match_onnx_runtime(string op, int opset)
    {
        var random = new Random(opset * 13 + op.Length);
        for (int trial = 0; trial < 24; trial++)
        {
            int h = random.Next(1, 20), w = random.Next(1, 40);
            int kh = random.Next(1, Math.Min(h, 5) + 1), kw = random.Next(1, Math.Min(w, 5) + 1);
            int sh = random.Next(1, 4), sw = random.Next(1, 4);
            bool dilate = (op == "MaxPool" || opset >= 19) && random.Next(3) == 0;
            int dh = dilate && kh > 1 && (kh - 1) * 2 + 1 <= h ? 2 : 1, dw = dilate && kw > 1 && (kw - 1) * 2 + 1 <= w ? 2 : 1;
            var attrs = new List<(string, object)> { ("kernel_shape", new[] { kh, kw }), ("strides", new[] { sh, sw }) };
            if (dh > 1 || dw > 1) attrs.Add(("dilations", new[] { dh, dw }));
            string autoPad = new[] { "NOTSET", "NOTSET", "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER" }[random.Next(6)];
            // ONNX Runtime rejects the negative pads SAME gives a kernel smaller than its stride, and pads SAME pooling by
            // the undilated kernel while its shape inference uses the dilated one: keep SAME to cases both agree on.
            if (autoPad.StartsWith("SAME") && (kh < sh || kw < sw || dh > 1 || dw > 1)) autoPad = "VALID";
            // ceil_mode where the last window would start in the trailing pad: ONNX Runtime's kernel drops that window but
            // its shape inference keeps it, so it cannot run those models; keep the last window inside the input.
            bool ceil = random.Next(2) == 0 && autoPad == "NOTSET" && sh <= (kh - 1) * dh + 1 && sw <= (kw - 1) * dw + 1;
            if (autoPad == "NOTSET")
            {
                // Pads smaller than the kernel.
                int P(int k) => random.Next(0, k);
                attrs.Add(("pads", new[] { P(kh), P(kw), ceil ? 0 : P(kh), ceil ? 0 : P(kw) }));
            }
            else attrs.Add(("auto_pad", autoPad));
            if (ceil) attrs.Add(("ceil_mode", 1));
            if (op == "AveragePool") attrs.Add(("count_include_pad", random.Next(2)));
            var model = Pool(op, opset, new long[] { random.Next(1, 3), random.Next(1, 5), h, w }, attrs.ToArray());
            try { OnnxAssert.MatchesOnnxRuntime(model, seed: trial); }
            catch (Exception e) { throw new Exception($"trial {trial}: x {h}x{w}, " + string.Join(", ", attrs.Select(a => a.Item1 + "=" + (a.Item2 is int[] v ? string.Join(",", v) : a.Item2))), e); }
        }
    }

    [Theory]
    [InlineData("MaxPool", 12, 0)]
    [InlineData("AveragePool", 11, 0)]
    [InlineData("AveragePool", 11, 1)]
    [InlineData("AveragePool", 19, 1)]
    public void Ceil_mode_windows_that_run_past_the_padding_match_onnx_runtime(string op, int opset, int countIncludePad)
    {
        var attrs = new List<(string, object)> { ("kernel_shape", new[] { 3, 3 }), ("strides", new[] { 2, 2 }), ("pads", new[] { 1, 1, 1, 1 }), ("ceil_mode", 1) };
        if (op == "AveragePool") attrs.Add(("count_include_pad", countIncludePad));
        OnnxAssert.MatchesOnnxRuntime(Pool(op, opset, new long[] { 1, 3, 8, 10 }, attrs.ToArray()));
        OnnxAssert.MatchesOnnxRuntime(Pool(op, opset, new long[] { 1, 2, 5, 6 }, ("kernel_shape", new[] { 2, 2 }), ("strides", new[] { 2, 2 }), ("ceil_mode", 1)));
    }

    [Theory]
    [InlineData("MaxPool", 12)]
    [InlineData("AveragePool", 19)]
    public void One_and_three_dimensional_windows_match_onnx_runtime(string op, int opset)
    {
        OnnxAssert.MatchesOnnxRuntime(Pool(op, opset, new long[] { 2, 3, 33 }, ("kernel_shape", new[] { 4 }), ("strides", new[] { 2 }), ("pads", new[] { 1, 2 })));
        OnnxAssert.MatchesOnnxRuntime(Pool(op, opset, new long[] { 1, 2, 7, 9, 11 }, ("kernel_shape", new[] { 2, 3, 3 }), ("strides", new[] { 1, 2, 1 }),
            ("pads", new[] { 1, 1, 0, 0, 1, 2 }), ("dilations", new[] { 2, 1, 2 })));
    }

    [Theory]
    [InlineData("MaxPool", 8)]
    [InlineData("AveragePool", 7)]
    [InlineData("AveragePool", 10)]
    public void Early_opsets_match_onnx_runtime(string op, int opset)
    {
        OnnxAssert.MatchesOnnxRuntime(Pool(op, opset, new long[] { 1, 4, 13, 17 }, ("kernel_shape", new[] { 3, 3 }), ("strides", new[] { 2, 2 }), ("pads", new[] { 1, 1, 1, 1 })));
        OnnxAssert.MatchesOnnxRuntime(Pool(op, opset, new long[] { 1, 4, 13, 17 }, ("kernel_shape", new[] { 3, 2 }), ("auto_pad", "SAME_UPPER")));
    }

    [Fact]
    public void Stride_one_and_two_rows_run_vectorized_and_match_onnx_runtime()
    {
        OnnxAssert.MatchesOnnxRuntime(Pool("MaxPool", 12, new long[] { 1, 3, 9, 75 }, ("kernel_shape", new[] { 3, 3 }), ("strides", new[] { 2, 2 }), ("pads", new[] { 1, 1, 1, 1 })));
        OnnxAssert.MatchesOnnxRuntime(Pool("AveragePool", 11, new long[] { 1, 3, 8, 74 }, ("kernel_shape", new[] { 2, 2 }), ("strides", new[] { 2, 2 })));
        OnnxAssert.MatchesOnnxRuntime(Pool("MaxPool", 12, new long[] { 1, 2, 6, 90 }, ("kernel_shape", new[] { 2, 3 }), ("strides", new[] { 1, 2 }), ("dilations", new[] { 1, 2 }), ("pads", new[] { 0, 2, 1, 1 })));
        OnnxAssert.MatchesOnnxRuntime(Pool("MaxPool", 12, new long[] { 1, 3, 9, 70 }, ("kernel_shape", new[] { 3, 5 }), ("pads", new[] { 1, 2, 1, 2 })));
        OnnxAssert.MatchesOnnxRuntime(Pool("AveragePool", 19, new long[] { 1, 3, 9, 70 }, ("kernel_shape", new[] { 3, 3 }), ("pads", new[] { 1, 1, 1, 1 }), ("count_include_pad", 1)));
    }

    [Theory]
    [InlineData("GlobalAveragePool", new long[] { 2, 5, 7, 7 })]
    [InlineData("GlobalAveragePool", new long[] { 1, 3, 1 })]
    [InlineData("GlobalAveragePool", new long[] { 1, 4, 3, 5, 6 })]
    [InlineData("GlobalMaxPool", new long[] { 2, 5, 9, 13 })]
    [InlineData("GlobalMaxPool", new long[] { 1, 7, 33 })]
    public void Global_pools_match_onnx_runtime(string op, long[] shape) =>
        OnnxAssert.MatchesOnnxRuntime(new ModelBuilder(13).Input("x", shape).Node(op, new[] { "x" }, new[] { "y" }).Output("y"));
}
