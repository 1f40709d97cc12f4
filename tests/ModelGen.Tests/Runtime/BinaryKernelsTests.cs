using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Runtime;
using ModelGen.Runtime.Operators;
using Xunit;

namespace ModelGen.Tests.Runtime;

/// <summary>
/// Kernels.Binary's three row loops (both contiguous, scalar right, scalar left) at every length 0..256, arbitrary
/// broadcast shapes against an index-by-index reference, Pow's special values, and the generic integer path.
/// </summary>
[Trait("Category", "Runtime")]
public class BinaryKernelsTests
{
    public delegate void Kernel(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides);

    private static readonly Dictionary<string, (Kernel Kernel, Func<float, float, double> Reference, double Rel)> Kernels = new()
    {
        ["Add"] = (ModelGen.Runtime.Kernels.Add, (a, b) => a + b, 0),
        ["Subtract"] = (ModelGen.Runtime.Kernels.Subtract, (a, b) => a - b, 0),
        ["Multiply"] = (ModelGen.Runtime.Kernels.Multiply, (a, b) => a * b, 0),
        ["Divide"] = (ModelGen.Runtime.Kernels.Divide, (a, b) => a / b, 0),
        ["Max"] = (ModelGen.Runtime.Kernels.Max, (a, b) => float.IsNaN(a) || float.IsNaN(b) ? double.NaN : Math.Max(a, b), 0),
        ["Min"] = (ModelGen.Runtime.Kernels.Min, (a, b) => float.IsNaN(a) || float.IsNaN(b) ? double.NaN : Math.Min(a, b), 0),
        ["PRelu"] = (ModelGen.Runtime.Kernels.PRelu, (a, b) => a < 0 ? a * b : a, 0),
        ["Pow"] = (ModelGen.Runtime.Kernels.Pow, (a, b) => MathF.Pow(a, b), 1.2e-7),
    };

    public static IEnumerable<object[]> Names()
    {
        foreach (var name in Kernels.Keys) yield return new object[] { name };
    }

    private static readonly int[] One = { 1 }, Zero = { 0 };

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_length_matches_in_each_row_mode(string name)
    {
        var (kernel, reference, rel) = Kernels[name];
        for (int n = 0; n <= 256; n++)
        {
            var a = KernelTestData.Floats(n, n, specials: true);
            var b = KernelTestData.Floats(1000 + n, Math.Max(n, 1), specials: n % 3 == 0);
            var shape = new[] { n };
            foreach (var (sa, sb, mode) in new[] { (One, One, "vector-vector"), (One, Zero, "vector-scalar"), (Zero, One, "scalar-vector") })
            {
                var lhs = sa[0] == 0 ? b.AsSpan(0, 1).ToArray() : a;
                var rhs = sb[0] == 0 ? b.AsSpan(0, 1).ToArray() : (sa[0] == 0 ? a : b);
                var guarded = KernelTestData.GuardedDestination(n);
                kernel(lhs, rhs, KernelTestData.Inner(guarded, n), shape, sa, sb);
                KernelTestData.AssertGuardsIntact(guarded, n);
                KernelTestData.AssertClose(KernelTestData.Inner(guarded, n), i => reference(lhs[i * sa[0]], rhs[i * sb[0]]), rel, 1e-37, $"{name} {mode} n={n}");
            }
        }
    }

    /// <summary>Random output shapes up to rank 5 with operands broadcast on random axes, strides computed like the generator's.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Random_broadcast_shapes_match_an_index_reference(string name)
    {
        var (kernel, reference, rel) = Kernels[name];
        var random = new Random(7);
        for (int trial = 0; trial < 60; trial++)
        {
            int rank = random.Next(0, 6);
            var shape = Enumerable.Range(0, rank).Select(_ => new[] { 1, 2, 3, 5, 16, 17 }[random.Next(6)]).ToArray();
            var aShape = shape.Select(d => random.Next(3) == 0 ? 1 : d).ToArray();
            var bShape = shape.Select(d => random.Next(3) == 0 ? 1 : d).ToArray();
            var a = KernelTestData.Floats(trial, Size(aShape));
            var b = KernelTestData.Floats(trial + 500, Size(bShape));
            var sa = Strides(aShape); var sb = Strides(bShape);
            int total = Size(shape);
            var y = new float[total];
            kernel(a, b, y, shape, sa, sb);
            KernelTestData.AssertClose(y, i =>
            {
                int ia = 0, ib = 0, rem = i;
                for (int d = rank - 1; d >= 0; d--)
                {
                    int idx = rem % shape[d]; rem /= shape[d];
                    ia += idx * sa[d]; ib += idx * sb[d];
                }
                return reference(a[ia], b[ib]);
            }, rel, 1e-37, $"{name} shape [{string.Join(",", shape)}] a [{string.Join(",", aShape)}] b [{string.Join(",", bShape)}]");
        }
    }

    private static int Size(int[] shape) => shape.Aggregate(1, (p, d) => p * d);

    /// <summary>Row-major strides with 0 for size-1 axes (broadcast).</summary>
    private static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { s[d] = shape[d] == 1 ? 0 : acc; acc *= shape[d]; }
        return s;
    }

    [Fact]
    public void Pow_special_values_match_MathF_Pow_in_every_vector_position()
    {
        float[] bases = { -2f, -2f, -2f, -8f, -1f, -1f, 0f, -0f, 0f, -0f, 2f, 0.5f, float.NaN, 1f, float.PositiveInfinity, float.NegativeInfinity, float.NegativeInfinity, -3f, -3f, 1e-30f, 10f, -10f };
        float[] exps = { 3f, 0.5f, -2f, 1f / 3f, float.PositiveInfinity, 0.5f, -1f, -1f, 0f, -3f, -0.5f, float.NaN, 0f, float.NaN, -1f, 0.5f, 3f, 1e9f, 1e9f + 64f, 2f, 40f, 39f };
        // Repeat so each pair lands in full 512/256/128-bit vectors, with regular lanes beside it.
        int n = bases.Length * 17;
        var a = new float[n]; var b = new float[n];
        for (int i = 0; i < n; i++) { a[i] = bases[i % bases.Length]; b[i] = exps[i % exps.Length]; }
        for (int i = 0; i < n; i += 5) { a[i] = 1.5f; b[i] = -2.25f; }
        var y = new float[n];
        ModelGen.Runtime.Kernels.Pow(a, b, y, new[] { n }, One, One);
        KernelTestData.AssertClose(y, i => MathF.Pow(a[i], b[i]), 1.2e-7, 1e-37, "Pow");
        // Regular vectors with negative bases and integer exponents stay on the vector path.
        var x = Enumerable.Range(0, 64).Select(i => -1.25f - i * 0.5f).ToArray();
        var e = Enumerable.Range(0, 64).Select(i => (float)(i % 7 - 3)).ToArray();
        ModelGen.Runtime.Kernels.Pow(x, e, y.AsSpan(0, 64), new[] { 64 }, One, One);
        KernelTestData.AssertClose(y.AsSpan(0, 64), i => MathF.Pow(x[i], e[i]), 1.2e-7, 1e-37, "Pow negative base");
    }

    [Fact]
    public void Divide_by_zero_gives_infinities_and_nan()
    {
        var a = new[] { 1f, -1f, 0f, 1f, 2f };
        var b = new[] { 0f, 0f, 0f, -0f, float.PositiveInfinity };
        var y = new float[5];
        ModelGen.Runtime.Kernels.Divide(a, b, y, new[] { 5 }, One, One);
        Assert.Equal(new[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.NegativeInfinity, 0f }, y);
    }

    [Fact]
    public void Generic_path_runs_integer_types()
    {
        var a = new long[] { 7, -7, 1L << 40, 5, 3, -2 };
        var b = new long[] { 2, 2, 3, -5, 4, 3 };
        var y = new long[6];
        int[] shape = { 6 };
        ModelGen.Runtime.Kernels.Binary<long, DivideOperator>(a, b, y, shape, One, One);
        Assert.Equal(new long[] { 3, -3, (1L << 40) / 3, -1, 0, 0 }, y);
        ModelGen.Runtime.Kernels.Binary<long, PowOperator>(a, b, y, shape, One, One);
        Assert.Equal(new long[] { 49, 49, unchecked((1L << 40) * (1L << 40) * (1L << 40)), 0, 81, -8 }, y);
        ModelGen.Runtime.Kernels.Binary<long, AddOperator>(a, b.AsSpan(0, 1), y, shape, One, Zero);
        Assert.Equal(a.Select(v => v + 2).ToArray(), y);

        // [2,3] - [3] broadcast on int32, with wrap-around like C#/C++.
        var ia = new[] { int.MaxValue, 1, 2, 3, 4, 5 };
        var ib = new[] { -1, 1, 1 };
        var iy = new int[6];
        ModelGen.Runtime.Kernels.Binary<int, SubtractOperator>(ia, ib, iy, new[] { 2, 3 }, new[] { 3, 1 }, new[] { 0, 1 });
        Assert.Equal(new[] { int.MinValue, 0, 1, 4, 3, 4 }, iy);
        Assert.Throws<DivideByZeroException>(() => ModelGen.Runtime.Kernels.Binary<int, DivideOperator>(ia, new int[6], iy, new[] { 6 }, One, One));
    }

    [Fact]
    public void Mixed_type_pow_computes_in_double()
    {
        var y = new float[3];
        ModelGen.Runtime.Kernels.Pow<float, long>(new[] { 2f, -3f, 0.5f }, new long[] { 10, 3, -2 }, y, new[] { 3 }, One, One);
        Assert.Equal(new[] { 1024f, -27f, 4f }, y);
        var iy = new int[3];
        ModelGen.Runtime.Kernels.Pow<int, float>(new[] { 2, 3, 4 }, new[] { 0.5f, 2f, -1f }, iy, new[] { 3 }, One, One);
        Assert.Equal(new[] { 1, 9, 0 }, iy);
    }

    [Fact]
    public void Strides_reaching_past_an_input_throw()
    {
        var y = new float[4];
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.Add(new float[3], new float[4], y, new[] { 4 }, One, One));
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.Add(new float[4], new float[4], new float[3], new[] { 4 }, One, One));
    }
}
