using System;
using System.Linq;
using System.Runtime.Intrinsics;
using ModelGen.Runtime;
using Xunit;

namespace ModelGen.Tests.Runtime;

/// <summary>
/// Kernels.GemmInt8 directly: every m (row-block tails) and n (panel tails) up to 2 panels, odd and even K, extreme values,
/// against an int64 reference; the portable pair multiply (the non-x86 Vector128 path); misuse.
/// </summary>
[Trait("Category", "Runtime")]
public class GemmInt8KernelsTests
{
    private static long[] Reference(int[] a, int[] za, int[] b, int[] zb, int m, int n, int k)
    {
        var c = new long[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                long s = 0;
                for (int p = 0; p < k; p++) s += (long)(a[i * k + p] - za[za.Length == 1 ? 0 : i]) * (b[p * n + j] - zb[zb.Length == 1 ? 0 : j]);
                c[i * n + j] = s;
            }
        return c;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(129)]
    public void MatMulInteger_matches_the_reference_for_every_tail(int k)
    {
        var random = new Random(k);
        foreach (int m in new[] { 1, 2, 3, 4, 5, 6, 9, 70 })
            foreach (int n in new[] { 1, 8, 15, 16, 17, 33 })
            {
                var a = Enumerable.Range(0, m * k).Select(_ => random.Next(4) == 0 ? 0 : random.Next(256)).ToArray();
                var b = Enumerable.Range(0, k * n).Select(_ => random.Next(4) == 0 ? -128 : random.Next(-128, 128)).ToArray();
                var za = new[] { random.Next(4) == 0 ? 255 : random.Next(256) };
                var zb = Enumerable.Range(0, n).Select(_ => random.Next(2) == 0 ? 127 : random.Next(-128, 128)).ToArray();
                var y = new int[m * n];
                var scratch = new short[Kernels.MatMulIntegerScratchShorts(m, n, k, false, false)];
                Kernels.MatMulInteger<byte, sbyte>(a.Select(v => (byte)v).ToArray(), za.Select(v => (byte)v).ToArray(), b.Select(v => (sbyte)v).ToArray(),
                    zb.Select(v => (sbyte)v).ToArray(), default, y, m, n, k, scratch);
                Assert.Equal(Reference(a, za, b, zb, m, n, k).Select(v => (int)v).ToArray(), y);
            }
    }

    [Fact]
    public void Portable_pair_multiply_equals_pmaddwd_semantics()
    {
        var random = new Random(3);
        for (int trial = 0; trial < 1000; trial++)
        {
            var pairs = Enumerable.Range(0, 8).Select(_ => (short)(random.Next(3) == 0 ? (random.Next(2) == 0 ? -255 : 255) : random.Next(-255, 256))).ToArray();
            var other = Enumerable.Range(0, 8).Select(_ => (short)random.Next(-255, 256)).ToArray();
            var r = Kernels.MultiplyAddPairsPortable(Vector128.Create(pairs).AsInt32(), Vector128.Create(other).AsInt32());
            for (int lane = 0; lane < 4; lane++)
                Assert.Equal(pairs[2 * lane] * other[2 * lane] + pairs[2 * lane + 1] * other[2 * lane + 1], r.GetElement(lane));
        }
    }

    [Fact]
    public void Misuse_throws_argument_exceptions()
    {
        var scratch = new short[1024];
        Assert.Throws<ArgumentException>(() => Kernels.MatMulInteger<short, sbyte>(new short[4], default, new sbyte[4], default, default, new int[4], 2, 2, 2, scratch));
        Assert.Throws<ArgumentException>(() => Kernels.MatMulInteger<byte, sbyte>(new byte[3], default, new sbyte[4], default, default, new int[4], 2, 2, 2, scratch));
        Assert.Throws<ArgumentException>(() => Kernels.MatMulInteger<byte, sbyte>(new byte[4], default, new sbyte[4], default, default, new int[4], 2, 2, 2, new short[2]));
        Assert.Throws<ArgumentException>(() => Kernels.RequantizeInt32<byte>(new int[4], default, new float[3], false, 2, 2, default, new byte[4]));
    }
}
