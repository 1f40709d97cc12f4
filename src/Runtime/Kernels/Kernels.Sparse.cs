using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        for (int i = 0; i < m; i++)
            if (rowStarts[i] > rowStarts[i + 1] || rowStarts[i + 1] > nnz) throw new ArgumentException("SparseGemm: row starts must be non-decreasing.");
        SparseRows(ref MemoryMarshal.GetReference(values), ref MemoryMarshal.GetReference(columns), ref MemoryMarshal.GetReference(rowStarts), m,
            ref MemoryMarshal.GetReference(x), ldx, n, bias, ref MemoryMarshal.GetReference(y), ldy, activation);
    }

    /// <summary>Column index q of a CSR index stream of int or ushort (the JIT keeps only the branch of TIndex).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint SparseIndex<TIndex>(ref TIndex columns, int q) where TIndex : unmanaged =>
        typeof(TIndex) == typeof(ushort) ? Unsafe.As<TIndex, ushort>(ref Unsafe.Add(ref columns, q)) : Unsafe.As<TIndex, int>(ref Unsafe.Add(ref columns, q));

    /// <summary>The body of <see cref="SparseGemm"/> on validated operands, for int or ushort column indices.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SparseRows<TIndex>(ref float vr, ref TIndex cr, ref int rs, int m, ref float xr, int ldx, int n, ReadOnlySpan<float> bias,
        ref float yr, int ldy, FusedActivation activation) where TIndex : unmanaged
    {
        var inRegisters = activation.IsSimple ? activation : default;
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
                        ref float xp = ref Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j);
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
                            Vector512.LoadUnsafe(ref Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j)), a0);
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
                        ref float xp = ref Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j);
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
                            Vector256.LoadUnsafe(ref Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j)), a0);
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
                        ref float xp = ref Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j);
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
                            Vector128.LoadUnsafe(ref Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j)), a0);
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref Unsafe.Add(ref yr, (nint)i * ldy + j));
                }
        }
        for (; j < n; j++)
            for (int i = 0; i < m; i++)
            {
                float sum = bias.IsEmpty ? 0f : bias[i];
                for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                    sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref vr, q), Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j), sum);
                Unsafe.Add(ref yr, (nint)i * ldy + j) = inRegisters.Apply(sum);
            }
        if (!activation.IsSimple)
            for (int i = 0; i < m; i++) activation.Apply(ref Unsafe.Add(ref yr, (nint)i * ldy), n);
    }

    /// <summary>Rows of A from which <see cref="SparseMatMul"/> transposes a block of them and streams the non-zeros once per block.</summary>
    public const int SparseMatMulBlockRows = 64;

    /// <summary>Below this many rows of A, <see cref="SparseMatMul"/> gathers each row's inputs per output (no transposes).</summary>
    public const int SparseMatMulGatherMaxRows = 4;

    /// <summary>Scratch floats <see cref="SparseMatMul"/> needs for m rows of A, k inputs and n outputs.</summary>
    public static int SparseMatMulScratchFloats(int m, int k, int n) =>
        m < SparseMatMulGatherMaxRows ? 0 : (k + n) * Math.Min(m, SparseMatMulBlockRows);

    /// <summary>
    /// y[r, j] = act(bias[j] + Σ values[q]·a[r, indices[q]] over q in [starts[j], starts[j + 1])) for r &lt; m, j &lt; n: a
    /// product A·B with a constant sparse B [k, n] stored by output column (CSR of Bᵀ with 16-bit input indices), A [m, k]
    /// and Y [m, n] row-major. A few rows: each output is a dot product of its non-zeros with a gather of the row of A
    /// (16 at a time with AVX-512, 8 with AVX2). More rows: blocks of <see cref="SparseMatMulBlockRows"/> rows of A are
    /// transposed into <paramref name="scratch"/> so that each non-zero multiplies a contiguous run of rows (the
    /// <see cref="SparseGemm"/> loop), and the block's transposed result is written back into Y.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SparseMatMul(ReadOnlySpan<float> values, ReadOnlySpan<ushort> indices, ReadOnlySpan<int> starts, int n, int k,
        ReadOnlySpan<float> a, int m, ReadOnlySpan<float> bias, Span<float> y, FusedActivation activation, Span<float> scratch)
    {
        if (m < 0 || n < 0 || k < 0 || k > 65536 || starts.Length < n + 1)
            throw new ArgumentException("SparseMatMul: expected n + 1 column starts and at most 65536 inputs.");
        int nnz = n == 0 ? 0 : starts[n];
        if (values.Length < nnz || indices.Length < nnz || (!bias.IsEmpty && bias.Length < n))
            throw new ArgumentException($"SparseMatMul: expected {nnz} values and indices and {n} biases.");
        if (a.Length < (long)m * k || y.Length < (long)m * n)
            throw new ArgumentException($"SparseMatMul: expected A of {(long)m * k} and Y of {(long)m * n} floats.");
        if (scratch.Length < SparseMatMulScratchFloats(m, k, n))
            throw new ArgumentException($"SparseMatMul: expected {SparseMatMulScratchFloats(m, k, n)} floats of scratch.");
        if (nnz > 0 && System.Numerics.Tensors.TensorPrimitives.Max(indices.Slice(0, nnz)) is var maxIndex && maxIndex >= k)
            throw new ArgumentException($"SparseMatMul: index {maxIndex} outside [0, {k}).");
        for (int j = 0; j < n; j++)
            if (starts[j] > starts[j + 1] || starts[j + 1] > nnz) throw new ArgumentException("SparseMatMul: column starts must be non-decreasing.");
        if (m == 0 || n == 0) return;
        ref float vr = ref MemoryMarshal.GetReference(values);
        ref ushort ir = ref MemoryMarshal.GetReference(indices);
        ref int sr = ref MemoryMarshal.GetReference(starts);
        if (m < SparseMatMulGatherMaxRows)
        {
            for (int r = 0; r < m; r++)
            {
                var yr = y.Slice(r * n, n);
                SparseGatherRow(ref vr, ref ir, ref sr, n, a.Slice(r * k, k), bias, yr);
                activation.Apply(yr);
            }
            return;
        }
        for (int r0 = 0; r0 < m; r0 += SparseMatMulBlockRows)
        {
            int rows = Math.Min(SparseMatMulBlockRows, m - r0);
            var at = scratch.Slice(0, k * rows);
            var yt = scratch.Slice(k * rows, n * rows);
            TransposeBlock(a.Slice(r0 * k, rows * k), at, rows, k);
            SparseRows(ref vr, ref ir, ref sr, n, ref MemoryMarshal.GetReference(at), rows, rows, bias, ref MemoryMarshal.GetReference(yt), rows, activation);
            TransposeBlock(yt, y.Slice(r0 * n, rows * n), n, rows);
        }
    }

    /// <summary>dst[c, r] = src[r, c] for a row-major [rows, cols] source, in 8×8 tiles (no bounds checks: callers checked the lengths).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeBlock(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols)
    {
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        const int Tile = 8;
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int r1 = Math.Min(rows, r0 + Tile);
            for (int c0 = 0; c0 < cols; c0 += Tile)
            {
                int c1 = Math.Min(cols, c0 + Tile);
                if (Avx.IsSupported && r1 - r0 == Tile && c1 - c0 == Tile)
                {
                    Transpose8x8(ref Unsafe.Add(ref s, (nint)r0 * cols + c0), cols, ref Unsafe.Add(ref d, (nint)c0 * rows + r0), rows);
                    continue;
                }
                for (int r = r0; r < r1; r++)
                {
                    ref float sRow = ref Unsafe.Add(ref s, (nint)r * cols);
                    for (int c = c0; c < c1; c++)
                        Unsafe.Add(ref d, (nint)c * rows + r) = Unsafe.Add(ref sRow, c);
                }
            }
        }
    }

    /// <summary>An 8×8 tile: d[c·ldd + r] = s[r·lds + c] in registers (unpack, shuffle, swap 128-bit halves).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float s, int lds, ref float d, int ldd)
    {
        var r0 = Vector256.LoadUnsafe(ref s); var r1 = Vector256.LoadUnsafe(ref s, (nuint)lds);
        var r2 = Vector256.LoadUnsafe(ref s, (nuint)(2 * lds)); var r3 = Vector256.LoadUnsafe(ref s, (nuint)(3 * lds));
        var r4 = Vector256.LoadUnsafe(ref s, (nuint)(4 * lds)); var r5 = Vector256.LoadUnsafe(ref s, (nuint)(5 * lds));
        var r6 = Vector256.LoadUnsafe(ref s, (nuint)(6 * lds)); var r7 = Vector256.LoadUnsafe(ref s, (nuint)(7 * lds));
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1); var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5); var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE); var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE); var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref d);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref d, (nuint)ldd);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref d, (nuint)(2 * ldd));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref d, (nuint)(3 * ldd));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref d, (nuint)(4 * ldd));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref d, (nuint)(5 * ldd));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref d, (nuint)(6 * ldd));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref d, (nuint)(7 * ldd));
    }

    /// <summary>y[j] = bias[j] + the dot product of output j's non-zeros with x gathered at their indices, for j &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SparseGatherRow(ref float vr, ref ushort ir, ref int sr, int n, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y)
    {
        fixed (float* xp = x)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            for (int j = 0; j < n; j++)
            {
                int q = Unsafe.Add(ref sr, j), end = Unsafe.Add(ref sr, j + 1);
                float sum = 0f;
                if (Avx2.IsSupported)
                {
                    // .NET has no 512-bit gather: two 8-wide gathers per step, two accumulator chains.
                    var s0 = Vector256<float>.Zero; var s1 = s0;
                    for (; q <= end - 16; q += 16)
                    {
                        var i0 = Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref ir, (nuint)q));
                        var i1 = Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref ir, (nuint)(q + 8)));
                        s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref vr, (nuint)q), Avx2.GatherVector256(xp, i0, 4), s0);
                        s1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref vr, (nuint)(q + 8)), Avx2.GatherVector256(xp, i1, 4), s1);
                    }
                    if (q <= end - 8)
                    {
                        var i0 = Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref ir, (nuint)q));
                        s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref vr, (nuint)q), Avx2.GatherVector256(xp, i0, 4), s0);
                        q += 8;
                    }
                    sum = Vector256.Sum(s0 + s1);
                }
                float t0 = 0f, t1 = 0f;
                for (; q <= end - 2; q += 2)
                {
                    t0 = MathF.FusedMultiplyAdd(Unsafe.Add(ref vr, q), Unsafe.Add(ref xr, Unsafe.Add(ref ir, q)), t0);
                    t1 = MathF.FusedMultiplyAdd(Unsafe.Add(ref vr, q + 1), Unsafe.Add(ref xr, Unsafe.Add(ref ir, q + 1)), t1);
                }
                if (q < end) t0 = MathF.FusedMultiplyAdd(Unsafe.Add(ref vr, q), Unsafe.Add(ref xr, Unsafe.Add(ref ir, q)), t0);
                y[j] = (bias.IsEmpty ? 0f : bias[j]) + (sum + (t0 + t1));
            }
        }
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
