using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

/// <summary>
/// Sparse weights: a matrix W [m, k] stored as compressed rows (CSR: the non-zero values of each row, their column
/// indices, and where each row starts) multiplies a dense X [k, n] by visiting only the non-zeros. Each non-zero w(i, p)
/// adds w·X[p, :] to output row i, vectorized along the n columns (a block of 4 vectors held in registers while the row's
/// non-zeros stream by), so the work is proportional to the non-zeros, at the dense kernel's vector width.
/// </summary>
public static partial class Kernels
{
    /// <summary>
    /// y[i, j] = act(bias[i] + Σ values[q]·x[columns[q], j] over q in [rowStarts[i], rowStarts[i + 1])) for i &lt; m,
    /// j &lt; n; x and y row-major with row strides ldx and ldy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SparseGemm(ReadOnlySpan<float> values, ReadOnlySpan<int> columns, ReadOnlySpan<int> rowStarts, int m, int k,
        ReadOnlySpan<float> x, int ldx, int n, ReadOnlySpan<float> bias, Span<float> y, int ldy, FusedActivation activation)
    {
        if (m < 0 || n < 0 || k < 0 || ldx < n || ldy < n || rowStarts.Length < m + 1)
            throw new ArgumentException("SparseGemm: expected m + 1 row starts and row strides of at least n.");
        int nnz = m == 0 ? 0 : rowStarts[m];
        if (values.Length < nnz || columns.Length < nnz || (!bias.IsEmpty && bias.Length < m))
            throw new ArgumentException($"SparseGemm: expected {nnz} values and column indices and {m} biases.");
        if ((k > 0 && n > 0 && x.Length < (k - 1) * ldx + n) || (m > 0 && n > 0 && y.Length < (m - 1) * ldy + n))
            throw new ArgumentException("SparseGemm operand too short.");
        for (int q = 0; q < nnz; q++)
            if ((uint)columns[q] >= (uint)k) throw new ArgumentException($"SparseGemm: column index {columns[q]} outside [0, {k}).");
        ref float vr = ref MemoryMarshal.GetReference(values);
        ref int cr = ref MemoryMarshal.GetReference(columns);
        ref float xr = ref MemoryMarshal.GetReference(x);
        var inRegisters = activation.IsSimple ? activation : default;
        for (int i = 0; i < m; i++)
            if (rowStarts[i] > rowStarts[i + 1] || rowStarts[i + 1] > nnz) throw new ArgumentException("SparseGemm: row starts must be non-decreasing.");
        ref int rs = ref MemoryMarshal.GetReference(rowStarts);
        ref float yr = ref MemoryMarshal.GetReference(y);
        // Column blocks outside, rows inside: the block of x (k rows of a few vectors) stays in cache for every row.
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= n - 64; j += 64)
                for (int i = 0; i < m; i++)
                {
                    var a0 = Vector512.Create(bias.IsEmpty ? 0f : bias[i]); var a1 = a0; var a2 = a0; var a3 = a0;
                    for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                    {
                        var w = Vector512.Create(Unsafe.Add(ref vr, q));
                        ref float xp = ref Unsafe.Add(ref xr, (nint)Unsafe.Add(ref cr, q) * ldx + j);
                        a0 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp), a0);
                        a1 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp, 16), a1);
                        a2 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp, 32), a2);
                        a3 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp, 48), a3);
                    }
                    ref float yi = ref Unsafe.Add(ref yr, (nint)i * ldy + j);
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref yi);
                    inRegisters.ApplySimple(a1).StoreUnsafe(ref yi, 16);
                    inRegisters.ApplySimple(a2).StoreUnsafe(ref yi, 32);
                    inRegisters.ApplySimple(a3).StoreUnsafe(ref yi, 48);
                }
            for (; j <= n - 16; j += 16)
                for (int i = 0; i < m; i++)
                {
                    var a0 = Vector512.Create(bias.IsEmpty ? 0f : bias[i]);
                    for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                        a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref vr, q)),
                            Vector512.LoadUnsafe(ref Unsafe.Add(ref xr, (nint)Unsafe.Add(ref cr, q) * ldx + j)), a0);
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref Unsafe.Add(ref yr, (nint)i * ldy + j));
                }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= n - 32; j += 32)
                for (int i = 0; i < m; i++)
                {
                    var a0 = Vector256.Create(bias.IsEmpty ? 0f : bias[i]); var a1 = a0; var a2 = a0; var a3 = a0;
                    for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                    {
                        var w = Vector256.Create(Unsafe.Add(ref vr, q));
                        ref float xp = ref Unsafe.Add(ref xr, (nint)Unsafe.Add(ref cr, q) * ldx + j);
                        a0 = Vector256.MultiplyAddEstimate(w, Vector256.LoadUnsafe(ref xp), a0);
                        a1 = Vector256.MultiplyAddEstimate(w, Vector256.LoadUnsafe(ref xp, 8), a1);
                        a2 = Vector256.MultiplyAddEstimate(w, Vector256.LoadUnsafe(ref xp, 16), a2);
                        a3 = Vector256.MultiplyAddEstimate(w, Vector256.LoadUnsafe(ref xp, 24), a3);
                    }
                    ref float yi = ref Unsafe.Add(ref yr, (nint)i * ldy + j);
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref yi);
                    inRegisters.ApplySimple(a1).StoreUnsafe(ref yi, 8);
                    inRegisters.ApplySimple(a2).StoreUnsafe(ref yi, 16);
                    inRegisters.ApplySimple(a3).StoreUnsafe(ref yi, 24);
                }
            for (; j <= n - 8; j += 8)
                for (int i = 0; i < m; i++)
                {
                    var a0 = Vector256.Create(bias.IsEmpty ? 0f : bias[i]);
                    for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                        a0 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref vr, q)),
                            Vector256.LoadUnsafe(ref Unsafe.Add(ref xr, (nint)Unsafe.Add(ref cr, q) * ldx + j)), a0);
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref Unsafe.Add(ref yr, (nint)i * ldy + j));
                }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; j <= n - 16; j += 16)
                for (int i = 0; i < m; i++)
                {
                    var a0 = Vector128.Create(bias.IsEmpty ? 0f : bias[i]); var a1 = a0; var a2 = a0; var a3 = a0;
                    for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                    {
                        var w = Vector128.Create(Unsafe.Add(ref vr, q));
                        ref float xp = ref Unsafe.Add(ref xr, (nint)Unsafe.Add(ref cr, q) * ldx + j);
                        a0 = Vector128.MultiplyAddEstimate(w, Vector128.LoadUnsafe(ref xp), a0);
                        a1 = Vector128.MultiplyAddEstimate(w, Vector128.LoadUnsafe(ref xp, 4), a1);
                        a2 = Vector128.MultiplyAddEstimate(w, Vector128.LoadUnsafe(ref xp, 8), a2);
                        a3 = Vector128.MultiplyAddEstimate(w, Vector128.LoadUnsafe(ref xp, 12), a3);
                    }
                    ref float yi = ref Unsafe.Add(ref yr, (nint)i * ldy + j);
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref yi);
                    inRegisters.ApplySimple(a1).StoreUnsafe(ref yi, 4);
                    inRegisters.ApplySimple(a2).StoreUnsafe(ref yi, 8);
                    inRegisters.ApplySimple(a3).StoreUnsafe(ref yi, 12);
                }
            for (; j <= n - 4; j += 4)
                for (int i = 0; i < m; i++)
                {
                    var a0 = Vector128.Create(bias.IsEmpty ? 0f : bias[i]);
                    for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                        a0 = Vector128.MultiplyAddEstimate(Vector128.Create(Unsafe.Add(ref vr, q)),
                            Vector128.LoadUnsafe(ref Unsafe.Add(ref xr, (nint)Unsafe.Add(ref cr, q) * ldx + j)), a0);
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref Unsafe.Add(ref yr, (nint)i * ldy + j));
                }
        }
        for (; j < n; j++)
            for (int i = 0; i < m; i++)
            {
                float sum = bias.IsEmpty ? 0f : bias[i];
                for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                    sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref vr, q), Unsafe.Add(ref xr, (nint)Unsafe.Add(ref cr, q) * ldx + j), sum);
                Unsafe.Add(ref yr, (nint)i * ldy + j) = inRegisters.Apply(sum);
            }
        if (!activation.IsSimple)
            for (int i = 0; i < m; i++) activation.Apply(ref Unsafe.Add(ref yr, (nint)i * ldy), n);
    }

    /// <summary>
    /// y = act(conv(x, w) + bias) with w in compressed rows (<see cref="SparseGemm"/>) over [OutChannels, KernelSize], for an
    /// ungrouped convolution: a pointwise one multiplies the input directly; any other goes through im2col, Chunk output
    /// pixels at a time in <paramref name="scratch"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ConvSparse(ReadOnlySpan<float> x, ReadOnlySpan<float> values, ReadOnlySpan<int> columns, ReadOnlySpan<int> rowStarts,
        ReadOnlySpan<float> bias, Span<float> y, int batch, in ConvGeometry g, FusedActivation activation, Span<float> scratch)
    {
        int k = g.KernelSize, m = g.OutChannels, inPixels = g.InputPixels, outPixels = g.OutputPixels;
        if (g.Groups != 1) throw new ArgumentException("ConvSparse expects an ungrouped convolution.");
        if (x.Length < batch * g.Channels * inPixels || y.Length < batch * m * outPixels) throw new ArgumentException("ConvSparse operand too short.");
        int chunk = g.Chunk;
        if (chunk == 0)
        {
            if (!g.IsPointwise) throw new ArgumentException("ConvSparse: chunk 0 is for pointwise convolutions only.");
            for (int n = 0; n < batch; n++)
                SparseGemm(values, columns, rowStarts, m, k, x.Slice(n * g.Channels * inPixels), outPixels, outPixels, bias,
                    y.Slice(n * m * outPixels), outPixels, activation);
            return;
        }
        if (chunk < 0 || chunk % GemmPanelWidth != 0 || scratch.Length < k * chunk) throw new ArgumentException("ConvSparse: expected a chunk that is a multiple of 16 and scratch of KernelSize·Chunk floats.");
        for (int n = 0; n < batch; n++)
        {
            var xs = x.Slice(n * g.Channels * inPixels, g.Channels * inPixels);
            var ys = y.Slice(n * m * outPixels, m * outPixels);
            for (int q0 = 0; q0 < outPixels; q0 += chunk)
            {
                int cols = Math.Min(chunk, outPixels - q0);
                Im2Col(xs, scratch, g, g.Channels, q0, cols, chunk);
                SparseGemm(values, columns, rowStarts, m, k, scratch, chunk, cols, bias, ys.Slice(q0), outPixels, activation);
            }
        }
    }
}
