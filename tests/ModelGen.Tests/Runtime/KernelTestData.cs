using System;

namespace ModelGen.Tests.Runtime;

/// <summary>Seeded data for kernel tests, and guarded buffers that catch writes outside the destination.</summary>
internal static class KernelTestData
{
    public const int Guard = 16;
    public const float Sentinel = 123456.75f;

    /// <summary>Uniform values in [-scale, scale], with NaN, ±∞ and ±0 mixed in when <paramref name="specials"/> is set.</summary>
    public static float[] Floats(int seed, int n, float scale = 4f, bool specials = false)
    {
        var random = new Random(seed);
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        if (specials)
        {
            float[] special = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f };
            for (int i = 0; i < n; i += 11) data[i] = special[random.Next(special.Length)];
        }
        return data;
    }

    /// <summary>A buffer with <see cref="Guard"/> sentinel elements either side of n destination elements.</summary>
    public static float[] GuardedDestination(int n)
    {
        var buffer = new float[n + 2 * Guard];
        Array.Fill(buffer, Sentinel);
        return buffer;
    }

    public static Span<float> Inner(float[] guarded, int n) => guarded.AsSpan(Guard, n);

    public static void AssertGuardsIntact(float[] guarded, int n)
    {
        for (int i = 0; i < Guard; i++)
        {
            if (guarded[i] != Sentinel) throw new Xunit.Sdk.XunitException($"wrote before the destination at {i - Guard} (n = {n})");
            if (guarded[Guard + n + i] != Sentinel) throw new Xunit.Sdk.XunitException($"wrote after the destination at {n + i} (n = {n})");
        }
    }

    /// <summary>Equal, both NaN, or within abs + rel·|expected|.</summary>
    public static bool Close(double actual, double expected, double rel, double abs = 0)
    {
        if (double.IsNaN(expected)) return double.IsNaN(actual);
        if (double.IsInfinity(expected)) return actual == expected;
        return Math.Abs(actual - expected) <= abs + rel * Math.Abs(expected);
    }

    public static void AssertClose(ReadOnlySpan<float> actual, Func<int, double> expected, double rel, double abs, string what)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            double e = expected(i);
            if (!Close(actual[i], e, rel, abs))
                throw new Xunit.Sdk.XunitException($"{what}: element {i} of {actual.Length} is {actual[i]:R}, expected {e:R}");
        }
    }
}
