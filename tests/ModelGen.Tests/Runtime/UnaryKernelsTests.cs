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
        ["Exp"] = (ModelGen.Runtime.Kernels.Exp, x => (float)Math.Exp(x), 0),
        ["Sigmoid"] = (ModelGen.Runtime.Kernels.Sigmoid, x => (float)(1 / (1 + Math.Exp(-(double)x))), 4.8e-7),
        ["Tanh"] = (ModelGen.Runtime.Kernels.Tanh, x => (float)Math.Tanh(x), 1.2e-7),
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
