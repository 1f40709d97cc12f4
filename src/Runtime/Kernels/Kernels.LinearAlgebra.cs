using System;
using System.Runtime.CompilerServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// MaxUnpool: y is cleared, then each x[i] is written at y[indices[i]] (flat indices into the whole of y).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxUnpool<T>(ReadOnlySpan<T> x, ReadOnlySpan<long> indices, Span<T> y, int count) where T : unmanaged
    {
        if (x.Length < count || indices.Length < count) throw new ArgumentException("MaxUnpool operand too short.");
        y.Clear();
        for (int i = 0; i < count; i++)
        {
            long index = indices[i];
            if ((ulong)index >= (ulong)y.Length) throw new ArgumentOutOfRangeException(nameof(indices), "MaxUnpool index outside the output.");
            y[(int)index] = x[i];
        }
    }

    /// <summary>
    /// Det of x viewed as [batches, size, size]: Gaussian elimination with partial pivoting on a copy of each matrix in
    /// scratch (size·size floats); the determinant is the product of the pivots, negated per row swap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Det(ReadOnlySpan<float> x, Span<float> y, int batches, int size, Span<float> scratch)
    {
        int n = size, area = size * size;
        if (x.Length < (long)batches * area || y.Length < batches || scratch.Length < area) throw new ArgumentException("Det operand too short.");
        var a = scratch.Slice(0, area);
        for (int b = 0; b < batches; b++)
        {
            x.Slice(b * area, area).CopyTo(a);
            float det = 1;
            for (int k = 0; k < n && det != 0; k++)
            {
                int pivot = k;
                for (int r = k + 1; r < n; r++)
                    if (MathF.Abs(a[r * n + k]) > MathF.Abs(a[pivot * n + k])) pivot = r;
                float p = a[pivot * n + k];
                if (p == 0) { det = 0; break; }
                if (pivot != k)
                {
                    for (int c = 0; c < n; c++) (a[k * n + c], a[pivot * n + c]) = (a[pivot * n + c], a[k * n + c]);
                    det = -det;
                }
                det *= p;
                for (int r = k + 1; r < n; r++)
                {
                    float f = a[r * n + k] / p;
                    if (f == 0) continue;
                    var source = a.Slice(k * n + k + 1, n - k - 1);
                    var target = a.Slice(r * n + k + 1, n - k - 1);
                    for (int c = 0; c < source.Length; c++) target[c] -= f * source[c];
                }
            }
            y[b] = det;
        }
    }
}
