using System;
using System.Collections.Generic;
using ModelGen.Runtime;
using Xunit;

namespace ModelGen.Tests.Runtime;

/// <summary>
/// Every unary kernel at every length 0..256 (so each vector width's main loop, its remainder and the scalar tail run)
/// against a scalar reference, with NaN, ±∞ and ±0 mixed in, writing nothing outside the destination, and in place.
/// </summary>
[Trait("Category", "Runtime")]
public class UnaryKernelsTests
{
    public delegate void Kernel(ReadOnlySpan<float> x, Span<float> destination);

    private static readonly Dictionary<string, (Kernel Kernel, Func<float, double> Reference, double Rel)> Kernels = new()
    {
        ["Relu"] = (ModelGen.Runtime.Kernels.Relu, x => float.IsNaN(x) ? float.NaN : Math.Max(x, 0f), 0),
        ["Sqrt"] = (ModelGen.Runtime.Kernels.Sqrt, x => MathF.Sqrt(x), 0),
        ["Square"] = (ModelGen.Runtime.Kernels.Square, x => x * x, 0),
        ["Exp"] = (ModelGen.Runtime.Kernels.Exp, x => Math.Exp(x), 2.4e-7),
        ["Sigmoid"] = (ModelGen.Runtime.Kernels.Sigmoid, x => 1 / (1 + Math.Exp(-(double)x)), 4.8e-7),
        ["Tanh"] = (ModelGen.Runtime.Kernels.Tanh, x => Math.Tanh(x), 3.6e-7),
        ["Silu"] = (ModelGen.Runtime.Kernels.Silu, x => x / (1 + Math.Exp(-(double)x)), 6e-7),
        ["HardSwish"] = (ModelGen.Runtime.Kernels.HardSwish, x => float.IsNaN(x) ? float.NaN : x * Math.Max(0f, Math.Min(1f, x * (1f / 6f) + 0.5f)), 0),
        ["LeakyRelu(0.1)"] = ((x, y) => ModelGen.Runtime.Kernels.LeakyRelu(x, y, 0.1f), x => x < 0 ? x * 0.1f : x, 0),
        ["HardSigmoid(0.3,0.4)"] = ((x, y) => ModelGen.Runtime.Kernels.HardSigmoid(x, y, 0.3f, 0.4f), x => float.IsNaN(x) ? float.NaN : Math.Max(0f, Math.Min(1f, x * 0.3f + 0.4f)), 0),
        ["Clip(-1,2)"] = ((x, y) => ModelGen.Runtime.Kernels.Clip(x, y, -1f, 2f), x => float.IsNaN(x) ? float.NaN : Math.Min(Math.Max(x, -1f), 2f), 0),
        ["Clip(min>max)"] = ((x, y) => ModelGen.Runtime.Kernels.Clip(x, y, 3f, -3f), x => float.IsNaN(x) ? float.NaN : -3f, 0),
        ["Scale(-1.5)"] = ((x, y) => ModelGen.Runtime.Kernels.Scale(x, y, -1.5f), x => x * -1.5f, 0),
    };

    public static IEnumerable<object[]> Names()
    {
        foreach (var name in Kernels.Keys) yield return new object[] { name };
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_length_matches_the_scalar_reference(string name)
    {
        var (kernel, reference, rel) = Kernels[name];
        for (int n = 0; n <= 256; n++)
        {
            var x = KernelTestData.Floats(n, n, scale: 8f, specials: true);
            var guarded = KernelTestData.GuardedDestination(n);
            kernel(x, KernelTestData.Inner(guarded, n));
            KernelTestData.AssertGuardsIntact(guarded, n);
            KernelTestData.AssertClose(KernelTestData.Inner(guarded, n), i => reference(x[i]), rel, 1e-30, $"{name} n={n}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void In_place_matches_out_of_place(string name)
    {
        var (kernel, _, _) = Kernels[name];
        foreach (int n in new[] { 1, 15, 16, 17, 31, 33, 64, 100, 255 })
        {
            var x = KernelTestData.Floats(100 + n, n, specials: true);
            var expected = new float[n];
            kernel(x, expected);
            kernel(x, x);
            for (int i = 0; i < n; i++)
                Assert.True(x[i].Equals(expected[i]), $"{name} n={n} element {i}: {x[i]} vs {expected[i]}");
        }
    }

    /// <summary>Error in units of the last place of the correctly rounded float result.</summary>
    private static double Ulps(float actual, double exact)
    {
        float rounded = (float)exact;
        if (actual == rounded || (float.IsNaN(actual) && double.IsNaN(exact))) return 0;
        double ulp = Math.Max(MathF.BitIncrement(Math.Abs(rounded)) - Math.Abs(rounded), float.Epsilon);
        return Math.Abs(actual - exact) / ulp;
    }

    [Theory]
    [InlineData("Exp", -104f, 89f, 1.5)]
    [InlineData("Exp", -1f, 1f, 1.5)]
    [InlineData("Tanh", -10f, 10f, 2.5)]
    [InlineData("Tanh", -0.5f, 0.5f, 2.5)]
    [InlineData("Sigmoid", -20f, 20f, 3.0)]
    [InlineData("Silu", -20f, 20f, 3.5)]
    [InlineData("Silu", -87f, 88f, 3.5)]
    public void Transcendentals_stay_within_their_ulp_bound(string name, float lo, float hi, double maxUlps)
    {
        var (kernel, reference, _) = Kernels[name];
        const int n = 1 << 18;
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * i / (n - 1);
        var y = new float[n];
        kernel(x, y);
        double worst = 0; float at = 0;
        for (int i = 0; i < n; i++)
        {
            double u = Ulps(y[i], reference(x[i]));
            if (u > worst) { worst = u; at = x[i]; }
        }
        Assert.True(worst <= maxUlps, $"{name} is {worst:F2} ulp off at x = {at:R}");
    }

    [Theory]
    [InlineData("Exp")]
    [InlineData("Tanh")]
    [InlineData("Sigmoid")]
    [InlineData("Silu")]
    public void Vector_lanes_and_the_scalar_tail_agree_bitwise(string name)
    {
        var (kernel, _, _) = Kernels[name];
        var x = KernelTestData.Floats(11, 1000, scale: 30f, specials: true);
        var y = new float[x.Length];
        kernel(x, y);
        var one = new float[1];
        for (int i = 0; i < x.Length; i++)
        {
            kernel(x.AsSpan(i, 1), one);
            Assert.True(one[0].Equals(y[i]), $"{name}({x[i]:R}): {y[i]:R} in a vector, {one[0]:R} alone");
        }
    }

    [Fact]
    public void Exp_overflows_and_underflows_like_the_float_exponential()
    {
        var x = new[] { 88.72f, 88.73f, 89f, 100f, -87.3f, -100f, -103.9f, -104f, -200f, 0f, -0f };
        var y = new float[x.Length];
        ModelGen.Runtime.Kernels.Exp(x, y);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Math.Exp(x[i])) <= 2 || Math.Abs(y[i] - Math.Exp(x[i])) <= float.Epsilon, $"exp({x[i]}) = {y[i]:R}, expected {Math.Exp(x[i]):R}");
        Assert.Equal(1f, y[9]);
    }

    [Fact]
    public void Destination_shorter_than_input_throws()
    {
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.Relu(new float[5], new float[4]));
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.Clip(new float[5], new float[4], 0f, 1f));
    }

    [Fact]
    public void Generic_clip_runs_on_integers()
    {
        var x = new long[] { -5, -1, 0, 3, 9, long.MinValue, long.MaxValue };
        var y = new long[x.Length];
        ModelGen.Runtime.Kernels.Clip<long>(x, y, -2, 4);
        Assert.Equal(new long[] { -2, -1, 0, 3, 4, -2, 4 }, y);
        var b = new sbyte[] { -128, 0, 127 };
        ModelGen.Runtime.Kernels.Clip<sbyte>(b, b, 5, 1);
        Assert.Equal(new sbyte[] { 1, 1, 1 }, b);
    }
}
