using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// Nearest-neighbour Resize from build-time tables. <paramref name="shape"/> is the output shape without its
    /// trailing unresized axes (merged into <paramref name="inner"/>-element blocks); <paramref name="offsets"/> holds,
    /// axis after axis, the source element offset of every output index (already multiplied by the source stride).
    /// An output row whose source row equals the previous one's is copied from the output (upsampling repeats rows).
    /// With <paramref name="extrapolate"/>, a negative summed offset marks a sample outside the input
    /// (tf_crop_and_resize), which gets <paramref name="extrapolationValue"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ResizeNearest<T>(ReadOnlySpan<T> x, Span<T> y, ReadOnlySpan<int> shape, ReadOnlySpan<int> offsets, int inner,
        bool extrapolate = false, T extrapolationValue = default) where T : unmanaged
    {
        int rank = shape.Length;
        if (rank == 0) { x.Slice(0, inner).CopyTo(y); return; }
        int cols = shape[rank - 1], rows = 1;
        for (int k = 0; k < rank - 1; k++) rows *= shape[k];
        int rowLength = cols * inner;
        if (rows == 0 || rowLength == 0) return;
        Span<int> index = stackalloc int[rank];
        Span<int> start = stackalloc int[rank];
        index.Clear();
        int acc = 0;
        for (int k = 0; k < rank; k++) { start[k] = acc; acc += shape[k]; }
        if (offsets.Length < acc || y.Length < (long)rows * rowLength) throw new ArgumentException("Resize tables or destination too short.");
        var columns = offsets.Slice(start[rank - 1], cols);

        int rowBase = 0;
        for (int k = 0; k < rank - 1; k++) rowBase += offsets[start[k]];
        int previous = int.MinValue, d = 0;
        for (int row = 0; row < rows; row++, d += rowLength)
        {
            var dst = y.Slice(d, rowLength);
            if (rowBase == previous && row > 0)
                y.Slice(d - rowLength, rowLength).CopyTo(dst);
            else if (extrapolate)
                NearestRowExtrapolate(x, dst, rowBase, columns, inner, extrapolationValue);
            else if (inner == 1)
                NearestRow(x, dst, rowBase, columns);
            else
                for (int j = 0; j < cols; j++) x.Slice(rowBase + columns[j], inner).CopyTo(dst.Slice(j * inner, inner));
            previous = rowBase;
            for (int k = rank - 2; k >= 0; k--)
            {
                rowBase -= offsets[start[k] + index[k]];
                if (++index[k] < shape[k]) { rowBase += offsets[start[k] + index[k]]; break; }
                index[k] = 0;
                rowBase += offsets[start[k]];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NearestRow<T>(ReadOnlySpan<T> x, Span<T> dst, int rowBase, ReadOnlySpan<int> columns) where T : unmanaged
    {
        ref T src = ref MemoryMarshal.GetReference(x);
        for (int j = 0; j < dst.Length; j++)
        {
            int s = rowBase + columns[j];
            if ((uint)s >= (uint)x.Length) throw new IndexOutOfRangeException();
            dst[j] = Unsafe.Add(ref src, s);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NearestRowExtrapolate<T>(ReadOnlySpan<T> x, Span<T> dst, int rowBase, ReadOnlySpan<int> columns, int inner, T value) where T : unmanaged
    {
        if (rowBase < 0) { dst.Fill(value); return; }
        for (int j = 0; j < columns.Length; j++)
        {
            int s = rowBase + columns[j];
            if (s < 0) dst.Slice(j * inner, inner).Fill(value);
            else x.Slice(s, inner).CopyTo(dst.Slice(j * inner, inner));
        }
    }

    /// <summary>
    /// One separable pass of linear (2 taps), cubic (4 taps) or antialiased (a window of taps) Resize along one axis: x viewed as
    /// [outer, inLength, inner], y as [outer, outLength, inner]. Output index j reads input indices index[t·outLength + j]
    /// with weights weight[t·outLength + j] for each tap t; index -1 marks a sample outside the input, which gets
    /// <paramref name="extrapolation"/>. With inner &gt; 1 each output row is a vectorized weighted sum of input rows;
    /// along the innermost axis it is a gather and a weighted sum per element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ResizeAxis(ReadOnlySpan<float> x, Span<float> y, int outer, int inLength, int outLength, int inner, int taps,
        ReadOnlySpan<int> index, ReadOnlySpan<float> weight, float extrapolation = 0f)
    {
        if (taps < 2) throw new ArgumentOutOfRangeException(nameof(taps));
        if (x.Length < (long)outer * inLength * inner || y.Length < (long)outer * outLength * inner) throw new ArgumentException("Resize operand too short.");
        if (index.Length < taps * outLength || weight.Length < taps * outLength) throw new ArgumentException("Resize tables too short.");
        for (int j = 0; j < outLength; j++)
        {
            bool outside = index[j] < 0;
            for (int t = 0; t < taps; t++)
            {
                int i = index[t * outLength + j];
                if (i >= inLength || i < -1 || (i < 0) != outside) throw new ArgumentException("Resize index out of range.");
            }
        }
        ref int idx = ref MemoryMarshal.GetReference(index);
        ref float w = ref MemoryMarshal.GetReference(weight);
        for (int o = 0; o < outer; o++)
        {
            var src = x.Slice(o * inLength * inner, inLength * inner);
            var dst = y.Slice(o * outLength * inner, outLength * inner);
            if (inner == 1)
            {
                // Along the innermost axis: gather the taps and weigh them (indices were checked above).
                ref float s = ref MemoryMarshal.GetReference(src);
                ref float d = ref MemoryMarshal.GetReference(dst);
                for (int j = 0; j < outLength; j++)
                {
                    if (Unsafe.Add(ref idx, j) < 0) { Unsafe.Add(ref d, j) = extrapolation; continue; }
                    float sum = Unsafe.Add(ref w, j) * Unsafe.Add(ref s, Unsafe.Add(ref idx, j))
                        + Unsafe.Add(ref w, outLength + j) * Unsafe.Add(ref s, Unsafe.Add(ref idx, outLength + j));
                    if (taps == 4)
                        sum += Unsafe.Add(ref w, 2 * outLength + j) * Unsafe.Add(ref s, Unsafe.Add(ref idx, 2 * outLength + j))
                            + Unsafe.Add(ref w, 3 * outLength + j) * Unsafe.Add(ref s, Unsafe.Add(ref idx, 3 * outLength + j));
                    else
                        for (int t = 2; t < taps; t++)
                            sum += Unsafe.Add(ref w, t * outLength + j) * Unsafe.Add(ref s, Unsafe.Add(ref idx, t * outLength + j));
                    Unsafe.Add(ref d, j) = sum;
                }
                continue;
            }
            for (int j = 0; j < outLength; j++)
            {
                var row = dst.Slice(j * inner, inner);
                if (index[j] < 0) { row.Fill(extrapolation); continue; }
                LerpRows(src.Slice(index[j] * inner, inner), src.Slice(index[outLength + j] * inner, inner), weight[j], weight[outLength + j], row);
                for (int t = 2; t < taps; t++)
                    if (taps <= 4 || weight[t * outLength + j] != 0f) // skips an antialias window's unused taps
                        AddWeightedRow(src.Slice(index[t * outLength + j] * inner, inner), weight[t * outLength + j], row);
            }
        }
    }

    /// <summary>destination += w·a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddWeightedRow(ReadOnlySpan<float> a, float w, Span<float> destination)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rd = ref MemoryMarshal.GetReference(destination);
        int n = destination.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var v = Vector512.Create(w);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                (Vector512.LoadUnsafe(ref rd, (nuint)i) + v * Vector512.LoadUnsafe(ref ra, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var v = Vector256.Create(w);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref rd, (nuint)i) + v * Vector256.LoadUnsafe(ref ra, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var v = Vector128.Create(w);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                (Vector128.LoadUnsafe(ref rd, (nuint)i) + v * Vector128.LoadUnsafe(ref ra, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref rd, i) += w * Unsafe.Add(ref ra, i);
    }

    /// <summary>destination = w0·a + w1·b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LerpRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float w0, float w1, Span<float> destination)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rd = ref MemoryMarshal.GetReference(destination);
        int n = destination.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var v0 = Vector512.Create(w0); var v1 = Vector512.Create(w1);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                (v0 * Vector512.LoadUnsafe(ref ra, (nuint)i) + v1 * Vector512.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var v0 = Vector256.Create(w0); var v1 = Vector256.Create(w1);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                (v0 * Vector256.LoadUnsafe(ref ra, (nuint)i) + v1 * Vector256.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var v0 = Vector128.Create(w0); var v1 = Vector128.Create(w1);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                (v0 * Vector128.LoadUnsafe(ref ra, (nuint)i) + v1 * Vector128.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref rd, i) = w0 * Unsafe.Add(ref ra, i) + w1 * Unsafe.Add(ref rb, i);
    }
}
