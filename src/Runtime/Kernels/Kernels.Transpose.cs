using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    private const int TransposeTile = 16;

    /// <summary>
    /// N-D permutation into a contiguous destination. <paramref name="shape"/> is the output shape and
    /// <paramref name="strides"/> the source element stride of each output axis, both simplified at build time
    /// (unit axes dropped, axes that stay neighbours merged). When the innermost output axis is contiguous in the
    /// source the generator emits block copies instead; here the source's innermost axis lands elsewhere, so each
    /// (that axis × output innermost axis) plane is transposed in cache-sized tiles.
    /// </summary>
    public static void Transpose<T>(ReadOnlySpan<T> source, Span<T> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides) where T : unmanaged
    {
        int rank = shape.Length;
        long count = 1, last = 0;
        for (int k = 0; k < rank; k++)
        {
            count *= shape[k];
            if (shape[k] == 0) return;
            if (strides[k] < 0) throw new ArgumentException("Transpose strides must not be negative.", nameof(strides));
            last += (long)(shape[k] - 1) * strides[k];
        }
        if (destination.Length < count || source.Length <= last) throw new ArgumentException("Transpose operand too short.");
        if (rank == 0)
        {
            destination[0] = source[0];
            return;
        }

        int a = rank - 1, b = -1;
        for (int k = 0; k < a; k++)
            if (strides[k] == 1) b = k;

        // Destination strides (contiguous) and the odometer over every axis except a and b.
        Span<int> dstStrides = stackalloc int[rank];
        int acc = 1;
        for (int k = rank - 1; k >= 0; k--) { dstStrides[k] = acc; acc *= shape[k]; }
        Span<int> index = stackalloc int[rank];
        index.Clear();
        ref T src = ref MemoryMarshal.GetReference(source);
        ref T dst = ref MemoryMarshal.GetReference(destination);

        if (b < 0)
        {
            // No output axis reads contiguously: gather each output row with its stride.
            int inner = shape[a], sa = strides[a];
            long rows = count / inner;
            int s = 0, d = 0;
            for (long row = 0; row < rows; row++)
            {
                for (int j = 0; j < inner; j++) Unsafe.Add(ref dst, d + j) = Unsafe.Add(ref src, s + j * sa);
                d += inner;
                for (int k = rank - 2; k >= 0; k--)
                {
                    index[k]++; s += strides[k];
                    if (index[k] < shape[k]) break;
                    s -= strides[k] * shape[k]; index[k] = 0;
                }
            }
            return;
        }

        int planes = (int)(count / ((long)shape[a] * shape[b]));
        int so = 0, dO = 0;
        for (int p = 0; p < planes; p++)
        {
            Transpose2DTiled(ref Unsafe.Add(ref src, so), strides[a], ref Unsafe.Add(ref dst, dO), dstStrides[b], shape[b], shape[a]);
            for (int k = rank - 1; k >= 0; k--)
            {
                if (k == a || k == b) continue;
                index[k]++; so += strides[k]; dO += dstStrides[k];
                if (index[k] < shape[k]) break;
                so -= strides[k] * shape[k]; dO -= dstStrides[k] * shape[k]; index[k] = 0;
            }
        }
    }

    /// <summary>dst[i·dstRowStride + j] = src[i + j·srcColStride] for i &lt; rows, j &lt; cols, in square tiles.</summary>
    private static void Transpose2DTiled<T>(ref T src, int srcColStride, ref T dst, int dstRowStride, int rows, int cols) where T : unmanaged
    {
        for (int i0 = 0; i0 < rows; i0 += TransposeTile)
        {
            int iEnd = Math.Min(i0 + TransposeTile, rows);
            for (int j0 = 0; j0 < cols; j0 += TransposeTile)
            {
                int jEnd = Math.Min(j0 + TransposeTile, cols);
                for (int i = i0; i < iEnd; i++)
                {
                    ref T dRow = ref Unsafe.Add(ref dst, (nint)i * dstRowStride);
                    ref T sCol = ref Unsafe.Add(ref src, i);
                    for (int j = j0; j < jEnd; j++)
                        Unsafe.Add(ref dRow, j) = Unsafe.Add(ref sCol, (nint)j * srcColStride);
                }
            }
        }
    }
}
