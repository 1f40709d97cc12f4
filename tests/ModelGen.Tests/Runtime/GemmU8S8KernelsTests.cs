using System;
using System.Linq;
using ModelGen.Ops;
using ModelGen.Runtime;
using Xunit;

namespace ModelGen.Tests.Runtime;

/// <summary>
/// The uint8 × int8 quad kernels (Kernels.GemmU8S8.cs) directly, B packed by the generator's own packer: every row tail
/// (4-row tiles and single rows), panel tails and K not a multiple of 4, uint8 and int8 A with a zero point, extremes,
/// against an int64 reference. The CI reruns cover the AvxVnni, Vector128 and scalar paths.
/// </summary>
[Trait("Category", "Runtime")]
public class GemmU8S8KernelsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(70)]
    [InlineData(129)]
    public void MatMulIntegerU8S8_matches_the_reference(int k)
    {
        var random = new Random(k);
        foreach (bool signedA in new[] { false, true })
            foreach (int m in new[] { 1, 3, 4, 5, 9, 70 })
                foreach (int n in new[] { 1, 15, 16, 17, 33 })
                {
                    int lo = signedA ? -128 : 0;
                    var a = Enumerable.Range(0, m * k).Select(_ => random.Next(4) == 0 ? lo + 255 * random.Next(2) : random.Next(lo, lo + 256)).ToArray();
                    var b = Enumerable.Range(0, k * n).Select(_ => random.Next(4) == 0 ? (random.Next(2) == 0 ? -128 : 127) : random.Next(-128, 128)).ToArray();
                    int za = random.Next(lo, lo + 256);
                    var packed = QuantizedMatrix.PackQuads(b.Select(v => (long)v).ToArray(), k, n).Select(v => (sbyte)v).ToArray();
                    var sums = QuantizedMatrix.ColumnSums(b.Select(v => (long)v).ToArray(), k, n).Select(v => (int)v).ToArray();
                    var y = new int[m * n];
                    var scratch = new short[Kernels.MatMulU8S8ScratchShorts(m, n, k, false)];
                    if (signedA)
                        Kernels.MatMulIntegerU8S8<sbyte>(a.Select(v => (sbyte)v).ToArray(), new[] { (sbyte)za }, packed, sums, y, m, n, k, scratch);
                    else
                        Kernels.MatMulIntegerU8S8<byte>(a.Select(v => (byte)v).ToArray(), new[] { (byte)za }, packed, sums, y, m, n, k, scratch);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                        {
                            long s = 0;
                            for (int p = 0; p < k; p++) s += (long)(a[i * k + p] - za) * b[p * n + j];
                            Assert.True(s == y[i * n + j], $"signed {signedA}, m {m}, n {n}, k {k}: C[{i}, {j}] = {y[i * n + j]}, expected {s}");
                        }
                }
    }

    [Fact]
    public void Misuse_is_an_argument_exception()
    {
        var packed = new sbyte[Kernels.PackedQuadBLength(8, 4)];
        Assert.Throws<ArgumentException>(() => Kernels.MatMulIntegerU8S8<byte>(new byte[16], default, packed, new int[4], new int[8], 2, 4, 8, new short[1]));
        Assert.Throws<ArgumentException>(() => Kernels.MatMulIntegerU8S8<byte>(new byte[16], default, new sbyte[3], new int[4], new int[8], 2, 4, 8, new short[1000]));
        Assert.Throws<ArgumentException>(() => Kernels.MatMulIntegerU8S8<short>(new short[16], default, packed, new int[4], new int[8], 2, 4, 8, new short[1000]));
    }
}
