using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose2DTiled<T>(ref T src, int srcColStride, ref T dst, int dstRowStride, int rows, int cols) where T : unmanaged
    {
        bool blocks = Unsafe.SizeOf<T>() == 4 && (Sse.IsSupported || AdvSimd.Arm64.IsSupported);
        for (int i0 = 0; i0 < rows; i0 += TransposeTile)
        {
            int iEnd = Math.Min(i0 + TransposeTile, rows);
            for (int j0 = 0; j0 < cols; j0 += TransposeTile)
            {
                int jEnd = Math.Min(j0 + TransposeTile, cols);
                int iVec = i0, jVec = j0;
                if (blocks)
                {
                    // 4x4 blocks in registers, then the ragged right and bottom edges element by element.
                    iVec = i0 + (iEnd - i0) / 4 * 4;
                    jVec = j0 + (jEnd - j0) / 4 * 4;
                    for (int i = i0; i < iVec; i += 4)
                        for (int j = j0; j < jVec; j += 4)
                            Transpose4x4(ref Unsafe.As<T, float>(ref Unsafe.Add(ref src, i + (nint)j * srcColStride)), srcColStride,
                                ref Unsafe.As<T, float>(ref Unsafe.Add(ref dst, (nint)i * dstRowStride + j)), dstRowStride);
                    TransposeScalar(ref src, srcColStride, ref dst, dstRowStride, i0, iVec, jVec, jEnd);
                }
                TransposeScalar(ref src, srcColStride, ref dst, dstRowStride, iVec, iEnd, j0, jEnd);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeScalar<T>(ref T src, int srcColStride, ref T dst, int dstRowStride, int iStart, int iEnd, int jStart, int jEnd) where T : unmanaged
    {
        for (int i = iStart; i < iEnd; i++)
        {
            ref T dRow = ref Unsafe.Add(ref dst, (nint)i * dstRowStride);
            ref T sCol = ref Unsafe.Add(ref src, i);
            for (int j = jStart; j < jEnd; j++)
                Unsafe.Add(ref dRow, j) = Unsafe.Add(ref sCol, (nint)j * srcColStride);
        }
    }

    /// <summary>
    /// A 4x4 block of 32-bit elements: four source rows (stride srcStride) become four destination rows (stride
    /// dstStride) with two rounds of interleaves (SSE unpack, ARM zip); the bits are moved, never interpreted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(ref float src, int srcStride, ref float dst, int dstStride)
    {
        var v0 = Vector128.LoadUnsafe(ref src);
        var v1 = Vector128.LoadUnsafe(ref src, (nuint)srcStride);
        var v2 = Vector128.LoadUnsafe(ref src, (nuint)(2 * srcStride));
        var v3 = Vector128.LoadUnsafe(ref src, (nuint)(3 * srcStride));
        var t0 = InterleaveLow(v0, v1);
        var t1 = InterleaveLow(v2, v3);
        var t2 = InterleaveHigh(v0, v1);
        var t3 = InterleaveHigh(v2, v3);
        InterleaveLow(t0.AsDouble(), t1.AsDouble()).AsSingle().StoreUnsafe(ref dst);
        InterleaveHigh(t0.AsDouble(), t1.AsDouble()).AsSingle().StoreUnsafe(ref dst, (nuint)dstStride);
        InterleaveLow(t2.AsDouble(), t3.AsDouble()).AsSingle().StoreUnsafe(ref dst, (nuint)(2 * dstStride));
        InterleaveHigh(t2.AsDouble(), t3.AsDouble()).AsSingle().StoreUnsafe(ref dst, (nuint)(3 * dstStride));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> InterleaveLow(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported ? Sse.UnpackLow(a, b) : AdvSimd.Arm64.ZipLow(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> InterleaveHigh(Vector128<float> a, Vector128<float> b) =>
        Sse.IsSupported ? Sse.UnpackHigh(a, b) : AdvSimd.Arm64.ZipHigh(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> InterleaveLow(Vector128<double> a, Vector128<double> b) =>
        Sse2.IsSupported ? Sse2.UnpackLow(a, b) : AdvSimd.Arm64.ZipLow(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> InterleaveHigh(Vector128<double> a, Vector128<double> b) =>
        Sse2.IsSupported ? Sse2.UnpackHigh(a, b) : AdvSimd.Arm64.ZipHigh(a, b);
}
