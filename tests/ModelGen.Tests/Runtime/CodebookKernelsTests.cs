using System;
using System.Linq;
using ModelGen.Runtime;
using Xunit;

namespace ModelGen.Tests.Runtime;

/// <summary>
/// Kernels.CodebookGemm and CodebookDecode against a reference that decodes the documented layout independently (index
/// r of a 16-byte block in byte r % 16 at bit (r / 16)·bits), at every reduction length up to 70 and row counts that
/// reach each branch; and misuse raises ArgumentException.
/// </summary>
[Trait("Category", "Runtime")]
public class CodebookKernelsTests
{
    private static (byte[] Codes, float[] Books, float[] W) Random(Random random, int n, int k, int bits)
    {
        int perBlock = 128 / bits, rowBytes = (k + perBlock - 1) / perBlock * 16, entries = bits == 8 ? 2 : 1 << bits;
        var codes = new byte[n * rowBytes];
        var books = Enumerable.Range(0, n * entries).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var w = new float[n * k];
        for (int j = 0; j < n; j++)
        {
            if (bits == 8) books[2 * j + 1] = random.Next(-5, 6);
            for (int p = 0; p < k; p++)
            {
                int code = bits == 8 ? random.Next(-128, 128) : random.Next(entries);
                int at = j * rowBytes + p / perBlock * 16 + p % perBlock % 16, shift = p % perBlock / 16 * bits;
                codes[at] |= (byte)((code & (bits == 8 ? 0xFF : entries - 1)) << shift);
                w[j * k + p] = bits == 8 ? books[2 * j] * (code + books[2 * j + 1]) : books[j * entries + code];
            }
        }
        return (codes, books, w);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Codebook_gemm_matches_the_decoded_product(int bits)
    {
        var random = new Random(bits);
        foreach (int m in new[] { 1, 2, 4, 7, 9 })
            for (int k = 1; k <= 70; k += m == 1 ? 1 : 7)
            {
                int n = 5 + k % 4;
                var (codes, books, w) = Random(random, n, k, bits);
                var a = Enumerable.Range(0, m * k).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                var bias = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
                var c = new float[m * n];
                Kernels.CodebookGemm(a, k, codes, books, bits, c, n, m, n, k, bias, default, new float[Kernels.CodebookGemmScratch(m, n, k)]);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double expected = bias[j];
                        for (int p = 0; p < k; p++) expected += (double)a[i * k + p] * w[j * k + p];
                        Assert.True(Math.Abs(c[i * n + j] - expected) <= 1e-4 * (1 + Math.Abs(expected)) * (bits == 8 ? 100 : 1),
                            $"bits {bits}, m {m}, k {k}, [{i},{j}]: {c[i * n + j]} vs {expected}");
                    }
                var decoded = new float[n * k];
                Kernels.CodebookDecode(codes, books, bits, decoded, n, k);
                for (int q = 0; q < n * k; q++) Assert.Equal(w[q], decoded[q]);
            }
    }

    [Fact]
    public void Misuse_raises_argument_exceptions()
    {
        var codes = new byte[16];
        var books = new float[16];
        var a = new float[16];
        var c = new float[1];
        Assert.Contains("1, 2, 4 or 8 bits", Assert.Throws<ArgumentException>(() => Kernels.CodebookGemm(a, 16, codes, books, 3, c, 1, 1, 1, 16, default, default, default)).Message);
        Assert.Contains("index bytes", Assert.Throws<ArgumentException>(() => Kernels.CodebookGemm(a, 16, codes, books, 4, c, 1, 1, 2, 16, default, default, default)).Message);
        Assert.Throws<ArgumentException>(() => Kernels.CodebookGemm(a, 16, codes, books, 4, c, 1, 2, 1, 16, default, default, default));
        Assert.Throws<ArgumentException>(() => Kernels.CodebookDecode(codes, books, 4, new float[8], 1, 16));
    }
}
