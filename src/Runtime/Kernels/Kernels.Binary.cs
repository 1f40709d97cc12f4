using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ModelGen.Runtime.Operators;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// Multidirectional broadcasting: <paramref name="shape"/> is the output shape, and the strides give each input's
    /// element step per output axis (0 on a broadcast axis). The innermost axis runs vectorized when both inputs are
    /// contiguous or one of them is constant along it.
    /// </summary>
    public static void Binary<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides) where TOp : struct, IBinaryOperator
    {
        int rank = shape.Length;
        if (rank == 0)
        {
            destination[0] = TOp.Invoke(a[0], b[0]);
            return;
        }
        int inner = shape[rank - 1];
        int outer = destination.Length / Math.Max(inner, 1);
        if (inner == 0 || destination.Length == 0) return;
        int sa = aStrides[rank - 1], sb = bStrides[rank - 1];
        Span<int> index = stackalloc int[Math.Max(rank - 1, 1)];
        index.Clear();
        int offA = 0, offB = 0;
        for (int row = 0; row < outer; row++)
        {
            var d = destination.Slice(row * inner, inner);
            BinaryRow<TOp>(ref MemoryMarshal.GetReference(a.Slice(offA)), sa, ref MemoryMarshal.GetReference(b.Slice(offB)), sb, d);
            // Advance the outer index like an odometer, updating offsets incrementally.
            for (int axis = rank - 2; axis >= 0; axis--)
            {
                index[axis]++;
                offA += aStrides[axis];
                offB += bStrides[axis];
                if (index[axis] < shape[axis]) break;
                offA -= aStrides[axis] * shape[axis];
                offB -= bStrides[axis] * shape[axis];
                index[axis] = 0;
            }
        }
    }

    /// <summary>One output row; each input has stride 1 (contiguous) or 0 (a repeated scalar).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BinaryRow<TOp>(ref float a, int sa, ref float b, int sb, Span<float> destination) where TOp : struct, IBinaryOperator
    {
        ref float dst = ref MemoryMarshal.GetReference(destination);
        int n = destination.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var sa512 = Vector512.Create(a); var sb512 = Vector512.Create(b);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                TOp.Invoke(sa == 0 ? sa512 : Vector512.LoadUnsafe(ref a, (nuint)i), sb == 0 ? sb512 : Vector512.LoadUnsafe(ref b, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var sa256 = Vector256.Create(a); var sb256 = Vector256.Create(b);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                TOp.Invoke(sa == 0 ? sa256 : Vector256.LoadUnsafe(ref a, (nuint)i), sb == 0 ? sb256 : Vector256.LoadUnsafe(ref b, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var sa128 = Vector128.Create(a); var sb128 = Vector128.Create(b);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                TOp.Invoke(sa == 0 ? sa128 : Vector128.LoadUnsafe(ref a, (nuint)i), sb == 0 ? sb128 : Vector128.LoadUnsafe(ref b, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref dst, i) = TOp.Invoke(Unsafe.Add(ref a, i * sa), Unsafe.Add(ref b, i * sb));
    }

    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        => Binary<AddOperator>(a, b, destination, shape, aStrides, bStrides);
}
