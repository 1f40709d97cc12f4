using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ModelGen.Runtime.Operators;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// Softmax over the middle axis of x viewed as [outer, axis, inner]: y = e^(x - max) / Σ e^(x - max), the maximum
    /// subtracted for numerical stability. inner = 1 (the axis is contiguous, and every opset &lt; 13 softmax) runs
    /// vectorized along each row; inner &gt; 1 runs vectorized across inner, walking the axis with stride inner.
    /// In place (destination = x) is allowed.
    /// </summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> destination, int outer, int axis, int inner) =>
        SoftmaxCore(x, destination, outer, axis, inner, log: false);

    /// <summary>LogSoftmax over the middle axis of [outer, axis, inner]: y = (x - max) - ln Σ e^(x - max). In place is allowed.</summary>
    public static void LogSoftmax(ReadOnlySpan<float> x, Span<float> destination, int outer, int axis, int inner) =>
        SoftmaxCore(x, destination, outer, axis, inner, log: true);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxCore(ReadOnlySpan<float> x, Span<float> destination, int outer, int axis, int inner, bool log)
    {
        if (outer < 0 || axis < 0 || inner < 0) throw new ArgumentException("Negative dimension.");
        long total = (long)outer * axis * inner;
        if (x.Length < total || destination.Length < total) throw new ArgumentException("A span is shorter than outer·axis·inner.");
        if (total == 0) return;
        if (inner == 1 && axis < ShortRow)
        {
            SoftmaxShortRows(x, destination, outer, axis, log);
            return;
        }
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var row = x.Slice(o * axis, axis);
                var y = destination.Slice(o * axis, axis);
                float max = TensorPrimitives.Max(row);
                if (log)
                {
                    float sum = SumOf(row, default, new ShiftedExpOperator(max));
                    Unary(row, y, new ShiftedLogOperator(max, (float)Math.Log(sum)));
                }
                else
                {
                    float sum = SumOf(row, y, new ShiftedExpOperator(max));
                    Unary(y, y, new ScaleOperator(1f / sum));
                }
            }
            return;
        }
        for (int o = 0; o < outer; o++)
        {
            ref float src = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), o * axis * inner);
            ref float dst = ref Unsafe.Add(ref MemoryMarshal.GetReference(destination), o * axis * inner);
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j + Vector512<float>.Count <= inner; j += Vector512<float>.Count)
                    SoftmaxColumns512(ref Unsafe.Add(ref src, j), ref Unsafe.Add(ref dst, j), axis, inner, log);
            if (Vector256.IsHardwareAccelerated)
                for (; j + Vector256<float>.Count <= inner; j += Vector256<float>.Count)
                    SoftmaxColumns256(ref Unsafe.Add(ref src, j), ref Unsafe.Add(ref dst, j), axis, inner, log);
            if (Vector128.IsHardwareAccelerated)
                for (; j + Vector128<float>.Count <= inner; j += Vector128<float>.Count)
                    SoftmaxColumns128(ref Unsafe.Add(ref src, j), ref Unsafe.Add(ref dst, j), axis, inner, log);
            for (; j < inner; j++)
                SoftmaxColumn(ref Unsafe.Add(ref src, j), ref Unsafe.Add(ref dst, j), axis, inner, log);
        }
    }

    /// <summary>Rows shorter than this take <see cref="SoftmaxShortRows"/>: three kernel calls per row cost more than the row.</summary>
    private const int ShortRow = 16;

    /// <summary>
    /// Many short contiguous rows (an SSD's [boxes, 2] class scores, a detector's per-anchor softmax): each row's maximum
    /// subtracted in one scalar pass, e^ of the whole buffer in one vectorized pass, then each row scaled (or, for log,
    /// shifted by ln Σ) in a last scalar pass. In place is allowed: a row is read before it is written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxShortRows(ReadOnlySpan<float> x, Span<float> destination, int outer, int axis, bool log)
    {
        int n = outer * axis;
        ref float src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        for (int at = 0; at < n; at += axis)
        {
            float max = Unsafe.Add(ref src, at);
            for (int k = 1; k < axis; k++) max = MathF.Max(max, Unsafe.Add(ref src, at + k));
            for (int k = 0; k < axis; k++) Unsafe.Add(ref dst, at + k) = Unsafe.Add(ref src, at + k) - max;
        }
        if (log)
        {
            for (int at = 0; at < n; at += axis)
            {
                float sum = 0;
                for (int k = 0; k < axis; k++) sum += VectorMath.Exp(Unsafe.Add(ref dst, at + k));
                float logSum = (float)Math.Log(sum);
                for (int k = 0; k < axis; k++) Unsafe.Add(ref dst, at + k) -= logSum;
            }
            return;
        }
        var all = destination.Slice(0, n);
        Unary(all, all, new ShiftedExpOperator(0f));
        for (int at = 0; at < n; at += axis)
        {
            float sum = 0;
            for (int k = 0; k < axis; k++) sum += Unsafe.Add(ref dst, at + k);
            float scale = 1f / sum;
            for (int k = 0; k < axis; k++) Unsafe.Add(ref dst, at + k) *= scale;
        }
    }

    /// <summary>Softmax of 16 adjacent columns at once: element k of column c is at src[k·stride + c].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxColumns512(ref float src, ref float dst, int axis, int stride, bool log)
    {
        var max = Vector512.LoadUnsafe(ref src);
        for (int k = 1; k < axis; k++) max = Vector512.Max(max, Vector512.LoadUnsafe(ref src, (nuint)(k * stride)));
        var sum = Vector512<float>.Zero;
        for (int k = 0; k < axis; k++)
        {
            var e = VectorMath.Exp(Vector512.LoadUnsafe(ref src, (nuint)(k * stride)) - max);
            if (!log) e.StoreUnsafe(ref dst, (nuint)(k * stride));
            sum += e;
        }
        if (log)
        {
            var logSum = VectorMath.Log(sum);
            for (int k = 0; k < axis; k++)
                ((Vector512.LoadUnsafe(ref src, (nuint)(k * stride)) - max) - logSum).StoreUnsafe(ref dst, (nuint)(k * stride));
        }
        else
        {
            var scale = Vector512<float>.One / sum;
            for (int k = 0; k < axis; k++)
                (Vector512.LoadUnsafe(ref dst, (nuint)(k * stride)) * scale).StoreUnsafe(ref dst, (nuint)(k * stride));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxColumns256(ref float src, ref float dst, int axis, int stride, bool log)
    {
        var max = Vector256.LoadUnsafe(ref src);
        for (int k = 1; k < axis; k++) max = Vector256.Max(max, Vector256.LoadUnsafe(ref src, (nuint)(k * stride)));
        var sum = Vector256<float>.Zero;
        for (int k = 0; k < axis; k++)
        {
            var e = VectorMath.Exp(Vector256.LoadUnsafe(ref src, (nuint)(k * stride)) - max);
            if (!log) e.StoreUnsafe(ref dst, (nuint)(k * stride));
            sum += e;
        }
        if (log)
        {
            var logSum = VectorMath.Log(sum);
            for (int k = 0; k < axis; k++)
                ((Vector256.LoadUnsafe(ref src, (nuint)(k * stride)) - max) - logSum).StoreUnsafe(ref dst, (nuint)(k * stride));
        }
        else
        {
            var scale = Vector256<float>.One / sum;
            for (int k = 0; k < axis; k++)
                (Vector256.LoadUnsafe(ref dst, (nuint)(k * stride)) * scale).StoreUnsafe(ref dst, (nuint)(k * stride));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxColumns128(ref float src, ref float dst, int axis, int stride, bool log)
    {
        var max = Vector128.LoadUnsafe(ref src);
        for (int k = 1; k < axis; k++) max = Vector128.Max(max, Vector128.LoadUnsafe(ref src, (nuint)(k * stride)));
        var sum = Vector128<float>.Zero;
        for (int k = 0; k < axis; k++)
        {
            var e = VectorMath.Exp(Vector128.LoadUnsafe(ref src, (nuint)(k * stride)) - max);
            if (!log) e.StoreUnsafe(ref dst, (nuint)(k * stride));
            sum += e;
        }
        if (log)
        {
            var logSum = VectorMath.Log(sum);
            for (int k = 0; k < axis; k++)
                ((Vector128.LoadUnsafe(ref src, (nuint)(k * stride)) - max) - logSum).StoreUnsafe(ref dst, (nuint)(k * stride));
        }
        else
        {
            var scale = Vector128<float>.One / sum;
            for (int k = 0; k < axis; k++)
                (Vector128.LoadUnsafe(ref dst, (nuint)(k * stride)) * scale).StoreUnsafe(ref dst, (nuint)(k * stride));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxColumn(ref float src, ref float dst, int axis, int stride, bool log)
    {
        float max = src;
        for (int k = 1; k < axis; k++) max = MathF.Max(max, Unsafe.Add(ref src, k * stride));
        float sum = 0;
        for (int k = 0; k < axis; k++)
        {
            float e = VectorMath.Exp(Unsafe.Add(ref src, k * stride) - max);
            if (!log) Unsafe.Add(ref dst, k * stride) = e;
            sum += e;
        }
        if (log)
        {
            float logSum = (float)Math.Log(sum);
            for (int k = 0; k < axis; k++) Unsafe.Add(ref dst, k * stride) = (Unsafe.Add(ref src, k * stride) - max) - logSum;
        }
        else
        {
            float scale = 1f / sum;
            for (int k = 0; k < axis; k++) Unsafe.Add(ref dst, k * stride) *= scale;
        }
    }

    /// <summary>
    /// Σ op(x[i]) with vector accumulators, also storing op(x[i]) into <paramref name="destination"/> unless it is empty:
    /// the fused transform-and-sum driver (softmax's e^(x - max) and its sum in one pass).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float SumOf<TOp>(ReadOnlySpan<float> x, Span<float> destination, TOp op) where TOp : struct, IStatefulUnaryOperator
    {
        bool store = !destination.IsEmpty;
        if (store && destination.Length < x.Length) ThrowDestinationTooShort();
        ref float src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length, i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<float>.Count)
        {
            var acc = Vector512<float>.Zero;
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var v = op.Invoke(Vector512.LoadUnsafe(ref src, i));
                if (store) v.StoreUnsafe(ref dst, i);
                acc += v;
            }
            sum += Vector512.Sum(acc);
        }
        if (Vector256.IsHardwareAccelerated && n - i >= (nuint)Vector256<float>.Count)
        {
            var acc = Vector256<float>.Zero;
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var v = op.Invoke(Vector256.LoadUnsafe(ref src, i));
                if (store) v.StoreUnsafe(ref dst, i);
                acc += v;
            }
            sum += Vector256.Sum(acc);
        }
        if (Vector128.IsHardwareAccelerated && n - i >= (nuint)Vector128<float>.Count)
        {
            var acc = Vector128<float>.Zero;
            for (; i + (nuint)Vector128<float>.Count <= n; i += (nuint)Vector128<float>.Count)
            {
                var v = op.Invoke(Vector128.LoadUnsafe(ref src, i));
                if (store) v.StoreUnsafe(ref dst, i);
                acc += v;
            }
            sum += Vector128.Sum(acc);
        }
        for (; i < n; i++)
        {
            float v = op.Invoke(Unsafe.Add(ref src, i));
            if (store) Unsafe.Add(ref dst, i) = v;
            sum += v;
        }
        return sum;
    }
}
