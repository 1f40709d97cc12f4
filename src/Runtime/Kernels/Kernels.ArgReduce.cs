using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

/// <summary>ArgMax, ArgMin, Hardmax (over one axis of x viewed as [outer, axis, inner]) and CumSum/CumProd.</summary>
public static partial class Kernels
{
    /// <summary>
    /// The index of the largest element along the axis, into destination [outer, inner]; ties give the first index, or
    /// the last with <paramref name="selectLastIndex"/>. A contiguous row (inner = 1) uses TensorPrimitives.IndexOfMax;
    /// strided rows keep one running maximum per inner position, walking the rows in memory order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ArgMax<T>(ReadOnlySpan<T> x, Span<long> destination, int outer, int axis, int inner, bool selectLastIndex)
        where T : unmanaged, INumber<T> => ArgExtremum(x, destination, outer, axis, inner, selectLastIndex, max: true);

    /// <summary>The index of the smallest element along the axis (see <see cref="ArgMax{T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ArgMin<T>(ReadOnlySpan<T> x, Span<long> destination, int outer, int axis, int inner, bool selectLastIndex)
        where T : unmanaged, INumber<T> => ArgExtremum(x, destination, outer, axis, inner, selectLastIndex, max: false);

    private static void ArgExtremum<T>(ReadOnlySpan<T> x, Span<long> destination, int outer, int axis, int inner, bool selectLastIndex, bool max)
        where T : unmanaged, INumber<T>
    {
        if (outer < 0 || axis <= 0 || inner < 0) throw new ArgumentException("ArgMax/ArgMin need a non-empty axis.");
        if (x.Length < (long)outer * axis * inner || destination.Length < (long)outer * inner) throw new ArgumentException("A span is too short for [outer, axis, inner].");
        for (int o = 0; o < outer; o++)
        {
            var block = x.Slice(o * axis * inner, axis * inner);
            var result = destination.Slice(o * inner, inner);
            if (inner == 1 && !selectLastIndex)
            {
                result[0] = max ? TensorPrimitives.IndexOfMax(block) : TensorPrimitives.IndexOfMin(block);
                continue;
            }
            result.Clear();
            int done = typeof(T) == typeof(float) ? ArgExtremumColumns(MemoryMarshal.Cast<T, float>(block), result, axis, inner, selectLastIndex, max) : 0;
            if (done == inner) continue;
            for (int k = 1; k < axis; k++)
            {
                var row = block.Slice(k * inner, inner);
                for (int j = done; j < inner; j++)
                {
                    T v = row[j], best = block[(int)result[j] * inner + j];
                    bool better = max ? (selectLastIndex ? v >= best : v > best) : (selectLastIndex ? v <= best : v < best);
                    if (better) result[j] = k;
                }
            }
        }
    }

    /// <summary>
    /// The float strided case, 8 (or 4) inner positions at a time: a running best value and best index per lane, updated
    /// with the same comparison as the scalar loop (so NaN and ties resolve alike). Returns how many leading inner positions
    /// it finished; the scalar loop does the rest.
    /// </summary>
    private static int ArgExtremumColumns(ReadOnlySpan<float> block, Span<long> result, int axis, int inner, bool selectLastIndex, bool max)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Span<int> lanes = stackalloc int[Vector256<int>.Count];
            for (; j + Vector256<float>.Count <= inner; j += Vector256<float>.Count)
            {
                var best = Vector256.Create(block.Slice(j, Vector256<float>.Count));
                var index = Vector256<int>.Zero;
                for (int k = 1; k < axis; k++)
                {
                    var v = Vector256.Create(block.Slice(k * inner + j, Vector256<float>.Count));
                    var better = max ? (selectLastIndex ? Vector256.GreaterThanOrEqual(v, best) : Vector256.GreaterThan(v, best))
                                     : (selectLastIndex ? Vector256.LessThanOrEqual(v, best) : Vector256.LessThan(v, best));
                    best = Vector256.ConditionalSelect(better, v, best);
                    index = Vector256.ConditionalSelect(better.AsInt32(), Vector256.Create(k), index);
                }
                index.CopyTo(lanes);
                for (int l = 0; l < lanes.Length; l++) result[j + l] = lanes[l];
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            Span<int> lanes = stackalloc int[Vector128<int>.Count];
            for (; j + Vector128<float>.Count <= inner; j += Vector128<float>.Count)
            {
                var best = Vector128.Create(block.Slice(j, Vector128<float>.Count));
                var index = Vector128<int>.Zero;
                for (int k = 1; k < axis; k++)
                {
                    var v = Vector128.Create(block.Slice(k * inner + j, Vector128<float>.Count));
                    var better = max ? (selectLastIndex ? Vector128.GreaterThanOrEqual(v, best) : Vector128.GreaterThan(v, best))
                                     : (selectLastIndex ? Vector128.LessThanOrEqual(v, best) : Vector128.LessThan(v, best));
                    best = Vector128.ConditionalSelect(better, v, best);
                    index = Vector128.ConditionalSelect(better.AsInt32(), Vector128.Create(k), index);
                }
                index.CopyTo(lanes);
                for (int l = 0; l < lanes.Length; l++) result[j + l] = lanes[l];
            }
        }
        return j;
    }

    /// <summary>1 at the first maximum along the axis, 0 elsewhere (ONNX Hardmax).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Hardmax(ReadOnlySpan<float> x, Span<float> destination, int outer, int axis, int inner)
    {
        if (outer < 0 || axis < 0 || inner < 0) throw new ArgumentException("Negative dimension.");
        if (x.Length < (long)outer * axis * inner || destination.Length < (long)outer * axis * inner) throw new ArgumentException("A span is too short for [outer, axis, inner].");
        destination.Slice(0, outer * axis * inner).Clear();
        if (axis == 0) return;
        for (int o = 0; o < outer; o++)
        {
            var block = x.Slice(o * axis * inner, axis * inner);
            var y = destination.Slice(o * axis * inner, axis * inner);
            if (inner == 1)
            {
                y[TensorPrimitives.IndexOfMax(block)] = 1f;
                continue;
            }
            for (int j = 0; j < inner; j++)
            {
                int best = 0;
                for (int k = 1; k < axis; k++)
                    if (block[k * inner + j] > block[best * inner + j]) best = k;
                y[best * inner + j] = 1f;
            }
        }
    }

    /// <summary>
    /// Running sums along the axis given at run time (<paramref name="axis"/>[0], negative from the end) of x with the
    /// given shape; exclusive leaves each element out of its own sum, reverse runs from the end. Rows of inner elements
    /// are added with TensorPrimitives (vectorized); a contiguous axis (inner = 1) runs serially.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CumSum<T, TAxis>(ReadOnlySpan<T> x, ReadOnlySpan<TAxis> axis, Span<T> destination, ReadOnlySpan<int> shape, bool exclusive, bool reverse)
        where T : unmanaged, INumber<T> where TAxis : unmanaged, IBinaryInteger<TAxis> =>
        Cumulative(x, axis, destination, shape, exclusive, reverse, product: false);

    /// <summary>Running products (see <see cref="CumSum{T, TAxis}"/>); an exclusive product starts at 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CumProd<T, TAxis>(ReadOnlySpan<T> x, ReadOnlySpan<TAxis> axis, Span<T> destination, ReadOnlySpan<int> shape, bool exclusive, bool reverse)
        where T : unmanaged, INumber<T> where TAxis : unmanaged, IBinaryInteger<TAxis> =>
        Cumulative(x, axis, destination, shape, exclusive, reverse, product: true);

    private static void Cumulative<T, TAxis>(ReadOnlySpan<T> x, ReadOnlySpan<TAxis> axisValue, Span<T> destination, ReadOnlySpan<int> shape, bool exclusive, bool reverse, bool product)
        where T : unmanaged, INumber<T> where TAxis : unmanaged, IBinaryInteger<TAxis>
    {
        int rank = shape.Length;
        if (axisValue.Length != 1) throw new ArgumentException("The axis must be one integer.", nameof(axisValue));
        long a = long.CreateTruncating(axisValue[0]);
        if (a < -Math.Max(rank, 1) || a >= Math.Max(rank, 1)) throw new ArgumentOutOfRangeException(nameof(axisValue), $"axis {a} is out of range for rank {rank}.");
        int d = (int)(a < 0 ? a + rank : a);
        int outer = 1, n = rank == 0 ? 1 : shape[d], inner = 1;
        for (int i = 0; i < d; i++) outer *= shape[i];
        for (int i = d + 1; i < rank; i++) inner *= shape[i];
        if (x.Length < (long)outer * n * inner || destination.Length < (long)outer * n * inner) throw new ArgumentException("A span is too short for the shape.");
        T identity = product ? T.One : T.Zero;
        for (int o = 0; o < outer; o++)
        {
            var src = x.Slice(o * n * inner, n * inner);
            var dst = destination.Slice(o * n * inner, n * inner);
            for (int s = 0; s < n; s++)
            {
                int k = reverse ? n - 1 - s : s, prev = reverse ? k + 1 : k - 1;
                var row = dst.Slice(k * inner, inner);
                if (s == 0)
                {
                    if (exclusive) row.Fill(identity);
                    else src.Slice(k * inner, inner).CopyTo(row);
                    continue;
                }
                // exclusive: y[k] = y[prev] ∘ x[prev]; inclusive: y[k] = y[prev] ∘ x[k].
                var previous = dst.Slice(prev * inner, inner);
                var operand = src.Slice((exclusive ? prev : k) * inner, inner);
                if (inner == 1) row[0] = product ? previous[0] * operand[0] : previous[0] + operand[0];
                else if (product) TensorPrimitives.Multiply<T>(previous, operand, row);
                else TensorPrimitives.Add<T>(previous, operand, row);
            }
        }
    }
}
