using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Runtime;

/// <summary>How ScatterElements and ScatterND combine an update with the value already there.</summary>
public enum ScatterReduction
{
    None,
    Add,
    Mul,
    Max,
    Min,
}

public static partial class Kernels
{
    /// <summary>An index from a run-time tensor: negative counts from the end; outside [-length, length) throws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CheckedIndex<TIndex>(TIndex raw, int length, string op) where TIndex : unmanaged, INumberBase<TIndex>
    {
        long i = long.CreateTruncating(raw);
        if (i < 0) i += length;
        if ((ulong)i >= (ulong)length) throw new IndexOutOfRangeException($"{op} index {long.CreateTruncating(raw)} is outside [-{length}, {length}).");
        return (int)i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Combine<T>(T current, T update, ScatterReduction reduction) where T : unmanaged, INumber<T> => reduction switch
    {
        ScatterReduction.Add => current + update,
        ScatterReduction.Mul => current * update,
        ScatterReduction.Max => T.Max(current, update),
        ScatterReduction.Min => T.Min(current, update),
        _ => update,
    };

    /// <summary>
    /// GatherElements: for every element e of indices (shape <paramref name="shape"/>), destination[e] = data at e's
    /// coordinates with the axis coordinate replaced by indices[e]. <paramref name="dataStrides"/> are data's strides with
    /// the axis's set to 0; <paramref name="axisStride"/> is the axis's own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherElements<T, TIndex>(ReadOnlySpan<T> data, ReadOnlySpan<TIndex> indices, Span<T> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> dataStrides, int axisStride, int axisLength)
        where T : unmanaged where TIndex : unmanaged, INumberBase<TIndex>
    {
        int rank = shape.Length, n = indices.Length;
        if (destination.Length < n) throw new ArgumentException("GatherElements destination too short.");
        Span<int> counter = stackalloc int[Math.Max(rank, 1)];
        counter.Clear();
        int offset = 0;
        for (int e = 0; e < n; e++)
        {
            destination[e] = data[offset + CheckedIndex(indices[e], axisLength, "GatherElements") * axisStride];
            offset = Advance(counter, shape, dataStrides, offset);
        }
    }

    /// <summary>
    /// ScatterElements (and Scatter-9): destination = data, then for every element e of indices, the element of
    /// destination at e's coordinates with the axis coordinate replaced by indices[e] is combined with updates[e].
    /// Strides as in <see cref="GatherElements{T, TIndex}"/>. destination may be data.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterElements<T, TIndex>(ReadOnlySpan<T> data, ReadOnlySpan<TIndex> indices, ReadOnlySpan<T> updates, Span<T> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> dataStrides, int axisStride, int axisLength, ScatterReduction reduction)
        where T : unmanaged, INumber<T> where TIndex : unmanaged, INumberBase<TIndex>
    {
        int rank = shape.Length, n = indices.Length;
        if (updates.Length < n || destination.Length < data.Length) throw new ArgumentException("ScatterElements operand too short.");
        data.CopyTo(destination);
        Span<int> counter = stackalloc int[Math.Max(rank, 1)];
        counter.Clear();
        int offset = 0;
        for (int e = 0; e < n; e++)
        {
            ref T target = ref destination[offset + CheckedIndex(indices[e], axisLength, "ScatterElements") * axisStride];
            target = Combine(target, updates[e], reduction);
            offset = Advance(counter, shape, dataStrides, offset);
        }
    }

    /// <summary>Steps a row-major counter over <paramref name="shape"/>, keeping offset = Σ counter·strides.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Advance(Span<int> counter, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, int offset)
    {
        for (int k = shape.Length - 1; k >= 0; k--)
        {
            counter[k]++;
            offset += strides[k];
            if (counter[k] < shape[k]) break;
            offset -= strides[k] * shape[k];
            counter[k] = 0;
        }
        return offset;
    }

    /// <summary>
    /// GatherND: data viewed as [batches, batchStride], indices as [batches, tuples, tupleLength]; each tuple selects a
    /// slice of sliceSize elements at Σ index_k·dimStrides[k] (index_k in [-dims[k], dims[k])) within its batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherND<T, TIndex>(ReadOnlySpan<T> data, ReadOnlySpan<TIndex> indices, Span<T> destination, int batches, int tuples,
        ReadOnlySpan<int> dims, ReadOnlySpan<int> dimStrides, int batchStride, int sliceSize)
        where T : unmanaged where TIndex : unmanaged, INumberBase<TIndex>
    {
        int m = dims.Length;
        if (indices.Length < (long)batches * tuples * m || destination.Length < (long)batches * tuples * sliceSize || data.Length < (long)batches * batchStride)
            throw new ArgumentException("GatherND operand too short.");
        for (int b = 0; b < batches; b++)
            for (int q = 0; q < tuples; q++)
            {
                int t = b * tuples + q, offset = b * batchStride;
                for (int k = 0; k < m; k++) offset += CheckedIndex(indices[t * m + k], dims[k], "GatherND") * dimStrides[k];
                data.Slice(offset, sliceSize).CopyTo(destination.Slice(t * sliceSize, sliceSize));
            }
    }

    /// <summary>
    /// ScatterND: destination = data, then each of the tuples (indices as [tuples, dims.Length]) combines its slice of
    /// updates (sliceSize elements) into the slice at Σ index_k·dimStrides[k]. destination may be data.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterND<T, TIndex>(ReadOnlySpan<T> data, ReadOnlySpan<TIndex> indices, ReadOnlySpan<T> updates, Span<T> destination, int tuples,
        ReadOnlySpan<int> dims, ReadOnlySpan<int> dimStrides, int sliceSize, ScatterReduction reduction)
        where T : unmanaged, INumber<T> where TIndex : unmanaged, INumberBase<TIndex>
    {
        int m = dims.Length;
        if (indices.Length < (long)tuples * m || updates.Length < (long)tuples * sliceSize || destination.Length < data.Length)
            throw new ArgumentException("ScatterND operand too short.");
        data.CopyTo(destination);
        for (int t = 0; t < tuples; t++)
        {
            int offset = 0;
            for (int k = 0; k < m; k++) offset += CheckedIndex(indices[t * m + k], dims[k], "ScatterND") * dimStrides[k];
            var target = destination.Slice(offset, sliceSize);
            var update = updates.Slice(t * sliceSize, sliceSize);
            if (reduction == ScatterReduction.None) update.CopyTo(target);
            else for (int i = 0; i < sliceSize; i++) target[i] = Combine(target[i], update[i], reduction);
        }
    }

    /// <summary>
    /// TensorScatter (a KV-cache update): destination = past viewed as [batches, heads, capacity, inner]; update
    /// [batches, heads, sequence, inner] is written at positions writeIndices[b] + s (modulo capacity when
    /// <paramref name="circular"/>). writeIndices may be empty (all 0). destination may be past.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TensorScatter<T>(ReadOnlySpan<T> past, ReadOnlySpan<T> update, ReadOnlySpan<long> writeIndices, Span<T> destination,
        int batches, int heads, int capacity, int sequence, int inner, bool circular) where T : unmanaged
    {
        if (destination.Length < past.Length || update.Length < (long)batches * heads * sequence * inner || (writeIndices.Length != 0 && writeIndices.Length < batches))
            throw new ArgumentException("TensorScatter operand too short.");
        past.CopyTo(destination);
        for (int b = 0; b < batches; b++)
        {
            long start = writeIndices.Length == 0 ? 0 : writeIndices[b];
            if (start < 0 || (!circular && start + sequence > capacity)) throw new IndexOutOfRangeException($"TensorScatter write index {start} does not fit a sequence of {sequence} in {capacity}.");
            for (int h = 0; h < heads; h++)
                for (int s = 0; s < sequence; s++)
                {
                    int position = (int)(circular ? (start + s) % capacity : start + s);
                    update.Slice(((b * heads + h) * sequence + s) * inner, inner).CopyTo(destination.Slice(((b * heads + h) * capacity + position) * inner, inner));
                }
        }
    }

    /// <summary>
    /// Trilu of x viewed as [batches, rows, cols]: keeps the elements with j ≥ i + k (upper) or j ≤ i + k (lower) and
    /// zeroes the rest. In place is allowed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Trilu<T>(ReadOnlySpan<T> x, Span<T> destination, int batches, int rows, int cols, long k, bool upper) where T : unmanaged
    {
        long total = (long)batches * rows * cols;
        if (x.Length < total || destination.Length < total) throw new ArgumentException("Trilu operand too short.");
        for (int b = 0; b < batches; b++)
            for (int i = 0; i < rows; i++)
            {
                int start = (b * rows + i) * cols;
                var src = x.Slice(start, cols);
                var dst = destination.Slice(start, cols);
                // Columns [0, split) are one side of the diagonal, [split, cols) the other.
                int split = (int)Math.Clamp(upper ? i + k : i + k + 1, 0, cols);
                if (upper)
                {
                    dst.Slice(0, split).Clear();
                    src.Slice(split).CopyTo(dst.Slice(split));
                }
                else
                {
                    src.Slice(0, split).CopyTo(dst.Slice(0, split));
                    dst.Slice(split).Clear();
                }
            }
    }

    /// <summary>
    /// OneHot: destination viewed as [outer, depth, inner] is values[0] except at each index of indices ([outer, inner],
    /// negative counting from the end), which gets values[1]. Indices outside [-depth, depth) select nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void OneHot<T, TIndex>(ReadOnlySpan<TIndex> indices, ReadOnlySpan<T> values, Span<T> destination, int outer, int depth, int inner)
        where T : unmanaged where TIndex : unmanaged, INumberBase<TIndex>
    {
        if (indices.Length < (long)outer * inner || values.Length < 2 || destination.Length < (long)outer * depth * inner)
            throw new ArgumentException("OneHot operand too short.");
        T off = values[0], on = values[1];
        destination.Slice(0, outer * depth * inner).Fill(off);
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                long i = long.CreateTruncating(indices[o * inner + j]);
                if (i < 0) i += depth;
                if ((ulong)i < (ulong)depth) destination[(int)((o * depth + i) * inner + j)] = on;
            }
    }

    /// <summary>
    /// TopK along the middle axis of [outer, axis, inner]: the k largest (or smallest) values in order, ties broken by
    /// the lower index, and their indices. <paramref name="scratch"/> holds axis (value, index) entries.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TopK<T>(ReadOnlySpan<T> x, Span<T> values, Span<long> indices, Span<byte> scratch, int outer, int axis, int inner, int k, bool largest)
        where T : unmanaged, INumber<T>
    {
        if (k < 0 || k > axis) throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} is outside [0, {axis}].");
        if (x.Length < (long)outer * axis * inner || values.Length < (long)outer * k * inner || indices.Length < (long)outer * k * inner)
            throw new ArgumentException("TopK operand too short.");
        if (largest) TopKCore<T, Largest<T>>(x, values, indices, MemoryMarshal.Cast<byte, Largest<T>>(scratch), outer, axis, inner, k);
        else TopKCore<T, Smallest<T>>(x, values, indices, MemoryMarshal.Cast<byte, Smallest<T>>(scratch), outer, axis, inner, k);
    }

    /// <summary>
    /// TopK whose k is read at run time (the K input): <paramref name="values"/> and <paramref name="indices"/> have the whole
    /// axis as capacity; the first outer·k·inner elements hold the [outer, k, inner] result, the rest are zero, and
    /// <paramref name="count"/>[0] = k.
    /// </summary>
    public static void TopKRunTimeK<T>(ReadOnlySpan<T> x, ReadOnlySpan<long> k, Span<T> values, Span<long> indices, Span<int> count, Span<byte> scratch,
        int outer, int axis, int inner, bool largest)
        where T : unmanaged, INumber<T>
    {
        long given = k[0];
        if (given < 0 || given > axis) throw new ArgumentOutOfRangeException(nameof(k), $"K = {given} is outside [0, {axis}], the length of the axis.");
        int n = (int)given, used = outer * n * inner;
        TopK(x, values, indices, scratch, outer, axis, inner, n, largest);
        values.Slice(used).Clear();
        indices.Slice(used).Clear();
        count[0] = n;
    }

    private static void TopKCore<T, TEntry>(ReadOnlySpan<T> x, Span<T> values, Span<long> indices, Span<TEntry> entries, int outer, int axis, int inner, int k)
        where T : unmanaged, INumber<T> where TEntry : unmanaged, ITopKEntry<T, TEntry>
    {
        if (entries.Length < axis) throw new ArgumentException("TopK scratch too short.");
        var column = entries.Slice(0, axis);
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                for (int a = 0; a < axis; a++) column[a] = TEntry.Create(x[(o * axis + a) * inner + j], a);
                column.Sort();
                for (int a = 0; a < k; a++)
                {
                    int at = (o * k + a) * inner + j;
                    values[at] = column[a].Value;
                    indices[at] = column[a].Index;
                }
            }
    }

    private interface ITopKEntry<T, TSelf> : IComparable<TSelf> where TSelf : ITopKEntry<T, TSelf>
    {
        static abstract TSelf Create(T value, int index);
        T Value { get; }
        int Index { get; }
    }

    /// <summary>Orders the larger value first, then the lower index.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Largest<T> : ITopKEntry<T, Largest<T>> where T : unmanaged, INumber<T>
    {
        private Largest(T value, int index) { Value = value; Index = index; }
        public T Value { get; }
        public int Index { get; }
        public static Largest<T> Create(T value, int index) => new(value, index);
        public int CompareTo(Largest<T> other) => Value > other.Value ? -1 : Value < other.Value ? 1 : Index.CompareTo(other.Index);
    }

    /// <summary>Orders the smaller value first, then the lower index.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Smallest<T> : ITopKEntry<T, Smallest<T>> where T : unmanaged, INumber<T>
    {
        private Smallest(T value, int index) { Value = value; Index = index; }
        public T Value { get; }
        public int Index { get; }
        public static Smallest<T> Create(T value, int index) => new(value, index);
        public int CompareTo(Smallest<T> other) => Value < other.Value ? -1 : Value > other.Value ? 1 : Index.CompareTo(other.Index);
    }

    /// <summary>
    /// ReverseSequence: for batch b, the first sequenceLengths[b] time steps are reversed and the rest copied. x is
    /// addressed as b·batchStride + t·timeStride + [0, inner).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReverseSequence<T>(ReadOnlySpan<T> x, ReadOnlySpan<long> sequenceLengths, Span<T> destination, int batches, int time,
        int batchStride, int timeStride, int inner) where T : unmanaged
    {
        if (sequenceLengths.Length < batches || x.Length < (long)batches * time * inner || destination.Length < (long)batches * time * inner)
            throw new ArgumentException("ReverseSequence operand too short.");
        for (int b = 0; b < batches; b++)
        {
            long length = sequenceLengths[b];
            if (length < 0 || length > time) throw new ArgumentOutOfRangeException(nameof(sequenceLengths), $"sequence length {length} is outside [0, {time}].");
            for (int t = 0; t < time; t++)
            {
                int source = t < length ? (int)length - 1 - t : t;
                x.Slice(b * batchStride + source * timeStride, inner).CopyTo(destination.Slice(b * batchStride + t * timeStride, inner));
            }
        }
    }
}
