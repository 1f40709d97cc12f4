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

    /// <summary>
    /// The body of <see cref="SparseGemm"/> on validated operands, for int or ushort column indices. With
    /// <paramref name="accumulate"/> the sums start from y instead of the bias (a later block of inputs), and without
    /// <paramref name="finish"/> the activation is left for the last block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SparseRows<TIndex>(ref float vr, ref TIndex cr, ref int rs, int m, ref float xr, int ldx, int n, ReadOnlySpan<float> bias,
        ref float yr, int ldy, FusedActivation activation, bool accumulate = false, bool finish = true) where TIndex : unmanaged
    {
        var inRegisters = finish && activation.IsSimple ? activation : default;
        // Column blocks outside, rows inside: the block of x (k rows of a few vectors) stays in cache for every row.
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= n - 64; j += 64)
                for (int i = 0; i < m; i++)
                {
                    ref float yi = ref Unsafe.Add(ref yr, (nint)i * ldy + j);
                    Vector512<float> a0, a1, a2, a3;
                    if (accumulate) { a0 = Vector512.LoadUnsafe(ref yi); a1 = Vector512.LoadUnsafe(ref yi, 16); a2 = Vector512.LoadUnsafe(ref yi, 32); a3 = Vector512.LoadUnsafe(ref yi, 48); }
                    else { a0 = Vector512.Create(bias.IsEmpty ? 0f : bias[i]); a1 = a0; a2 = a0; a3 = a0; }
                    // Two non-zeros per step into eight chains: four would leave the multiply-add latency the bound.
                    var b0 = Vector512<float>.Zero; var b1 = b0; var b2 = b0; var b3 = b0;
                    int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1);
                    ref float xj = ref Unsafe.Add(ref xr, j);
                    nint ld = ldx;
                    for (; q <= end - 2; q += 2)
                    {
                        var w = Vector512.Create(Unsafe.Add(ref vr, q));
                        var u = Vector512.Create(Unsafe.Add(ref vr, q + 1));
                        ref float xp = ref Unsafe.Add(ref xj, SparseIndex(ref cr, q) * ld);
                        ref float xu = ref Unsafe.Add(ref xj, SparseIndex(ref cr, q + 1) * ld);
                        a0 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp), a0);
                        a1 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp, 16), a1);
                        a2 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp, 32), a2);
                        a3 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp, 48), a3);
                        b0 = Vector512.FusedMultiplyAdd(u, Vector512.LoadUnsafe(ref xu), b0);
                        b1 = Vector512.FusedMultiplyAdd(u, Vector512.LoadUnsafe(ref xu, 16), b1);
                        b2 = Vector512.FusedMultiplyAdd(u, Vector512.LoadUnsafe(ref xu, 32), b2);
                        b3 = Vector512.FusedMultiplyAdd(u, Vector512.LoadUnsafe(ref xu, 48), b3);
                    }
                    if (q < end)
                    {
                        var w = Vector512.Create(Unsafe.Add(ref vr, q));
                        ref float xp = ref Unsafe.Add(ref xj, SparseIndex(ref cr, q) * ld);
                        a0 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp), a0);
                        a1 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp, 16), a1);
                        a2 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp, 32), a2);
                        a3 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref xp, 48), a3);
                    }
                    a0 += b0; a1 += b1; a2 += b2; a3 += b3;
                    if (finish)
                    {
                        a0 = inRegisters.ApplySimple(a0); a1 = inRegisters.ApplySimple(a1);
                        a2 = inRegisters.ApplySimple(a2); a3 = inRegisters.ApplySimple(a3);
                    }
                    a0.StoreUnsafe(ref yi); a1.StoreUnsafe(ref yi, 16); a2.StoreUnsafe(ref yi, 32); a3.StoreUnsafe(ref yi, 48);
                }
            for (; j <= n - 16; j += 16)
                for (int i = 0; i < m; i++)
                {
                    ref float yi = ref Unsafe.Add(ref yr, (nint)i * ldy + j);
                    var a0 = accumulate ? Vector512.LoadUnsafe(ref yi) : Vector512.Create(bias.IsEmpty ? 0f : bias[i]);
                    for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                        a0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref vr, q)),
                            Vector512.LoadUnsafe(ref Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j)), a0);
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref yi);
                }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= n - 32; j += 32)
                for (int i = 0; i < m; i++)
                {
                    ref float yi = ref Unsafe.Add(ref yr, (nint)i * ldy + j);
                    Vector256<float> a0, a1, a2, a3;
                    if (accumulate) { a0 = Vector256.LoadUnsafe(ref yi); a1 = Vector256.LoadUnsafe(ref yi, 8); a2 = Vector256.LoadUnsafe(ref yi, 16); a3 = Vector256.LoadUnsafe(ref yi, 24); }
                    else { a0 = Vector256.Create(bias.IsEmpty ? 0f : bias[i]); a1 = a0; a2 = a0; a3 = a0; }
                    for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                    {
                        var w = Vector256.Create(Unsafe.Add(ref vr, q));
                        ref float xp = ref Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j);
                        a0 = Vector256.MultiplyAddEstimate(w, Vector256.LoadUnsafe(ref xp), a0);
                        a1 = Vector256.MultiplyAddEstimate(w, Vector256.LoadUnsafe(ref xp, 8), a1);
                        a2 = Vector256.MultiplyAddEstimate(w, Vector256.LoadUnsafe(ref xp, 16), a2);
                        a3 = Vector256.MultiplyAddEstimate(w, Vector256.LoadUnsafe(ref xp, 24), a3);
                    }
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref yi);
                    inRegisters.ApplySimple(a1).StoreUnsafe(ref yi, 8);
                    inRegisters.ApplySimple(a2).StoreUnsafe(ref yi, 16);
                    inRegisters.ApplySimple(a3).StoreUnsafe(ref yi, 24);
                }
            for (; j <= n - 8; j += 8)
                for (int i = 0; i < m; i++)
                {
                    ref float yi = ref Unsafe.Add(ref yr, (nint)i * ldy + j);
                    var a0 = accumulate ? Vector256.LoadUnsafe(ref yi) : Vector256.Create(bias.IsEmpty ? 0f : bias[i]);
                    for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                        a0 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref vr, q)),
                            Vector256.LoadUnsafe(ref Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j)), a0);
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref yi);
                }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; j <= n - 16; j += 16)
                for (int i = 0; i < m; i++)
                {
                    ref float yi = ref Unsafe.Add(ref yr, (nint)i * ldy + j);
                    Vector128<float> a0, a1, a2, a3;
                    if (accumulate) { a0 = Vector128.LoadUnsafe(ref yi); a1 = Vector128.LoadUnsafe(ref yi, 4); a2 = Vector128.LoadUnsafe(ref yi, 8); a3 = Vector128.LoadUnsafe(ref yi, 12); }
                    else { a0 = Vector128.Create(bias.IsEmpty ? 0f : bias[i]); a1 = a0; a2 = a0; a3 = a0; }
                    for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                    {
                        var w = Vector128.Create(Unsafe.Add(ref vr, q));
                        ref float xp = ref Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j);
                        a0 = Vector128.MultiplyAddEstimate(w, Vector128.LoadUnsafe(ref xp), a0);
                        a1 = Vector128.MultiplyAddEstimate(w, Vector128.LoadUnsafe(ref xp, 4), a1);
                        a2 = Vector128.MultiplyAddEstimate(w, Vector128.LoadUnsafe(ref xp, 8), a2);
                        a3 = Vector128.MultiplyAddEstimate(w, Vector128.LoadUnsafe(ref xp, 12), a3);
                    }
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref yi);
                    inRegisters.ApplySimple(a1).StoreUnsafe(ref yi, 4);
                    inRegisters.ApplySimple(a2).StoreUnsafe(ref yi, 8);
                    inRegisters.ApplySimple(a3).StoreUnsafe(ref yi, 12);
                }
            for (; j <= n - 4; j += 4)
                for (int i = 0; i < m; i++)
                {
                    ref float yi = ref Unsafe.Add(ref yr, (nint)i * ldy + j);
                    var a0 = accumulate ? Vector128.LoadUnsafe(ref yi) : Vector128.Create(bias.IsEmpty ? 0f : bias[i]);
                    for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                        a0 = Vector128.MultiplyAddEstimate(Vector128.Create(Unsafe.Add(ref vr, q)),
                            Vector128.LoadUnsafe(ref Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j)), a0);
                    inRegisters.ApplySimple(a0).StoreUnsafe(ref yi);
                }
        }
        for (; j < n; j++)
            for (int i = 0; i < m; i++)
            {
                ref float yi = ref Unsafe.Add(ref yr, (nint)i * ldy + j);
                float sum = accumulate ? yi : bias.IsEmpty ? 0f : bias[i];
                for (int q = Unsafe.Add(ref rs, i), end = Unsafe.Add(ref rs, i + 1); q < end; q++)
                    sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref vr, q), Unsafe.Add(ref xr, SparseIndex(ref cr, q) * ldx + j), sum);
                yi = inRegisters.Apply(sum);
            }
        if (finish && !activation.IsSimple)
            for (int i = 0; i < m; i++) activation.Apply(ref Unsafe.Add(ref yr, (nint)i * ldy), n);
    }

    /// <summary>Rows of A from which <see cref="SparseMatMul"/> transposes a block of them and streams the non-zeros once per block.</summary>
    public const int SparseMatMulBlockRows = 64;

    /// <summary>Scratch floats <see cref="SparseMatMul"/> needs for m rows of A, k inputs and n outputs.</summary>
    public static int SparseMatMulScratchFloats(int m, int k, int n) =>
        (k + n) * Math.Min(m, SparseMatMulBlockRows);

    /// <summary>
    /// Inputs per block of <see cref="SparseMatMul"/>: 128 rows of a transposed block of 64 rows of A are 32 KB, so the
    /// rows the non-zeros of one input block read stay in L1 (measured 1024×1024 at 10%, 64 rows: 135 µs against 168 µs
    /// with one block reading from L2).
    /// </summary>
    public const int SparseMatMulBlockInputs = 128;

    /// <summary>Column starts <see cref="SparseMatMul"/> expects for k inputs and n outputs (one run per input block and output, plus the end).</summary>
    public static int SparseMatMulStarts(int k, int n) => (k + SparseMatMulBlockInputs - 1) / SparseMatMulBlockInputs * n + 1;

    /// <summary>
    /// y[r, j] = act(bias[j] + Σ_p a[r, p]·B[p, j]) for r &lt; m, j &lt; n: a product A·B with a constant sparse B [k, n]
    /// stored by input block and output column: for input block b (inputs [128·b, 128·b + 128)) and output j, the
    /// non-zeros q in [starts[b·n + j], starts[b·n + j + 1]) with value values[q] and 16-bit input index indices[q]
    /// (see <see cref="SparseMatMulStarts"/>). A [m, k] and Y [m, n] row-major, for batches of rows (one or two rows:
    /// <see cref="SparseGemvBlocked"/>). Blocks of <see cref="SparseMatMulBlockRows"/> rows of A are transposed into
    /// <paramref name="scratch"/> so that each non-zero multiplies a contiguous run of rows (the <see cref="SparseGemm"/>
    /// loop), one input block after the other so that run is in L1, and the block's transposed result is written back
    /// into Y.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SparseMatMul(ReadOnlySpan<float> values, ReadOnlySpan<ushort> indices, ReadOnlySpan<int> starts, int n, int k,
        ReadOnlySpan<float> a, int m, ReadOnlySpan<float> bias, Span<float> y, FusedActivation activation, Span<float> scratch)
    {
        if (m < 0 || n < 0 || k < 0 || k > 65536)
            throw new ArgumentException("SparseMatMul: expected non-negative sizes and at most 65536 inputs.");
        int blocks = (k + SparseMatMulBlockInputs - 1) / SparseMatMulBlockInputs, runs = blocks * n;
        if (starts.Length < runs + 1)
            throw new ArgumentException($"SparseMatMul: expected {runs + 1} column starts ({blocks} input blocks of {SparseMatMulBlockInputs} times {n} outputs, plus one).");
        int nnz = starts[runs];
        if (starts[0] < 0 || values.Length < nnz || indices.Length < nnz || (!bias.IsEmpty && bias.Length < n))
            throw new ArgumentException($"SparseMatMul: expected {nnz} values and indices and {n} biases.");
        if (a.Length < (long)m * k || y.Length < (long)m * n)
            throw new ArgumentException($"SparseMatMul: expected A of {(long)m * k} and Y of {(long)m * n} floats.");
        if (scratch.Length < SparseMatMulScratchFloats(m, k, n))
            throw new ArgumentException($"SparseMatMul: expected {SparseMatMulScratchFloats(m, k, n)} floats of scratch.");
        // Any index below k is safe to read (the whole transposed block is in scratch); block membership only affects speed.
        if (nnz > 0 && MaxIndex(indices.Slice(0, nnz)) is var maxIndex && maxIndex >= k)
            throw new ArgumentException($"SparseMatMul: index {maxIndex} outside [0, {k}).");
        if (!NonDecreasing(starts.Slice(0, runs + 1))) throw new ArgumentException("SparseMatMul: column starts must be non-decreasing.");
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            // No inputs: every row is act(bias).
            for (int r = 0; r < m; r++)
            {
                var row = y.Slice(r * n, n);
                if (bias.IsEmpty) row.Clear(); else bias.Slice(0, n).CopyTo(row);
                activation.Apply(row);
            }
            return;
        }
        ref float vr = ref MemoryMarshal.GetReference(values);
        ref ushort ir = ref MemoryMarshal.GetReference(indices);
        for (int r0 = 0; r0 < m; r0 += SparseMatMulBlockRows)
        {
            int rows = Math.Min(SparseMatMulBlockRows, m - r0);
            var at = scratch.Slice(0, k * rows);
            var yt = scratch.Slice(k * rows, n * rows);
            TransposeBlock(a.Slice(r0 * k, rows * k), at, rows, k);
            for (int b = 0; b < blocks; b++)
                SparseRows(ref vr, ref ir, ref Unsafe.AsRef(in starts[b * n]), n, ref MemoryMarshal.GetReference(at), rows, rows, bias,
                    ref MemoryMarshal.GetReference(yt), rows, activation, accumulate: b > 0, finish: b == blocks - 1);
            TransposeBlock(yt, y.Slice(r0 * n, rows * n), n, rows);
        }
    }

    /// <summary>Outputs per group of <see cref="SparseGemvBlocked"/> (one 16-float vector).</summary>
    public const int SparseBlockOutputs = 16;

    /// <summary>Inputs in the window of each vector of <see cref="SparseGemvBlocked"/> (two 16-float vectors).</summary>
    public const int SparseBlockInputs = 32;

    /// <summary>
    /// y[r, j] = act(bias[j] + Σ_p a[r, p]·B[p, j]) for a few rows r &lt; m, with a constant sparse B [k, n] stored for
    /// vectors of 16 outputs: group g of 16 outputs owns vectors starts[g] to starts[g + 1]; vector v covers the window of
    /// 32 inputs from bases[v] (0 ≤ bases[v] ≤ max(k − 32, 0)) and lane l holds one non-zero of output g·16 + l in that
    /// window: its value (values, 16 per vector, 0 where the lane has none) and its input's position in the window (lanes,
    /// one byte per lane, 0..31). Each vector loads its window of the row of A (two registers) and costs one two-register
    /// permute and one fused multiply-add for 16 outputs: no gathers, and one loop per group whatever the windows, so no
    /// branch depends on how the non-zeros fall. AVX2 gathers from the window instead; scalar otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void SparseGemvBlocked(ReadOnlySpan<float> values, ReadOnlySpan<byte> lanes, ReadOnlySpan<int> bases, ReadOnlySpan<int> starts,
        int n, int k, ReadOnlySpan<float> a, int m, ReadOnlySpan<float> bias, Span<float> y, FusedActivation activation)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException("SparseGemvBlocked: expected non-negative sizes.");
        int groups = (n + SparseBlockOutputs - 1) / SparseBlockOutputs;
        if (starts.Length < groups + 1) throw new ArgumentException($"SparseGemvBlocked: expected {groups + 1} vector starts.");
        int vectors = starts[groups];
        if (starts[0] < 0 || bases.Length < vectors || values.Length < (long)vectors * 16 || lanes.Length < (long)vectors * 16 || (!bias.IsEmpty && bias.Length < n))
            throw new ArgumentException($"SparseGemvBlocked: expected {vectors} bases, {vectors * 16L} values and lanes and {n} biases.");
        if (a.Length < (long)m * k || y.Length < (long)m * n)
            throw new ArgumentException($"SparseGemvBlocked: expected A of {(long)m * k} and Y of {(long)m * n} floats.");
        if (!NonDecreasing(starts.Slice(0, groups + 1))) throw new ArgumentException("SparseGemvBlocked: vector starts must be non-decreasing.");
        // Every window must lie inside the row (negative bases show up as large unsigned values).
        int maxBase = Math.Max(k - SparseBlockInputs, 0);
        if (vectors > 0 && System.Numerics.Tensors.TensorPrimitives.Max(MemoryMarshal.Cast<int, uint>(bases.Slice(0, vectors))) > (uint)maxBase)
            throw new ArgumentException($"SparseGemvBlocked: window bases must lie in [0, {maxBase}].");
        if (m == 0 || n == 0) return;
        ref float vr = ref MemoryMarshal.GetReference(values);
        ref byte lr = ref MemoryMarshal.GetReference(lanes);
        ref int br = ref MemoryMarshal.GetReference(bases);
        ref int sr = ref MemoryMarshal.GetReference(starts);
        // A row shorter than a window is read from a zero-padded copy.
        float* padded = stackalloc float[SparseBlockInputs];
        var acc = stackalloc float[SparseBlockOutputs];
        for (int r = 0; r < m; r++)
        {
            var x = a.Slice(r * k, k);
            var yr = y.Slice(r * n, n);
            fixed (float* xRow = x)
            {
                float* xp = xRow;
                if (k < SparseBlockInputs)
                {
                    new Span<float>(padded, SparseBlockInputs).Clear();
                    x.CopyTo(new Span<float>(padded, SparseBlockInputs));
                    xp = padded;
                }
                for (int g = 0; g < groups; g++)
                {
                    int v = Unsafe.Add(ref sr, g), end = Unsafe.Add(ref sr, g + 1);
                    if (Avx512F.IsSupported)
                    {
                        // Four accumulator chains: the multiply-add latency would bound one chain.
                        var sum = Vector512<float>.Zero; var sum1 = sum; var sum2 = sum; var sum3 = sum;
                        for (; v <= end - 4; v += 4)
                        {
                            float* w0 = xp + Unsafe.Add(ref br, v), w1 = xp + Unsafe.Add(ref br, v + 1);
                            float* w2 = xp + Unsafe.Add(ref br, v + 2), w3 = xp + Unsafe.Add(ref br, v + 3);
                            var i0 = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref lr, (nuint)v * 16));
                            var i1 = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref lr, (nuint)v * 16 + 16));
                            var i2 = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref lr, (nuint)v * 16 + 32));
                            var i3 = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref lr, (nuint)v * 16 + 48));
                            sum = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref vr, (nuint)v * 16), Avx512F.PermuteVar16x32x2(Vector512.Load(w0), i0, Vector512.Load(w0 + 16)), sum);
                            sum1 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref vr, (nuint)v * 16 + 16), Avx512F.PermuteVar16x32x2(Vector512.Load(w1), i1, Vector512.Load(w1 + 16)), sum1);
                            sum2 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref vr, (nuint)v * 16 + 32), Avx512F.PermuteVar16x32x2(Vector512.Load(w2), i2, Vector512.Load(w2 + 16)), sum2);
                            sum3 = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref vr, (nuint)v * 16 + 48), Avx512F.PermuteVar16x32x2(Vector512.Load(w3), i3, Vector512.Load(w3 + 16)), sum3);
                        }
                        for (; v < end; v++)
                        {
                            float* w0 = xp + Unsafe.Add(ref br, v);
                            var index = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref lr, (nuint)v * 16));
                            sum = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref vr, (nuint)v * 16), Avx512F.PermuteVar16x32x2(Vector512.Load(w0), index, Vector512.Load(w0 + 16)), sum);
                        }
                        ((sum + sum1) + (sum2 + sum3)).Store(acc);
                    }
                    else if (Avx2.IsSupported)
                    {
                        var sum8a = Vector256<float>.Zero; var sum8b = Vector256<float>.Zero;
                        var mask = Vector256.Create(SparseBlockInputs - 1);
                        for (; v < end; v++)
                        {
                            float* window = xp + Unsafe.Add(ref br, v);
                            var i0 = Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref lr, (nuint)v * 16)) & mask;
                            var i1 = Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref lr, (nuint)v * 16 + 8)) & mask;
                            sum8a = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref vr, (nuint)v * 16), Avx2.GatherVector256(window, i0, 4), sum8a);
                            sum8b = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref vr, (nuint)v * 16 + 8), Avx2.GatherVector256(window, i1, 4), sum8b);
                        }
                        sum8a.Store(acc); sum8b.Store(acc + 8);
                    }
                    else
                    {
                        new Span<float>(acc, SparseBlockOutputs).Clear();
                        for (; v < end; v++)
                        {
                            float* window = xp + Unsafe.Add(ref br, v);
                            for (int l = 0; l < SparseBlockOutputs; l++)
                                acc[l] = MathF.FusedMultiplyAdd(Unsafe.Add(ref vr, v * 16 + l), window[Unsafe.Add(ref lr, v * 16 + l) & (SparseBlockInputs - 1)], acc[l]);
                        }
                    }
                    int j0 = g * SparseBlockOutputs, count = Math.Min(SparseBlockOutputs, n - j0);
                    for (int l = 0; l < count; l++) yr[j0 + l] = (bias.IsEmpty ? 0f : bias[j0 + l]) + acc[l];
                }
            }
            activation.Apply(yr);
        }
    }

    /// <summary>The largest of a non-empty run of 16-bit indices (four vectors of maxima in flight).</summary>
    private static int MaxIndex(ReadOnlySpan<ushort> s)
    {
        int i = 0, max = 0;
        if (Vector512.IsHardwareAccelerated && s.Length >= 128)
        {
            var m0 = Vector512<ushort>.Zero; var m1 = m0; var m2 = m0; var m3 = m0;
            for (; i + 128 <= s.Length; i += 128)
            {
                m0 = Vector512.Max(m0, Vector512.Create(s.Slice(i, 32)));
                m1 = Vector512.Max(m1, Vector512.Create(s.Slice(i + 32, 32)));
                m2 = Vector512.Max(m2, Vector512.Create(s.Slice(i + 64, 32)));
                m3 = Vector512.Max(m3, Vector512.Create(s.Slice(i + 96, 32)));
            }
            var all = Vector512.Max(Vector512.Max(m0, m1), Vector512.Max(m2, m3));
            for (int l = 0; l < 32; l++) max = Math.Max(max, all.GetElement(l));
        }
        else if (Vector256.IsHardwareAccelerated && s.Length >= 64)
        {
            var m0 = Vector256<ushort>.Zero; var m1 = m0; var m2 = m0; var m3 = m0;
            for (; i + 64 <= s.Length; i += 64)
            {
                m0 = Vector256.Max(m0, Vector256.Create(s.Slice(i, 16)));
                m1 = Vector256.Max(m1, Vector256.Create(s.Slice(i + 16, 16)));
                m2 = Vector256.Max(m2, Vector256.Create(s.Slice(i + 32, 16)));
                m3 = Vector256.Max(m3, Vector256.Create(s.Slice(i + 48, 16)));
            }
            var all = Vector256.Max(Vector256.Max(m0, m1), Vector256.Max(m2, m3));
            for (int l = 0; l < 16; l++) max = Math.Max(max, all.GetElement(l));
        }
        for (; i < s.Length; i++) max = Math.Max(max, s[i]);
        return max;
    }

    /// <summary>True when s[i] ≤ s[i + 1] throughout (vectorized: a check on every call of a kernel with thousands of runs).</summary>
    private static bool NonDecreasing(ReadOnlySpan<int> s)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 17 <= s.Length; i += 16)
                if (Vector512.LessThanAny(Vector512.Create(s.Slice(i + 1, 16)), Vector512.Create(s.Slice(i, 16)))) return false;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 9 <= s.Length; i += 8)
                if (Vector256.LessThanAny(Vector256.Create(s.Slice(i + 1, 8)), Vector256.Create(s.Slice(i, 8)))) return false;
        for (; i + 1 < s.Length; i++)
            if (s[i + 1] < s[i]) return false;
        return true;
    }

    /// <summary>dst[c, r] = src[r, c] for a row-major [rows, cols] source, in 8×8 tiles (no bounds checks: callers checked the lengths).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeBlock(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols)
    {
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        const int Tile = 8;
        // The inner loop walks the longer side: then the eight rows of the shorter side's stride (4 KB apart for 1024
        // floats, all in one cache set) are few and stay cached while their lines fill (64×1024 back from 1024×64: 10 µs
        // instead of 73 µs with the loops the other way round).
        bool rowsInside = rows > cols;
        int outer = rowsInside ? cols : rows, inner = rowsInside ? rows : cols;
        for (int o0 = 0; o0 < outer; o0 += Tile)
        {
            for (int i0 = 0; i0 < inner; i0 += Tile)
            {
                int r0 = rowsInside ? i0 : o0, c0 = rowsInside ? o0 : i0;
                int r1 = Math.Min(rows, r0 + Tile), c1 = Math.Min(cols, c0 + Tile);
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
