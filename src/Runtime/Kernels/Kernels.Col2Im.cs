using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// Col2Im over <paramref name="planes"/> (batch × channels) planes, 1-D and 2-D images padded to 3-D (size, block,
    /// stride and dilation 1, pad 0 on the unused leading axes): x [planes, ∏block, ∏blocks] is summed into
    /// y [planes, ∏image]. Each block row is a contiguous run of x added into an image row, vectorized when the stride is 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Col2Im(ReadOnlySpan<float> x, Span<float> y, int planes, ReadOnlySpan<int> image, ReadOnlySpan<int> block,
        ReadOnlySpan<int> blocks, ReadOnlySpan<int> strides, ReadOnlySpan<int> dilations, ReadOnlySpan<int> padBegin)
    {
        if (image.Length != 3 || block.Length != 3 || blocks.Length != 3 || strides.Length != 3 || dilations.Length != 3 || padBegin.Length != 3)
            throw new ArgumentException("Col2Im takes 3-D geometry.");
        int pixels = image[0] * image[1] * image[2], kernel = block[0] * block[1] * block[2], count = blocks[0] * blocks[1] * blocks[2];
        if (x.Length < (long)planes * kernel * count || y.Length < (long)planes * pixels) throw new ArgumentException("Col2Im operand too short.");
        y.Slice(0, planes * pixels).Clear();
        for (int p = 0; p < planes; p++)
        {
            var dst = y.Slice(p * pixels, pixels);
            for (int kd = 0, k = 0; kd < block[0]; kd++)
                for (int kh = 0; kh < block[1]; kh++)
                    for (int kw = 0; kw < block[2]; kw++, k++)
                    {
                        var src = x.Slice((p * kernel + k) * count, count);
                        // Block columns whose image column lies inside: lw in [lo, hi).
                        int offsetW = kw * dilations[2] - padBegin[2];
                        int lo = offsetW >= 0 ? 0 : (-offsetW + strides[2] - 1) / strides[2];
                        int last = image[2] - 1 - offsetW;
                        int hi = last < 0 ? 0 : Math.Min(blocks[2], last / strides[2] + 1);
                        if (lo >= hi) continue;
                        for (int ld = 0; ld < blocks[0]; ld++)
                        {
                            int id = ld * strides[0] - padBegin[0] + kd * dilations[0];
                            if ((uint)id >= (uint)image[0]) continue;
                            for (int lh = 0; lh < blocks[1]; lh++)
                            {
                                int ih = lh * strides[1] - padBegin[1] + kh * dilations[1];
                                if ((uint)ih >= (uint)image[1]) continue;
                                var row = src.Slice((ld * blocks[1] + lh) * blocks[2] + lo, hi - lo);
                                int start = (id * image[1] + ih) * image[2] + lo * strides[2] + offsetW;
                                if (strides[2] == 1) AddRow(row, dst.Slice(start, hi - lo));
                                else
                                    for (int i = 0; i < row.Length; i++) dst[start + i * strides[2]] += row[i];
                            }
                        }
                    }
        }
    }

    /// <summary>destination += source.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow(ReadOnlySpan<float> source, Span<float> destination)
    {
        ref float rs = ref MemoryMarshal.GetReference(source);
        ref float rd = ref MemoryMarshal.GetReference(destination);
        int n = Math.Min(source.Length, destination.Length), i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                (Vector512.LoadUnsafe(ref rd, (nuint)i) + Vector512.LoadUnsafe(ref rs, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref rd, (nuint)i) + Vector256.LoadUnsafe(ref rs, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                (Vector128.LoadUnsafe(ref rd, (nuint)i) + Vector128.LoadUnsafe(ref rs, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref rd, i) += Unsafe.Add(ref rs, i);
    }
}
