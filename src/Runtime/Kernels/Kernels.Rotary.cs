using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// Rotary position embedding. Head row (b, h, s) starts at b·batchStride + h·headStride + s·sequenceStride in both
    /// x and destination and is headSize long; its first rotaryDim elements rotate, the rest are copied. The cos and sin caches hold rotaryDim/2 values per position: rows indexed by
    /// positionIds[b, s] (a cache of [positions, rotaryDim/2]) or, without position ids, the rows of a [batch, sequence,
    /// rotaryDim/2] cache. Split halves (interleaved = false) rotate (x[i], x[i + rotaryDim/2]); interleaved pairs rotate
    /// (x[2i], x[2i + 1]): (a, b) → (a·cos - b·sin, b·cos + a·sin).
    /// </summary>
    public static void RotaryEmbedding(ReadOnlySpan<float> x, ReadOnlySpan<float> cosCache, ReadOnlySpan<float> sinCache, ReadOnlySpan<long> positionIds,
        Span<float> destination, int batch, int heads, int sequence, int headSize, int rotaryDim, int batchStride, int headStride, int sequenceStride,
        bool interleaved)
    {
        var g = (Batch: batch, Heads: heads, Sequence: sequence, HeadSize: headSize, RotaryDim: rotaryDim, BatchStride: batchStride, HeadStride: headStride,
            SequenceStride: sequenceStride);
        int half = g.RotaryDim / 2;
        long last = (long)(g.Batch - 1) * g.BatchStride + (long)(g.Heads - 1) * g.HeadStride + (long)(g.Sequence - 1) * g.SequenceStride + g.HeadSize;
        if (g.Batch == 0 || g.Heads == 0 || g.Sequence == 0) return;
        if (x.Length < last || destination.Length < last) throw new ArgumentException("RotaryEmbedding operand too short.");
        if (cosCache.Length != sinCache.Length) throw new ArgumentException("RotaryEmbedding cos and sin caches differ in length.");
        int positions = cosCache.Length / Math.Max(half, 1);
        for (int b = 0; b < g.Batch; b++)
        {
            for (int s = 0; s < g.Sequence; s++)
            {
                int row;
                if (positionIds.IsEmpty)
                {
                    row = b * g.Sequence + s;
                    if (row >= positions) throw new ArgumentException("RotaryEmbedding cache shorter than batch·sequence rows.");
                }
                else
                {
                    long p = positionIds[b * g.Sequence + s];
                    if (p < 0 || p >= positions) throw new IndexOutOfRangeException($"Position id {p} is outside the cache's [0, {positions}).");
                    row = (int)p;
                }
                var cos = cosCache.Slice(row * half, half);
                var sin = sinCache.Slice(row * half, half);
                for (int h = 0; h < g.Heads; h++)
                {
                    int start = b * g.BatchStride + h * g.HeadStride + s * g.SequenceStride;
                    var src = x.Slice(start, g.HeadSize);
                    var dst = destination.Slice(start, g.HeadSize);
                    if (interleaved) RotateInterleaved(src, dst, cos, sin);
                    else RotateHalves(src, dst, cos, sin);
                    src.Slice(g.RotaryDim).CopyTo(dst.Slice(g.RotaryDim));
                }
            }
        }
    }

    /// <summary>(x[i], x[i + n]) → (x[i]·cos[i] - x[i + n]·sin[i], x[i + n]·cos[i] + x[i]·sin[i]) for i &lt; n = cos.Length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RotateHalves(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        int n = cos.Length, i = 0;
        ref float x1 = ref MemoryMarshal.GetReference(x);
        ref float x2 = ref Unsafe.Add(ref x1, n);
        ref float y1 = ref MemoryMarshal.GetReference(y);
        ref float y2 = ref Unsafe.Add(ref y1, n);
        ref float c = ref MemoryMarshal.GetReference(cos);
        ref float sn = ref MemoryMarshal.GetReference(sin);
        if (Vector256.IsHardwareAccelerated)
            for (; i + Vector256<float>.Count <= n; i += Vector256<float>.Count)
            {
                var a = Vector256.LoadUnsafe(ref x1, (nuint)i);
                var b = Vector256.LoadUnsafe(ref x2, (nuint)i);
                var cv = Vector256.LoadUnsafe(ref c, (nuint)i);
                var sv = Vector256.LoadUnsafe(ref sn, (nuint)i);
                (a * cv - b * sv).StoreUnsafe(ref y1, (nuint)i);
                (b * cv + a * sv).StoreUnsafe(ref y2, (nuint)i);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i + Vector128<float>.Count <= n; i += Vector128<float>.Count)
            {
                var a = Vector128.LoadUnsafe(ref x1, (nuint)i);
                var b = Vector128.LoadUnsafe(ref x2, (nuint)i);
                var cv = Vector128.LoadUnsafe(ref c, (nuint)i);
                var sv = Vector128.LoadUnsafe(ref sn, (nuint)i);
                (a * cv - b * sv).StoreUnsafe(ref y1, (nuint)i);
                (b * cv + a * sv).StoreUnsafe(ref y2, (nuint)i);
            }
        for (; i < n; i++)
        {
            float a = Unsafe.Add(ref x1, i), b = Unsafe.Add(ref x2, i), cv = Unsafe.Add(ref c, i), sv = Unsafe.Add(ref sn, i);
            Unsafe.Add(ref y1, i) = a * cv - b * sv;
            Unsafe.Add(ref y2, i) = b * cv + a * sv;
        }
    }

    /// <summary>(x[2i], x[2i + 1]) → (x[2i]·cos[i] - x[2i + 1]·sin[i], x[2i + 1]·cos[i] + x[2i]·sin[i]) for i &lt; cos.Length.</summary>
    private static void RotateInterleaved(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        // Pairs are adjacent, so a vector form needs lane shuffles; rotary dimensions are small (head size), and this
        // loop is a few multiplies per pair.
        for (int i = 0; i < cos.Length; i++)
        {
            float a = x[2 * i], b = x[2 * i + 1];
            y[2 * i] = a * cos[i] - b * sin[i];
            y[2 * i + 1] = b * cos[i] + a * sin[i];
        }
    }
}
