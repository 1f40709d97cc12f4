using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// LayerNormalization of x viewed as [rows, cols]: each row becomes (x - mean)·invStdDev·scale + bias with
    /// invStdDev = 1/√(var + epsilon). scale and bias (optional: empty) have cols elements. One vectorized pass per row
    /// gathers Σx and Σx², a second applies the affine map. mean and invStdDev (optional: empty) receive one value per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LayerNormalization(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> destination,
        Span<float> mean, Span<float> invStdDev, int rows, int cols, float epsilon) =>
        NormalizeRows(x, scale, bias, destination, mean, invStdDev, rows, cols, epsilon, centered: true);

    /// <summary>RMSNormalization of x viewed as [rows, cols]: x / √(mean(x²) + epsilon) · scale (cols elements).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RmsNormalization(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, Span<float> destination, int rows, int cols, float epsilon) =>
        NormalizeRows(x, scale, default, destination, default, default, rows, cols, epsilon, centered: false);

    private static void NormalizeRows(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> destination,
        Span<float> mean, Span<float> invStdDev, int rows, int cols, float epsilon, bool centered)
    {
        long total = (long)rows * cols;
        if (rows < 0 || cols < 0) throw new ArgumentException("Negative dimension.");
        if (x.Length < total || destination.Length < total || scale.Length < cols || (bias.Length != 0 && bias.Length < cols))
            throw new ArgumentException("A normalization operand is too short.");
        if ((mean.Length != 0 && mean.Length < rows) || (invStdDev.Length != 0 && invStdDev.Length < rows))
            throw new ArgumentException("A statistics output is too short.");
        if (cols == 0) return;
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            var (sum, squares) = SumAndSumOfSquares(row);
            float m = centered ? sum / cols : 0f;
            float variance = MathF.Max(squares / cols - m * m, 0f);
            float inv = 1f / MathF.Sqrt(variance + epsilon);
            if (mean.Length != 0) mean[r] = m;
            if (invStdDev.Length != 0) invStdDev[r] = inv;
            ScaleShiftRow(row, scale, bias, destination.Slice(r * cols, cols), m, inv);
        }
    }

    /// <summary>Σx and Σx² of one row in a single vectorized pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float Sum, float SumOfSquares) SumAndSumOfSquares(ReadOnlySpan<float> row)
    {
        ref float p = ref MemoryMarshal.GetReference(row);
        int n = row.Length, i = 0;
        float sum = 0f, squares = 0f;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            // Two accumulator pairs hide the add latency.
            Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, q0 = s0, q1 = s0;
            for (; i + 2 * Vector256<float>.Count <= n; i += 2 * Vector256<float>.Count)
            {
                var a = Vector256.LoadUnsafe(ref p, (nuint)i);
                var b = Vector256.LoadUnsafe(ref p, (nuint)(i + Vector256<float>.Count));
                s0 += a; q0 += a * a; s1 += b; q1 += b * b;
            }
            for (; i + Vector256<float>.Count <= n; i += Vector256<float>.Count)
            {
                var a = Vector256.LoadUnsafe(ref p, (nuint)i);
                s0 += a; q0 += a * a;
            }
            sum = Vector256.Sum(s0 + s1);
            squares = Vector256.Sum(q0 + q1);
        }
        else if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
        {
            Vector128<float> s0 = Vector128<float>.Zero, q0 = s0;
            for (; i + Vector128<float>.Count <= n; i += Vector128<float>.Count)
            {
                var a = Vector128.LoadUnsafe(ref p, (nuint)i);
                s0 += a; q0 += a * a;
            }
            sum = Vector128.Sum(s0);
            squares = Vector128.Sum(q0);
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref p, i);
            sum += v;
            squares += v * v;
        }
        return (sum, squares);
    }

    /// <summary>destination = (x - mean)·inv·scale + bias (bias optional: empty), vectorized with a scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleShiftRow(ReadOnlySpan<float> row, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> destination, float mean, float inv)
    {
        ref float x = ref MemoryMarshal.GetReference(row);
        ref float s = ref MemoryMarshal.GetReference(scale);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float y = ref MemoryMarshal.GetReference(destination);
        bool hasBias = bias.Length != 0;
        int n = row.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(mean);
            var vi = Vector256.Create(inv);
            for (; i + Vector256<float>.Count <= n; i += Vector256<float>.Count)
            {
                var v = (Vector256.LoadUnsafe(ref x, (nuint)i) - vm) * vi * Vector256.LoadUnsafe(ref s, (nuint)i);
                if (hasBias) v += Vector256.LoadUnsafe(ref b, (nuint)i);
                v.StoreUnsafe(ref y, (nuint)i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var vm = Vector128.Create(mean);
            var vi = Vector128.Create(inv);
            for (; i + Vector128<float>.Count <= n; i += Vector128<float>.Count)
            {
                var v = (Vector128.LoadUnsafe(ref x, (nuint)i) - vm) * vi * Vector128.LoadUnsafe(ref s, (nuint)i);
                if (hasBias) v += Vector128.LoadUnsafe(ref b, (nuint)i);
                v.StoreUnsafe(ref y, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = (Unsafe.Add(ref x, i) - mean) * inv * Unsafe.Add(ref s, i);
            if (hasBias) v += Unsafe.Add(ref b, i);
            Unsafe.Add(ref y, i) = v;
        }
    }

    /// <summary>
    /// GroupNormalization (and InstanceNormalization, one channel per group) of x viewed as [batches, groups,
    /// channelsPerGroup, spatial]: statistics over each group's channelsPerGroup·spatial elements, then per channel
    /// y = x·a + b with a = invStdDev·scale[c], b = bias[c] - mean·a. scale and bias hold one value per channel, or per
    /// group when <paramref name="perGroup"/> (GroupNormalization-18).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GroupNormalization(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> destination,
        int batches, int groups, int channelsPerGroup, int spatial, float epsilon, bool perGroup)
    {
        if (batches < 0 || groups < 0 || channelsPerGroup < 0 || spatial < 0) throw new ArgumentException("Negative dimension.");
        int groupSize = channelsPerGroup * spatial;
        long total = (long)batches * groups * groupSize;
        int parameters = perGroup ? groups : groups * channelsPerGroup;
        if (x.Length < total || destination.Length < total || scale.Length < parameters || bias.Length < parameters)
            throw new ArgumentException("A normalization operand is too short.");
        if (groupSize == 0) return;
        for (int n = 0; n < batches; n++)
            for (int g = 0; g < groups; g++)
            {
                int start = (n * groups + g) * groupSize;
                var (sum, squares) = SumAndSumOfSquares(x.Slice(start, groupSize));
                float m = sum / groupSize;
                float inv = 1f / MathF.Sqrt(MathF.Max(squares / groupSize - m * m, 0f) + epsilon);
                for (int c = 0; c < channelsPerGroup; c++)
                {
                    int p = perGroup ? g : g * channelsPerGroup + c;
                    float a = inv * scale[p];
                    float b = bias[p] - m * a;
                    int at = start + c * spatial;
                    AffineRow(x.Slice(at, spatial), a, b, destination.Slice(at, spatial));
                }
            }
    }

    /// <summary>destination = x·a + b, vectorized with a scalar tail. In place is allowed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AffineRow(ReadOnlySpan<float> x, float a, float b, Span<float> destination)
    {
        if (destination.Length < x.Length) throw new ArgumentException("Affine destination too short.");
        ref float src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            var vb = Vector256.Create(b);
            for (; i + Vector256<float>.Count <= n; i += Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref src, (nuint)i) * va + vb).StoreUnsafe(ref dst, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var va = Vector128.Create(a);
            var vb = Vector128.Create(b);
            for (; i + Vector128<float>.Count <= n; i += Vector128<float>.Count)
                (Vector128.LoadUnsafe(ref src, (nuint)i) * va + vb).StoreUnsafe(ref dst, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i) * a + b;
    }

    /// <summary>
    /// LpNormalization along the middle axis of [outer, axis, inner]: x / ‖x‖ₚ for p = 1 or 2 (a zero norm leaves the
    /// zeros). inner = 1 runs vectorized along each row; other layouts walk the axis with stride inner.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LpNormalization(ReadOnlySpan<float> x, Span<float> destination, int outer, int axis, int inner, int p)
    {
        long total = (long)outer * axis * inner;
        if (outer < 0 || axis < 0 || inner < 0) throw new ArgumentException("Negative dimension.");
        if (p is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(p), "LpNormalization supports p = 1 or 2.");
        if (x.Length < total || destination.Length < total) throw new ArgumentException("A span is shorter than outer·axis·inner.");
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var row = x.Slice(o * axis, axis);
                float norm = p == 1 ? TensorPrimitives.SumOfMagnitudes(row) : TensorPrimitives.Norm(row);
                if (norm == 0f) row.CopyTo(destination.Slice(o * axis, axis));
                else TensorPrimitives.Divide(row, norm, destination.Slice(o * axis, axis));
            }
            return;
        }
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                int start = o * axis * inner + j;
                float norm = 0f;
                for (int k = 0; k < axis; k++)
                {
                    float v = x[start + k * inner];
                    norm += p == 1 ? MathF.Abs(v) : v * v;
                }
                if (p == 2) norm = MathF.Sqrt(norm);
                for (int k = 0; k < axis; k++)
                {
                    float v = x[start + k * inner];
                    destination[start + k * inner] = norm == 0f ? v : v / norm;
                }
            }
    }

    /// <summary>
    /// Local response normalization across channels of x viewed as [batches, channels, spatial]:
    /// y = x / (bias + alpha/size · Σ x²)^beta, the sum over channels c - ⌊(size-1)/2⌋ … c + ⌈(size-1)/2⌉.
    /// Each channel's row accumulates its window's squares in destination (vectorized), then is finished in place.
    /// destination must not overlap x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Lrn(ReadOnlySpan<float> x, Span<float> destination, int batches, int channels, int spatial, int size, float alpha, float beta, float bias)
    {
        long total = (long)batches * channels * spatial;
        if (batches < 0 || channels < 0 || spatial < 0 || size < 1) throw new ArgumentException("Invalid LRN dimensions.");
        if (x.Length < total || destination.Length < total) throw new ArgumentException("A span is shorter than batches·channels·spatial.");
        int before = (size - 1) / 2, after = size - 1 - before;
        for (int n = 0; n < batches; n++)
            for (int c = 0; c < channels; c++)
            {
                var y = destination.Slice((n * channels + c) * spatial, spatial);
                y.Clear();
                for (int w = Math.Max(0, c - before); w <= Math.Min(channels - 1, c + after); w++)
                {
                    var xw = x.Slice((n * channels + w) * spatial, spatial);
                    TensorPrimitives.MultiplyAdd(xw, xw, y, y);
                }
                AffineRow(y, alpha / size, bias, y);
                TensorPrimitives.Pow(y, -beta, y);
                TensorPrimitives.Multiply(x.Slice((n * channels + c) * spatial, spatial), y, y);
            }
    }
}
