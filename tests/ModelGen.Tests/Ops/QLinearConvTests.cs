using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// QLinearConv against ONNX Runtime, exactly (tolerance 0), for the type combinations it implements (uint8 x with uint8
/// or int8 w into uint8, int8 into int8); the others against the direct reference with ORT's requantization order.
/// </summary>
[Trait("Category", "Ops")]
public class QLinearConvTests
{
    private static ModelBuilder Model(QConvCase s, bool xSigned, bool wSigned, bool ySigned, int[] w, float xScale, int xz, float[] wScale, int[] wz,
        float yScale, int yz, int[]? bias)
    {
        var model = new ModelBuilder(opset: 13).Input("x", QuantizedTestData.Type(xSigned), s.XShape)
            .Initializer("xs", new[] { xScale }).Initializer(QuantizedTestData.Tensor("xz", new[] { xz }, xSigned))
            .Initializer(QuantizedTestData.Tensor("w", w, wSigned, s.WShape))
            .Initializer("ws", wScale, wScale.Length == 1 ? Array.Empty<long>() : new long[] { wScale.Length })
            .Initializer(QuantizedTestData.Tensor("wz", wz, wSigned, wz.Length == 1 ? Array.Empty<long>() : new long[] { wz.Length }))
            .Initializer("ys", new[] { yScale }).Initializer(QuantizedTestData.Tensor("yz", new[] { yz }, ySigned));
        var inputs = new List<string> { "x", "xs", "xz", "w", "ws", "wz", "ys", "yz" };
        if (bias is not null)
        {
            model.Initializer("b", bias, bias.Length);
            inputs.Add("b");
        }
        return model.Node("QLinearConv", inputs.ToArray(), new[] { "y" }, s.Attributes()).Output("y", QuantizedTestData.Type(ySigned));
    }

    private static float Scale(Random random, float magnitude) => (float)(magnitude * (0.5 + random.NextDouble()));

    private static int Length(long[] shape) => (int)shape.Aggregate(1L, (a, b) => a * b);

    [Theory]
    [MemberData(nameof(ConvIntegerTests.Geometries), MemberType = typeof(ConvIntegerTests))]
    public void Matches_onnx_runtime(QConvCase s)
    {
        var random = new Random(TestData.StableSeed(s) & 0xFFFF);
        int k = s.C / s.Group * s.KH * s.KW;
        foreach (var (xSigned, wSigned) in new[] { (false, false), (false, true), (true, true) })
            for (int trial = 0; trial < 3; trial++)
            {
                bool perChannel = trial != 0;
                var wScale = Enumerable.Range(0, perChannel ? s.M : 1).Select(_ => Scale(random, 0.02f)).ToArray();
                // Weight zero points: int8 weights are symmetric in practice (0); uint8 ones get a random one.
                var wz = wSigned ? new[] { 0 } : QuantizedTestData.Values(random, 1, false);
                float xScale = Scale(random, 0.03f);
                float yScale = Scale(random, 0.03f * 0.02f * 50f * MathF.Sqrt(k));
                var bias = trial == 2 ? null : Enumerable.Range(0, s.M).Select(_ => random.Next(-20000, 20000)).ToArray();
                var model = Model(s, xSigned, wSigned, xSigned, QuantizedTestData.Values(random, Length(s.WShape), wSigned), xScale, QuantizedTestData.Values(random, 1, xSigned)[0],
                    wScale, wz, yScale, QuantizedTestData.Values(random, 1, xSigned)[0], bias);
                QuantizedTestData.Check(model, new() { ["x"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, Length(s.XShape), xSigned), xSigned) });
            }
    }

    [Theory]
    [MemberData(nameof(ConvIntegerTests.Geometries), MemberType = typeof(ConvIntegerTests))]
    public void Matches_the_reference_for_other_types_and_per_channel_zero_points(QConvCase s)
    {
        var random = new Random(TestData.StableSeed(s) & 0xFFFF);
        int k = s.C / s.Group * s.KH * s.KW;
        foreach (var (xSigned, wSigned, ySigned) in new[] { (true, false, true), (false, true, true), (true, true, false), (false, false, false) })
        {
            var x = QuantizedTestData.Values(random, Length(s.XShape), xSigned);
            var w = QuantizedTestData.Values(random, Length(s.WShape), wSigned);
            var wScale = Enumerable.Range(0, s.M).Select(_ => Scale(random, 0.02f)).ToArray();
            var wz = QuantizedTestData.Values(random, s.M, wSigned);
            float xScale = Scale(random, 0.03f), yScale = Scale(random, 0.03f * 0.02f * 50f * MathF.Sqrt(k));
            int xz = QuantizedTestData.Values(random, 1, xSigned)[0], yz = QuantizedTestData.Values(random, 1, ySigned)[0];
            var bias = Enumerable.Range(0, s.M).Select(_ => random.Next(-20000, 20000)).ToArray();
            var actual = QuantizedTestData.RunModelGen(Model(s, xSigned, wSigned, ySigned, w, xScale, xz, wScale, wz, yScale, yz, bias),
                new() { ["x"] = QuantizedTestData.ToArray(x, xSigned) });
            var acc = s.Reference(x, xz, w, wz);
            int pixels = s.OutH * s.OutW;
            var expected = acc.Select((v, i) =>
            {
                int m = i / pixels % s.M;
                float multiplier = xScale * wScale[m] / yScale;
                return QuantizedTestData.Requantize(v + bias[m], multiplier, yz, ySigned);
            }).ToArray();
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>
    /// As QLinearMatMulTests' multiplier test, for the convolution: a 1×1 convolution of 2 channels with weights (255, 1)
    /// makes pixel t's accumulator exactly T(t) = 255·x0 + x1; the pixels are the T for which the multiplier formed in
    /// double, or as x_scale·(w_scale/y_scale), or the whole product in double, rounds differently from ORT's float
    /// (x_scale·w_scale)/y_scale. A bias of −T_min shifts the sums, so the bias must be added in int32 before scaling.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Multiplier_rounding_order_matches_onnx_runtime(int seed)
    {
        var random = new Random(seed);
        float xScale = 0, wScale = 0, yScale = 0;
        var pixels = new List<int>();
        while (pixels.Count < 8)
        {
            xScale = (float)(0.01 + 0.09 * random.NextDouble());
            wScale = (float)(0.01 + 0.09 * random.NextDouble());
            yScale = (float)(xScale * (double)wScale / (0.0025 + 0.0013 * random.NextDouble()));
            float ort = xScale * wScale / yScale;
            float viaDouble = (float)((double)xScale * wScale / yScale);
            float ratioFirst = xScale * (wScale / yScale);
            pixels.Clear();
            for (int t = 1000; t <= 255 * 256 && pixels.Count < 64; t++)
            {
                int expected = (int)MathF.Round((float)(t - 1000) * ort, MidpointRounding.ToEven);
                if ((int)MathF.Round((float)(t - 1000) * viaDouble, MidpointRounding.ToEven) != expected
                    || (int)MathF.Round((float)(t - 1000) * ratioFirst, MidpointRounding.ToEven) != expected
                    || (int)Math.Round((t - 1000) * (double)xScale * wScale / yScale, MidpointRounding.ToEven) != expected
                    || (int)MathF.Round((float)t * ort - 1000f * ort, MidpointRounding.ToEven) != expected)
                    pixels.Add(t);
            }
        }
        var s = new QConvCase(1, 2, 1, pixels.Count, 1, 1, 1, OneD: true);
        var x = pixels.Select(t => t / 255).Concat(pixels.Select(t => t % 255)).ToArray();
        var model = Model(s, false, false, false, new[] { 255, 1 }, xScale, 0, new[] { wScale }, new[] { 0 }, yScale, 0, new[] { -1000 });
        QuantizedTestData.Check(model, new() { ["x"] = QuantizedTestData.ToArray(x, false) });
    }
}
