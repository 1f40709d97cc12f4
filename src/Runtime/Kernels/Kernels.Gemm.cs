using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// y[m,n] = alpha * a[m,k] · b[k,n] + bias, where bias has n elements (one row), m·n, or none, all row-major. The generator pre-transposes
    /// constant operands at build time, so only this layout is needed at run time.
    /// </summary>
    public static void Gemm(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> y, int m, int n, int k, float alpha = 1f)
    {
        if (a.Length < m * k || b.Length < k * n || y.Length < m * n) throw new ArgumentException("Gemm operand too short.");
        for (int i = 0; i < m; i++)
        {
            var row = y.Slice(i * n, n);
            if (bias.Length == n) bias.CopyTo(row);
            else if (bias.Length == m * n) bias.Slice(i * n, n).CopyTo(row);
            else row.Clear();
            ref float ai = ref MemoryMarshal.GetReference(a.Slice(i * k, k));
            for (int p = 0; p < k; p++)
            {
                float s = alpha * Unsafe.Add(ref ai, p);
                if (s == 0f) continue;
                Axpy(s, b.Slice(p * n, n), row);
            }
        }
    }

    /// <summary>dst[c, r] = src[r, c] for a row-major [rows, cols] source.</summary>
    public static void Transpose2D(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                dst[c * rows + r] = src[r * cols + c];
    }

    /// <summary>y += s * x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Axpy(float s, ReadOnlySpan<float> x, Span<float> y)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vs = Vector512.Create(s);
            for (; i <= n - 16; i += 16)
                Vector512.FusedMultiplyAdd(vs, Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vs = Vector256.Create(s);
            for (; i <= n - 8; i += 8)
                Vector256.FusedMultiplyAdd(vs, Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var vs = Vector128.Create(s);
            for (; i <= n - 4; i += 4)
                Vector128.FusedMultiplyAdd(vs, Vector128.LoadUnsafe(ref xr, (nuint)i), Vector128.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref yr, i) = MathF.FusedMultiplyAdd(s, Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
    }
}
