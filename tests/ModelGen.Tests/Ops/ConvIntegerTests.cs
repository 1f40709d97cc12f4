using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// A 1-D/2-D convolution case for ConvInteger and QLinearConv tests, with a direct reference (exact int64 sums; padded
/// positions hold the x zero point, so they add nothing).
/// </summary>
public sealed record QConvCase(int N, int C, int H, int W, int M, int KH, int KW, int Group = 1, int Stride = 1, int Dilation = 1, int Pad = 0, string? AutoPad = null, bool OneD = false)
{
    public int OutH => OneD ? 1 : Out(H, KH, PadBeginH + PadEndH);
    public int OutW => Out(W, KW, PadBeginW + PadEndW);
    private int Out(int size, int k, int pads) => AutoPad is "SAME_UPPER" or "SAME_LOWER" ? (size + Stride - 1) / Stride : (size + pads - ((k - 1) * Dilation + 1)) / Stride + 1;

    private (int Begin, int End) SamePads(int size, int k)
    {
        int output = (size + Stride - 1) / Stride;
        int total = Math.Max(0, (output - 1) * Stride + (k - 1) * Dilation + 1 - size);
        return AutoPad == "SAME_UPPER" ? (total / 2, total - total / 2) : (total - total / 2, total / 2);
    }

    public int PadBeginH => OneD ? 0 : AutoPad is null ? Pad : AutoPad == "VALID" ? 0 : SamePads(H, KH).Begin;
    public int PadEndH => OneD ? 0 : AutoPad is null ? Pad : AutoPad == "VALID" ? 0 : SamePads(H, KH).End;
    public int PadBeginW => AutoPad is null ? Pad : AutoPad == "VALID" ? 0 : SamePads(W, KW).Begin;
    public int PadEndW => AutoPad is null ? Pad : AutoPad == "VALID" ? 0 : SamePads(W, KW).End;

    public long[] XShape => OneD ? new long[] { N, C, W } : new long[] { N, C, H, W };
    public long[] WShape => OneD ? new long[] { M, C / Group, KW } : new long[] { M, C / Group, KH, KW };

    public (string, object)[] Attributes()
    {
        var list = new List<(string, object)> { ("group", (long)Group) };
        int rank = OneD ? 1 : 2;
        list.Add(("strides", Enumerable.Repeat((long)Stride, rank).ToArray()));
        list.Add(("dilations", Enumerable.Repeat((long)Dilation, rank).ToArray()));
        if (AutoPad is null) list.Add(("pads", Enumerable.Repeat((long)Pad, 2 * rank).ToArray()));
        else list.Add(("auto_pad", AutoPad));
        return list.ToArray();
    }

    /// <summary>y [N, M, OutH, OutW] = Σ (x − xz)(w − wz[m]) over each window.</summary>
    public long[] Reference(int[] x, int xz, int[] w, int[] wz)
    {
        int h = OneD ? 1 : H, kh = OneD ? 1 : KH, cg = C / Group, mg = M / Group;
        var y = new long[N * M * OutH * OutW];
        for (int n = 0; n < N; n++)
            for (int m = 0; m < M; m++)
            {
                int g = m / mg, z = wz.Length == 1 ? wz[0] : wz[m];
                for (int oh = 0; oh < OutH; oh++)
                    for (int ow = 0; ow < OutW; ow++)
                    {
                        long sum = 0;
                        for (int c = 0; c < cg; c++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < KW; j++)
                                {
                                    int ih = oh * Stride - PadBeginH + i * Dilation, iw = ow * Stride - PadBeginW + j * Dilation;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= W) continue;
                                    int xv = x[((n * C + g * cg + c) * h + ih) * W + iw];
                                    int wv = w[((m * cg + c) * kh + i) * KW + j];
                                    sum += (long)(xv - xz) * (wv - z);
                                }
                        y[((n * M + m) * OutH + oh) * OutW + ow] = sum;
                    }
            }
        return y;
    }
}

/// <summary>ConvInteger against ONNX Runtime (tolerance 0) where it has a kernel, else against the direct reference.</summary>
[Trait("Category", "Ops")]
public class ConvIntegerTests
{
    public static TheoryData<QConvCase> Geometries() => new()
    {
        new QConvCase(1, 3, 7, 9, 5, 3, 3, Pad: 1),
        new QConvCase(2, 4, 6, 6, 6, 1, 1),
        new QConvCase(1, 8, 11, 10, 17, 3, 3, Stride: 2, Pad: 1),
        new QConvCase(1, 6, 9, 9, 4, 3, 3, Dilation: 2, Pad: 2),
        new QConvCase(1, 6, 8, 7, 6, 3, 3, Group: 2, Pad: 1),
        new QConvCase(1, 8, 9, 9, 8, 3, 3, Group: 8, Pad: 1),
        new QConvCase(1, 8, 10, 10, 8, 5, 5, Group: 8, Stride: 2, AutoPad: "SAME_UPPER"),
        new QConvCase(1, 5, 8, 9, 7, 2, 3, AutoPad: "SAME_LOWER"),
        new QConvCase(1, 3, 9, 8, 4, 3, 2, AutoPad: "VALID"),
        new QConvCase(2, 4, 1, 30, 9, 1, 5, Stride: 2, Pad: 2, OneD: true),
        new QConvCase(1, 32, 12, 12, 40, 3, 3, Pad: 1),
        // Wide stride-1 rows: sixteen pixels of one row take the vector im2col path (odd and even K, dilation, pads).
        new QConvCase(1, 5, 6, 40, 6, 3, 3, Pad: 1),
        new QConvCase(2, 4, 5, 36, 8, 3, 3, Dilation: 2, Pad: 2),
        new QConvCase(1, 6, 4, 32, 4, 1, 1, Group: 2),
        // The uint8 × int8 quad kernel's paths: 1×1 read directly (a partial last panel, K and M not multiples of the quad
        // and of the 6/8-row tile, two images), 1×1 with stride or padding (padded copy), panels spanning two, three or
        // more than four output rows, several pixel blocks (large K) with a partial last one, directly and padded.
        new QConvCase(2, 7, 5, 9, 13, 1, 1),
        new QConvCase(1, 12, 9, 9, 10, 1, 1, Stride: 2),
        new QConvCase(1, 8, 6, 20, 9, 1, 1, Pad: 1),
        new QConvCase(1, 16, 4, 24, 20, 3, 3, Pad: 1),
        new QConvCase(1, 9, 7, 7, 11, 3, 3, Pad: 1),
        new QConvCase(1, 4, 12, 3, 7, 3, 3, Pad: 1),
        new QConvCase(1, 120, 12, 12, 10, 3, 3, Pad: 1),
        new QConvCase(1, 2100, 10, 10, 3, 1, 1),
    };

    private static ModelBuilder Model(QConvCase s, bool xSigned, bool wSigned, int[] w, int[] wz, bool constantW)
    {
        var model = new ModelBuilder(opset: 13).Input("x", QuantizedTestData.Type(xSigned), s.XShape).Input("xz", QuantizedTestData.Type(xSigned));
        if (constantW) model.Initializer(QuantizedTestData.Tensor("w", w, wSigned, s.WShape));
        else model.Input("w", QuantizedTestData.Type(wSigned), s.WShape);
        model.Initializer(QuantizedTestData.Tensor("wz", wz, wSigned, wz.Length == 1 ? Array.Empty<long>() : new long[] { wz.Length }));
        return model.Node("ConvInteger", new[] { "x", "w", "xz", "wz" }, new[] { "y" }, s.Attributes()).Output("y", TensorProto.Types.DataType.Int32);
    }

    /// <summary>uint8 x and w (ONNX Runtime's ConvInteger kernel), run-time x zero point, constant and run-time weights.</summary>
    [Theory]
    [MemberData(nameof(Geometries))]
    public void Matches_onnx_runtime(QConvCase s)
    {
        var random = new Random(TestData.StableSeed(s) & 0xFFFF);
        foreach (bool constantW in new[] { true, false })
        {
            var w = QuantizedTestData.Values(random, (int)s.WShape.Aggregate(1L, (a, b) => a * b), false);
            var wz = QuantizedTestData.Values(random, 1, false);
            var model = Model(s, false, false, w, wz, constantW);
            var inputs = new Dictionary<string, Array>
            {
                ["x"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, (int)s.XShape.Aggregate(1L, (a, b) => a * b), false), false),
                ["xz"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, 1, false), false),
            };
            if (!constantW) inputs["w"] = QuantizedTestData.ToArray(w, false);
            QuantizedTestData.Check(model, inputs);
        }
    }

    /// <summary>Every uint8/int8 pairing, per-channel weight zero points and extremes, against the direct reference.</summary>
    [Theory]
    [MemberData(nameof(Geometries))]
    public void Matches_the_reference_for_every_type_pairing(QConvCase s)
    {
        var random = new Random(TestData.StableSeed(s) & 0xFFFF);
        int xLength = (int)s.XShape.Aggregate(1L, (a, b) => a * b), wLength = (int)s.WShape.Aggregate(1L, (a, b) => a * b);
        foreach (var (xSigned, wSigned, mode) in new[] { (false, true, "random"), (true, false, "random"), (true, true, "random"), (false, false, "max"), (true, true, "min") })
            foreach (bool constantW in new[] { true, false })
            {
                var x = QuantizedTestData.Values(random, xLength, xSigned, mode);
                var w = QuantizedTestData.Values(random, wLength, wSigned, mode);
                var wz = mode == "random" ? QuantizedTestData.Values(random, s.M, wSigned) : QuantizedTestData.Values(random, 1, wSigned, mode == "max" ? "min" : "max");
                var xz = mode == "random" ? QuantizedTestData.Values(random, 1, xSigned) : QuantizedTestData.Values(random, 1, xSigned, mode == "max" ? "min" : "max");
                var inputs = new Dictionary<string, Array> { ["x"] = QuantizedTestData.ToArray(x, xSigned), ["xz"] = QuantizedTestData.ToArray(xz, xSigned) };
                if (!constantW) inputs["w"] = QuantizedTestData.ToArray(w, wSigned);
                var actual = QuantizedTestData.RunModelGen(Model(s, xSigned, wSigned, w, wz, constantW), inputs);
                var expected = s.Reference(x, xz[0], w, wz);
                Assert.Equal(expected.Select(v => (int)v).ToArray(), actual);
            }
    }

    /// <summary>Constant int8 weights with zero point 0 (the uint8 × int8 quad kernel), uint8 and int8 x, against the direct reference.</summary>
    [Theory]
    [MemberData(nameof(Geometries))]
    public void Symmetric_int8_weights_match_the_reference(QConvCase s)
    {
        var random = new Random(TestData.StableSeed(s) & 0x7FFF);
        int xLength = (int)s.XShape.Aggregate(1L, (a, b) => a * b), wLength = (int)s.WShape.Aggregate(1L, (a, b) => a * b);
        foreach (var (xSigned, mode) in new[] { (false, "random"), (true, "random"), (false, "max"), (true, "min") })
        {
            var x = QuantizedTestData.Values(random, xLength, xSigned, mode);
            var w = QuantizedTestData.Values(random, wLength, true, mode == "random" ? "random" : "min");
            var xz = mode == "random" ? QuantizedTestData.Values(random, 1, xSigned) : QuantizedTestData.Values(random, 1, xSigned, mode == "max" ? "min" : "max");
            var inputs = new Dictionary<string, Array> { ["x"] = QuantizedTestData.ToArray(x, xSigned), ["xz"] = QuantizedTestData.ToArray(xz, xSigned) };
            var actual = QuantizedTestData.RunModelGen(Model(s, xSigned, true, w, new[] { 0 }, constantW: true), inputs);
            Assert.Equal(s.Reference(x, xz[0], w, new[] { 0 }).Select(v => (int)v).ToArray(), actual);
        }
    }
}
