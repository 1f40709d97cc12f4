using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// NonZero on a tensor of <paramref name="shape"/>: the coordinates of its nonzero elements (NaN counts as nonzero),
    /// row-major, as the dense [rank, count] tensor from element 0 of <paramref name="coordinates"/> (capacity
    /// rank × elements), zeros after it; count[0] = count.
    /// </summary>
    public static void NonZero<T>(ReadOnlySpan<T> x, Span<long> coordinates, Span<int> count, ReadOnlySpan<int> shape) where T : unmanaged
    {
        int rank = shape.Length;
        int found = 0;
        for (int i = 0; i < x.Length; i++)
            if (!EqualityComparer<T>.Default.Equals(x[i], default)) found++;
        // Coordinates of the running position, advanced like an odometer.
        Span<int> at = stackalloc int[rank];
        at.Clear();
        int k = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(x[i], default))
            {
                for (int d = 0; d < rank; d++) coordinates[d * found + k] = at[d];
                k++;
            }
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++at[d] < shape[d]) break;
                at[d] = 0;
            }
        }
        coordinates.Slice(rank * found).Clear();
        count[0] = found;
    }

    /// <summary>
    /// Unique along the middle axis of x viewed as [outer, axis, inner] (outer = inner = 1 for the flattened form): the
    /// distinct slices x[:, j, :], sorted (lexicographically, in memory order) or in order of first occurrence. Writes y as
    /// the dense [outer, count, inner] tensor, indices (first occurrences) and counts as [count], inverse as [axis]
    /// (any of them may be empty: not wanted), zeros after the valid data, and count[0] = count.
    /// scratch: 7·axis ints.
    /// </summary>
    public static void Unique<T>(ReadOnlySpan<T> x, Span<T> y, Span<long> indices, Span<long> inverse, Span<long> counts,
        Span<int> count, Span<byte> scratch, int outer, int axis, int inner, bool sorted) where T : unmanaged
    {
        var ints = MemoryMarshal.Cast<byte, int>(scratch);
        var order = ints.Slice(0, axis);
        var merge = ints.Slice(axis, axis);
        var groupOf = ints.Slice(2 * axis, axis);
        var groupFirst = ints.Slice(3 * axis, axis);
        var groupCount = ints.Slice(4 * axis, axis);
        var rank = ints.Slice(5 * axis, axis);
        var firstOf = ints.Slice(6 * axis, axis);
        for (int j = 0; j < axis; j++) order[j] = j;
        // Stable, so each run of equal slices starts with its first occurrence.
        MergeSortSlices(x, order, merge, outer, axis, inner);

        int groups = 0;
        for (int k = 0; k < axis; k++)
        {
            int j = order[k];
            if (k == 0 || CompareSlices(x, order[k - 1], j, outer, axis, inner) != 0)
            {
                groupFirst[groups] = j;
                groupCount[groups] = 0;
                groups++;
            }
            groupOf[j] = groups - 1;
            groupCount[groups - 1]++;
        }
        if (sorted)
        {
            for (int g = 0; g < groups; g++) rank[g] = g;
        }
        else
        {
            firstOf.Fill(-1);
            for (int g = 0; g < groups; g++) firstOf[groupFirst[g]] = g;
            int next = 0;
            for (int j = 0; j < axis; j++)
                if (firstOf[j] >= 0) rank[firstOf[j]] = next++;
        }

        for (int g = 0; g < groups; g++)
        {
            int r = rank[g], j = groupFirst[g];
            if (!y.IsEmpty)
                for (int o = 0; o < outer; o++)
                    x.Slice((o * axis + j) * inner, inner).CopyTo(y.Slice((o * groups + r) * inner, inner));
            if (!indices.IsEmpty) indices[r] = j;
            if (!counts.IsEmpty) counts[r] = groupCount[g];
        }
        if (!inverse.IsEmpty)
            for (int j = 0; j < axis; j++) inverse[j] = rank[groupOf[j]];
        if (!y.IsEmpty) y.Slice(outer * groups * inner).Clear();
        if (!indices.IsEmpty) indices.Slice(groups).Clear();
        if (!counts.IsEmpty) counts.Slice(groups).Clear();
        count[0] = groups;
    }

    private static int CompareSlices<T>(ReadOnlySpan<T> x, int a, int b, int outer, int axis, int inner) where T : unmanaged
    {
        for (int o = 0; o < outer; o++)
        {
            var sa = x.Slice((o * axis + a) * inner, inner);
            var sb = x.Slice((o * axis + b) * inner, inner);
            for (int i = 0; i < inner; i++)
            {
                int c = Comparer<T>.Default.Compare(sa[i], sb[i]);
                if (c != 0) return c;
            }
        }
        return 0;
    }

    /// <summary>Bottom-up stable merge sort of slice numbers, <paramref name="buffer"/> as long as <paramref name="order"/>.</summary>
    private static void MergeSortSlices<T>(ReadOnlySpan<T> x, Span<int> order, Span<int> buffer, int outer, int axis, int inner) where T : unmanaged
    {
        int n = order.Length;
        var from = order;
        var to = buffer;
        bool inBuffer = false;
        for (int width = 1; width < n; width *= 2)
        {
            for (int start = 0; start < n; start += 2 * width)
            {
                int mid = Math.Min(start + width, n), end = Math.Min(start + 2 * width, n);
                int i = start, j = mid, k = start;
                while (i < mid && j < end)
                    to[k++] = CompareSlices(x, from[j], from[i], outer, axis, inner) < 0 ? from[j++] : from[i++];
                while (i < mid) to[k++] = from[i++];
                while (j < end) to[k++] = from[j++];
            }
            var t = from; from = to; to = t;
            inBuffer = !inBuffer;
        }
        if (inBuffer) from.CopyTo(order);
    }
}
