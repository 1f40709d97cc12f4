using System;
using System.Runtime.CompilerServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// Strided block copy planned at build time (Concat, Split, Slice, Pad, Expand): for every index i of
    /// <paramref name="shape"/>, destination[dstOffset + Σ i·dstStrides] = source[srcOffset + Σ i·srcStrides].
    /// The generator merges contiguous axes first, so the innermost axis is usually a contiguous run (a vectorized
    /// CopyTo) or a broadcast (a Fill); other strides (negative for reversed slices) copy element by element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyStrided<T>(ReadOnlySpan<T> source, int srcOffset, Span<T> destination, int dstOffset,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> srcStrides, ReadOnlySpan<int> dstStrides) where T : unmanaged
    {
        int rank = shape.Length;
        if (rank == 0)
        {
            destination[dstOffset] = source[srcOffset];
            return;
        }
        int outer = 1;
        for (int k = 0; k < rank - 1; k++) outer *= shape[k];
        int inner = shape[rank - 1], si = srcStrides[rank - 1], di = dstStrides[rank - 1];
        if (outer == 0 || inner == 0) return;
        Span<int> index = stackalloc int[Math.Max(rank - 1, 1)];
        index.Clear();
        int s = srcOffset, d = dstOffset;
        for (int row = 0; row < outer; row++)
        {
            if (si == 1 && di == 1) source.Slice(s, inner).CopyTo(destination.Slice(d, inner));
            else if (si == 0 && di == 1) destination.Slice(d, inner).Fill(source[s]);
            else StridedRow(source, s, si, destination, d, di, inner);
            for (int k = rank - 2; k >= 0; k--)
            {
                index[k]++;
                s += srcStrides[k];
                d += dstStrides[k];
                if (index[k] < shape[k]) break;
                s -= srcStrides[k] * shape[k];
                d -= dstStrides[k] * shape[k];
                index[k] = 0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StridedRow<T>(ReadOnlySpan<T> source, int s, int si, Span<T> destination, int d, int di, int count) where T : unmanaged
    {
        // Bounds are checked once per row; the loop then runs without checks.
        _ = source[s + (count - 1) * si];
        _ = source[s];
        _ = destination[d + (count - 1) * di];
        _ = destination[d];
        ref T src = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(source);
        ref T dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        for (int i = 0; i < count; i++, s += si, d += di)
            Unsafe.Add(ref dst, d) = Unsafe.Add(ref src, s);
    }

    /// <summary>Fills a strided box of <paramref name="destination"/> with <paramref name="value"/> (Pad borders).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FillStrided<T>(Span<T> destination, int offset, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, T value) where T : unmanaged
    {
        int rank = shape.Length;
        if (rank == 0)
        {
            destination[offset] = value;
            return;
        }
        int outer = 1;
        for (int k = 0; k < rank - 1; k++) outer *= shape[k];
        int inner = shape[rank - 1], di = strides[rank - 1];
        if (outer == 0 || inner == 0) return;
        Span<int> index = stackalloc int[Math.Max(rank - 1, 1)];
        index.Clear();
        int d = offset;
        for (int row = 0; row < outer; row++)
        {
            if (di == 1) destination.Slice(d, inner).Fill(value);
            else for (int i = 0; i < inner; i++) destination[d + i * di] = value;
            for (int k = rank - 2; k >= 0; k--)
            {
                index[k]++;
                d += strides[k];
                if (index[k] < shape[k]) break;
                d -= strides[k] * shape[k];
                index[k] = 0;
            }
        }
    }
}
