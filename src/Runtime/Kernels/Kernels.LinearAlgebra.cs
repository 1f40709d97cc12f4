using System;
using System.Runtime.CompilerServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// MaxUnpool: y ([planes, toDepth, toHeight, toWidth]) is cleared, then each x[i] is written where flat index indices[i]
    /// of the indexed extent [planes, fromDepth, fromHeight, fromWidth] lands (the same place when both extents agree;
    /// a larger output keeps its extra rows and columns zero).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxUnpool<T>(ReadOnlySpan<T> x, ReadOnlySpan<long> indices, Span<T> y, int count, int planes,
        int fromDepth, int fromHeight, int fromWidth, int toDepth, int toHeight, int toWidth) where T : unmanaged
    {
        long fromArea = (long)fromDepth * fromHeight * fromWidth, fromRow = (long)fromHeight * fromWidth;
        if (x.Length < count || indices.Length < count || y.Length < (long)planes * toDepth * toHeight * toWidth)
            throw new ArgumentException("MaxUnpool operand too short.");
        y.Clear();
        for (int i = 0; i < count; i++)
        {
            long index = indices[i];
            if (index < 0 || index >= planes * fromArea) throw new ArgumentOutOfRangeException(nameof(indices), "MaxUnpool index outside the unpooled extent.");
            long plane = index / fromArea, r = index - plane * fromArea;
            long d = r / fromRow, h = r / fromWidth % fromHeight, w = r % fromWidth;
            y[(int)(((plane * toDepth + d) * toHeight + h) * toWidth + w)] = x[i];
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
