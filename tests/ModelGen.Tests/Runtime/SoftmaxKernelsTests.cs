using System;
using ModelGen.Runtime;
using Xunit;

namespace ModelGen.Tests.Runtime;

/// <summary>Softmax and LogSoftmax against a double-precision reference: contiguous rows of every length 0..256 and strided axes.</summary>
[Trait("Category", "Runtime")]
public class SoftmaxKernelsTests
{
    private static double[] Reference(float[] x, int outer, int axis, int inner, bool log)
    {
        var y = new double[x.Length];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (int k = 0; k < axis; k++) max = Math.Max(max, x[(o * axis + k) * inner + j]);
                for (int k = 0; k < axis; k++) sum += Math.Exp(x[(o * axis + k) * inner + j] - max);
                for (int k = 0; k < axis; k++)
                {
                    double v = x[(o * axis + k) * inner + j];
                    y[(o * axis + k) * inner + j] = log ? v - max - Math.Log(sum) : Math.Exp(v - max) / sum;
                }
            }
        return y;
    }

    private static void Check(int outer, int axis, int inner, bool log, float scale = 10f)
    {
        int n = outer * axis * inner;
        var x = KernelTestData.Floats(outer * 1000 + axis * 10 + inner, n, scale);
        var guarded = KernelTestData.GuardedDestination(n);
        if (log) Kernels.LogSoftmax(x, KernelTestData.Inner(guarded, n), outer, axis, inner);
        else Kernels.Softmax(x, KernelTestData.Inner(guarded, n), outer, axis, inner);
        KernelTestData.AssertGuardsIntact(guarded, n);
        var expected = Reference(x, outer, axis, inner, log);
        KernelTestData.AssertClose(KernelTestData.Inner(guarded, n), i => expected[i], 2e-6, log ? 3e-7 : 1e-7, $"{(log ? "LogSoftmax" : "Softmax")} [{outer},{axis},{inner}]");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Contiguous_rows_of_every_length(bool log)
    {
        for (int axis = 0; axis <= 256; axis++) Check(2, axis, 1, log);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Many_short_rows(bool log)
    {
        // The short-row path runs e^ over the whole buffer at once: row boundaries must not leak into each other.
        foreach (int outer in new[] { 1, 3, 17, 800 })
            for (int axis = 1; axis <= 20; axis++) Check(outer, axis, 1, log);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Strided_axis_for_every_inner_width(bool log)
    {
        for (int inner = 2; inner <= 70; inner++)
            foreach (int axis in new[] { 1, 2, 3, 7, 10 })
                Check(2, axis, inner, log);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Large_inputs_are_stable(bool log)
    {
        Check(3, 37, 1, log, scale: 1e4f);
        Check(3, 5, 37, log, scale: 1e4f);
    }

    [Fact]
    public void In_place_matches_out_of_place()
    {
        foreach (var (outer, axis, inner) in new[] { (3, 33, 1), (2, 5, 19), (40, 3, 1) })
            foreach (bool log in new[] { false, true })
            {
                var x = KernelTestData.Floats(5, outer * axis * inner);
                var expected = new float[x.Length];
                if (log) { Kernels.LogSoftmax(x, expected, outer, axis, inner); Kernels.LogSoftmax(x, x, outer, axis, inner); }
                else { Kernels.Softmax(x, expected, outer, axis, inner); Kernels.Softmax(x, x, outer, axis, inner); }
                Assert.Equal(expected, x);
            }
    }

    [Fact]
    public void Nan_and_infinity_spread_over_their_row_like_onnx_runtime()
    {
        var x = new[] { float.NaN, 1f, 2f, float.PositiveInfinity, 1f, 2f, float.NegativeInfinity, 0f, 0f };
        var y = new float[9];
        Kernels.Softmax(x, y, 3, 3, 1);
        Assert.All(y.AsSpan(0, 6).ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.Equal(new[] { 0f, 0.5f, 0.5f }, y.AsSpan(6).ToArray());
    }
}
