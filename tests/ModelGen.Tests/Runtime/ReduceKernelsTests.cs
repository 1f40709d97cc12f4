using System;
using System.Linq;
using ModelGen.Runtime;
using Xunit;

namespace ModelGen.Tests.Runtime;

/// <summary>Reduce kernels on [outer, reduce, inner] against a double reference: every reduce length 0..256, every inner width.</summary>
[Trait("Category", "Runtime")]
public class ReduceKernelsTests
{
    public delegate void Kernel(ReadOnlySpan<float> x, Span<float> destination, int outer, int reduce, int inner);

    private static readonly (string Name, Kernel Kernel, Func<double[], double> Reference)[] All =
    {
        ("Sum", Kernels.ReduceSum, v => v.Sum()),
        ("Mean", Kernels.ReduceMean, v => v.Length == 0 ? 0 : v.Average()),
        ("Max", Kernels.ReduceMax, v => v.Length == 0 ? double.NegativeInfinity : v.Any(double.IsNaN) ? double.NaN : v.Max()),
        ("Min", Kernels.ReduceMin, v => v.Length == 0 ? double.PositiveInfinity : v.Any(double.IsNaN) ? double.NaN : v.Min()),
    };

    private static void Check(int outer, int reduce, int inner, bool specials = false)
    {
        var x = KernelTestData.Floats(outer * 7 + reduce * 13 + inner, outer * reduce * inner, specials: specials);
        foreach (var (name, kernel, reference) in All)
        {
            int n = outer * inner;
            var guarded = KernelTestData.GuardedDestination(n);
            kernel(x, KernelTestData.Inner(guarded, n), outer, reduce, inner);
            KernelTestData.AssertGuardsIntact(guarded, n);
            var actual = KernelTestData.Inner(guarded, n);
            for (int i = 0; i < n; i++)
            {
                int o = i / inner, j = i % inner;
                var values = Enumerable.Range(0, reduce).Select(k => (double)x[(o * reduce + k) * inner + j]).ToArray();
                // Float accumulation in any order is within n·ε·Σ|x| of the exact sum; in practice about √n·ε·Σ|x|, so allow 1e-6·Σ|x|.
                double abs = 1e-6 * values.Where(v => !double.IsInfinity(v)).Sum(Math.Abs) * (name == "Mean" ? 1.0 / Math.Max(reduce, 1) : 1) + 1e-30;
                double expected = reference(values);
                Assert.True(KernelTestData.Close(actual[i], expected, 1e-7, abs), $"Reduce{name} [{outer},{reduce},{inner}] element {i}: {actual[i]:R}, expected {expected:R}");
            }
        }
    }

    [Fact]
    public void Contiguous_rows_of_every_length()
    {
        for (int reduce = 0; reduce <= 256; reduce++) Check(3, reduce, 1);
    }

    [Fact]
    public void Strided_reductions_for_every_inner_width()
    {
        for (int inner = 2; inner <= 70; inner++)
            foreach (int reduce in new[] { 0, 1, 2, 5, 9 })
                Check(2, reduce, inner);
    }

    [Fact]
    public void Nan_propagates_through_max_and_min()
    {
        Check(2, 40, 1, specials: true);
        Check(2, 12, 33, specials: true);
    }

    [Fact]
    public void In_place_reduction_matches()
    {
        var x = KernelTestData.Floats(3, 4 * 6 * 5);
        var expected = new float[20];
        Kernels.ReduceSum(x, expected, 4, 6, 5);
        Kernels.ReduceSum(x, x, 4, 6, 5);
        Assert.Equal(expected, x.AsSpan(0, 20).ToArray());
    }
}
