using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Runtime;

/// <summary>
/// Codebook weights: W [n, k] (n output channels, k reduction positions) stored as 1-, 2- or 4-bit indices into a
/// per-channel table of 2, 4 or 16 floats, or as signed 8-bit codes with a per-channel scale and center (int8
/// weight-only quantization), in the layout of <see cref="CodebookLayout"/>. The weights are never expanded in memory
/// for few rows: each 16-byte block is widened to 16 lanes once, and every 16 weights cost a shift, a mask and one
/// table permute (vpermps holds the whole 16-entry table in a register) before their FMA, so a matrix-vector product
/// streams 1/32 to 1/4 of the float weights' bytes. Many rows decode a block of output channels into the float GEMM's
/// packed panels in scratch and run its micro-kernels. Without AVX-512 the indices are decoded one at a time.
/// </summary>
public static partial class Kernels
{
    /// <summary>Bytes of one output channel's indices (<see cref="CodebookLayout.RowBytes"/>).</summary>
    public static int CodebookRowBytes(int k, int bits) => CodebookLayout.RowBytes(k, bits);

    /// <summary>Floats of one output channel's codebook (<see cref="CodebookLayout.Entries"/>).</summary>
    public static int CodebookEntries(int bits) => CodebookLayout.Entries(bits);

    /// <summary>Rows up to which <see cref="CodebookGemm"/> decodes inside its dot products; more rows decode panels.</summary>
    public const int CodebookDirectRows = CodebookLayout.DirectRows;

    private static int CodebookChunkColumns(int n, int k) => CodebookLayout.ChunkColumns(n, k);

    /// <summary>Scratch floats <see cref="CodebookGemm"/> needs for <paramref name="m"/> rows (none up to <see cref="CodebookDirectRows"/>).</summary>
    public static int CodebookGemmScratch(int m, int n, int k) => CodebookLayout.GemmScratchFloats(m, n, k);

    private static void CheckCodebook(int codes, int codebooks, int bits, int n, int k)
    {
        if (!CodebookLayout.IsValidBits(bits)) throw new ArgumentException($"Codebook weights: expected 1, 2, 4 or 8 bits per index, got {bits}.", nameof(bits));
        if (n < 0 || k < 0) throw new ArgumentException("Codebook weights: expected non-negative dimensions.");
        if (codes < (long)n * CodebookLayout.RowBytes(k, bits) || codebooks < (long)n * CodebookLayout.Entries(bits))
            throw new ArgumentException($"Codebook weights: expected {(long)n * CodebookLayout.RowBytes(k, bits)} index bytes and {(long)n * CodebookLayout.Entries(bits)} codebook floats for {n} channels of {k} weights at {bits} bits.");
    }

    /// <summary>
    /// c[i, j] = act(Σ_p a[i, p]·W[j, p] + colBias[j]) for i &lt; m, j &lt; n, with a row-major (stride lda), c row-major
    /// (stride ldc) and W [n, k] given as codebook indices (<paramref name="codes"/>, <paramref name="bits"/> per index,
    /// <see cref="CodebookLayout"/>) and per-channel <paramref name="codebooks"/>. <paramref name="scratch"/> holds
    /// <see cref="CodebookGemmScratch"/> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CodebookGemm(ReadOnlySpan<float> a, int lda, ReadOnlySpan<byte> codes, ReadOnlySpan<float> codebooks, int bits,
        Span<float> c, int ldc, int m, int n, int k, ReadOnlySpan<float> colBias, FusedActivation activation, Span<float> scratch)
    {
        CheckCodebook(codes.Length, codebooks.Length, bits, n, k);
        if (m < 0 || lda < k || ldc < n) throw new ArgumentException("CodebookGemm: expected m ≥ 0, lda ≥ k and ldc ≥ n.");
        if ((m > 0 && k > 0 && a.Length < (long)(m - 1) * lda + k) || (m > 0 && n > 0 && c.Length < (long)(m - 1) * ldc + n))
            throw new ArgumentException("CodebookGemm: a or c too short.");
        if (!colBias.IsEmpty && colBias.Length < n) throw new ArgumentException($"CodebookGemm: expected {n} biases.", nameof(colBias));
        if (m == 0 || n == 0) return;
        if (m > CodebookDirectRows)
        {
            if (scratch.Length < CodebookGemmScratch(m, n, k)) throw new ArgumentException($"CodebookGemm: expected {CodebookGemmScratch(m, n, k)} scratch floats.", nameof(scratch));
            int chunk = CodebookChunkColumns(n, k);
            var panels = scratch.Slice(0, chunk * k);
            var rows = scratch.Slice(chunk * k, GemmPanelWidth * k);
            for (int j0 = 0; j0 < n; j0 += chunk)
            {
                int columns = Math.Min(chunk, n - j0);
                CodebookDecodePanels(codes, codebooks, bits, j0, columns, k, panels, rows);
                GemmPackedB(a, lda, panels, c.Slice(j0), ldc, m, columns, k, default, colBias.IsEmpty ? default : colBias.Slice(j0, columns), 1f, false, activation);
            }
            return;
        }

        int entries = CodebookLayout.Entries(bits), rowBytes = CodebookLayout.RowBytes(k, bits);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref byte codesRef = ref MemoryMarshal.GetReference(codes);
        Span<float> tables = stackalloc float[4 * 16];
        bool wide = Avx512F.IsSupported;
        int i = 0;
        // Four rows share each channel's decoded weights.
        for (; i + 4 <= m; i += 4)
            for (int j = 0; j < n; j++)
            {
                FillTables(codebooks, bits, j, 1, tables);
                ref byte row = ref Unsafe.Add(ref codesRef, (nint)j * rowBytes);
                ref float ci = ref Unsafe.Add(ref cr, (nint)i * ldc + j);
                if (wide && bits == 8) Dot4Rows512<Int8Decoder>(ref Unsafe.Add(ref ar, (nint)i * lda), lda, ref row, ref MemoryMarshal.GetReference(tables), bits, k, ref ci, ldc);
                else if (wide) Dot4Rows512<TableDecoder>(ref Unsafe.Add(ref ar, (nint)i * lda), lda, ref row, ref MemoryMarshal.GetReference(tables), bits, k, ref ci, ldc);
                else
                    for (int r = 0; r < 4; r++)
                        Unsafe.Add(ref ci, (nint)r * ldc) = DotScalar(ref Unsafe.Add(ref ar, (nint)(i + r) * lda), codes.Slice(j * rowBytes, rowBytes), tables.Slice(0, 16), bits, k);
            }
        // Remaining rows one at a time, four channels at a time (four independent FMA chains).
        for (; i < m; i++)
        {
            ref float x = ref Unsafe.Add(ref ar, (nint)i * lda);
            ref float ci = ref Unsafe.Add(ref cr, (nint)i * ldc);
            int j = 0;
            if (wide)
                for (; j + 4 <= n; j += 4)
                {
                    FillTables(codebooks, bits, j, 4, tables);
                    ref byte row = ref Unsafe.Add(ref codesRef, (nint)j * rowBytes);
                    if (bits == 8) Dot4Channels512<Int8Decoder>(ref x, ref row, rowBytes, ref MemoryMarshal.GetReference(tables), bits, k, ref Unsafe.Add(ref ci, j));
                    else Dot4Channels512<TableDecoder>(ref x, ref row, rowBytes, ref MemoryMarshal.GetReference(tables), bits, k, ref Unsafe.Add(ref ci, j));
                }
            for (; j < n; j++)
            {
                FillTables(codebooks, bits, j, 1, tables);
                Unsafe.Add(ref ci, j) = DotScalar(ref x, codes.Slice(j * rowBytes, rowBytes), tables.Slice(0, 16), bits, k);
            }
        }

        // 8-bit codes: W = scale·(code + center), so y = scale·(Σ code·x + center·Σ x). Then bias and activation.
        for (i = 0; i < m; i++)
        {
            var ci = c.Slice(i * ldc, n);
            if (bits == 8)
            {
                float sum = 0f;
                var xi = a.Slice(i * lda, k);
                for (int p = 0; p < k; p++) sum += xi[p];
                for (int j = 0; j < n; j++)
                    ci[j] = codebooks[2 * j] * (ci[j] + codebooks[2 * j + 1] * sum);
            }
            if (!colBias.IsEmpty)
                for (int j = 0; j < n; j++) ci[j] += colBias[j];
            activation.Apply(ci);
        }
    }

    /// <summary>
    /// Decodes codebook weights W [n, k] into row-major floats <paramref name="w"/> (stride k): a convolution whose
    /// weights are stored as indices runs on the decoded copy in scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CodebookDecode(ReadOnlySpan<byte> codes, ReadOnlySpan<float> codebooks, int bits, Span<float> w, int n, int k)
    {
        CheckCodebook(codes.Length, codebooks.Length, bits, n, k);
        if (w.Length < (long)n * k) throw new ArgumentException($"CodebookDecode: expected {(long)n * k} output floats.", nameof(w));
        for (int j = 0; j < n; j++) DecodeRow(codes, codebooks, bits, j, k, w.Slice(j * k, k));
    }

    /// <summary>
    /// Codebook weights of a 3×3 convolution W [M, C·9] decoded and transformed for <see cref="ConvWinograd"/> into
    /// <paramref name="u"/> (<see cref="WinogradWeightLength"/> floats, the layout of <see cref="WinogradTransformWeights"/>,
    /// with the same arithmetic) on every run, without allocating: <paramref name="row"/> holds C·9 floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CodebookWinogradWeights(ReadOnlySpan<byte> codes, ReadOnlySpan<float> codebooks, int bits, int outChannels, int channels,
        Span<float> u, Span<float> row)
    {
        int k = channels * 9;
        CheckCodebook(codes.Length, codebooks.Length, bits, outChannels, k);
        int packed = PackedALength(outChannels, channels);
        if (u.Length < WinogradPositions * packed || row.Length < k)
            throw new ArgumentException($"CodebookWinogradWeights: expected u of {WinogradPositions * packed} and row of {k} floats.");
        if (outChannels % GemmLayout.PackedARows != 0) u.Slice(0, WinogradPositions * packed).Clear();
        Span<float> t = stackalloc float[12];
        for (int m = 0; m < outChannels; m++)
        {
            DecodeRow(codes, codebooks, bits, m, k, row);
            for (int c = 0; c < channels; c++)
            {
                int o = c * 9, at = GemmLayout.PackedAIndex(m, c, channels);
                for (int col = 0; col < 3; col++)
                {
                    float g0 = row[o + col], g1 = row[o + 3 + col], g2 = row[o + 6 + col];
                    t[col] = g0;
                    t[3 + col] = 0.5f * (g0 + g1 + g2);
                    t[6 + col] = 0.5f * (g0 - g1 + g2);
                    t[9 + col] = g2;
                }
                for (int r = 0; r < 4; r++)
                {
                    float a0 = t[r * 3], a1 = t[r * 3 + 1], a2 = t[r * 3 + 2];
                    u[(r * 4 + 0) * packed + at] = a0;
                    u[(r * 4 + 1) * packed + at] = 0.5f * (a0 + a1 + a2);
                    u[(r * 4 + 2) * packed + at] = 0.5f * (a0 - a1 + a2);
                    u[(r * 4 + 3) * packed + at] = a2;
                }
            }
        }
    }

    /// <summary>Channels [j0, j0 + columns) decoded into packed GEMM panels (<see cref="PackB"/> layout of Wᵀ [k, columns]).</summary>
    private static void CodebookDecodePanels(ReadOnlySpan<byte> codes, ReadOnlySpan<float> codebooks, int bits, int j0, int columns, int k, Span<float> panels, Span<float> rows)
    {
        for (int g = 0; g * GemmPanelWidth < columns; g++)
        {
            int width = Math.Min(GemmPanelWidth, columns - g * GemmPanelWidth);
            for (int col = 0; col < GemmPanelWidth; col++)
            {
                var row = rows.Slice(col * k, k);
                if (col < width) DecodeRow(codes, codebooks, bits, j0 + g * GemmPanelWidth + col, k, row);
                else row.Clear();
            }
            // Transpose the 16 decoded rows into the panel: k rows of 16 columns.
            var panel = panels.Slice(g * GemmPanelWidth * k, GemmPanelWidth * k);
            ref float src = ref MemoryMarshal.GetReference(rows);
            ref float dst = ref MemoryMarshal.GetReference(panel);
            for (int p = 0; p < k; p++)
            {
                ref float d = ref Unsafe.Add(ref dst, (nint)p * GemmPanelWidth);
                for (int col = 0; col < GemmPanelWidth; col++) Unsafe.Add(ref d, col) = Unsafe.Add(ref src, (nint)col * k + p);
            }
        }
    }

    /// <summary>Channel j's k weights as floats.</summary>
    private static void DecodeRow(ReadOnlySpan<byte> codes, ReadOnlySpan<float> codebooks, int bits, int j, int k, Span<float> dst)
    {
        int rowBytes = CodebookLayout.RowBytes(k, bits), entries = CodebookLayout.Entries(bits);
        var row = codes.Slice(j * rowBytes, rowBytes);
        var cb = codebooks.Slice(j * entries, entries);
        int p = 0;
        if (Avx512F.IsSupported)
        {
            Span<float> table = stackalloc float[16];
            FillTables(codebooks, bits, j, 1, table);
            var t = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(table));
            var mask = Vector512.Create((1 << bits) - 1);
            int slots = CodebookLayout.Slots(bits);
            Vector512<float> scale = Vector512.Create(bits == 8 ? cb[0] : 1f), center = Vector512.Create(bits == 8 ? cb[1] : 0f);
            ref byte rr = ref MemoryMarshal.GetReference(row);
            ref float dr = ref MemoryMarshal.GetReference(dst);
            Vector512<int> v = default;
            nint offset = 0;
            for (int s = 0; p <= k - 16; p += 16)
            {
                if (s == 0) { v = bits == 8 ? Int8Decoder.Load512(ref Unsafe.Add(ref rr, offset)) : TableDecoder.Load512(ref Unsafe.Add(ref rr, offset)); offset += 16; }
                var w = bits == 8 ? (Int8Decoder.Decode512(v, 0, mask, t) + center) * scale : TableDecoder.Decode512(v, s * bits, mask, t);
                w.StoreUnsafe(ref dr, (nuint)p);
                if (++s == slots) s = 0;
            }
        }
        for (; p < k; p++) dst[p] = WeightValue(row, cb, bits, p);
    }

    /// <summary>Weight p of a channel (its row of indices and its codebook), 8-bit codes with scale and center applied.</summary>
    private static float WeightValue(ReadOnlySpan<byte> row, ReadOnlySpan<float> cb, int bits, int p)
    {
        byte b = row[CodebookLayout.ByteOf(p, bits)];
        if (bits == 8) return cb[0] * ((sbyte)b + cb[1]);
        return cb[(b >> CodebookLayout.ShiftOf(p, bits)) & ((1 << bits) - 1)];
    }

    /// <summary>Copies <paramref name="count"/> channels' codebooks from j on into 16-float tables (8-bit codes need none).</summary>
    private static void FillTables(ReadOnlySpan<float> codebooks, int bits, int j, int count, Span<float> tables)
    {
        if (bits == 8) return;
        int entries = CodebookLayout.Entries(bits);
        // Entry e holds value e mod 2^bits: vpermps reads the low 4 bits of each lane, so the indices of the slots above
        // (in the higher bits) need no mask.
        for (int q = 0; q < count; q++)
        {
            var cb = codebooks.Slice((j + q) * entries, entries);
            var table = tables.Slice(16 * q, 16);
            for (int e = 0; e < 16; e += entries) cb.CopyTo(table.Slice(e));
        }
    }

    /// <summary>Σ_p x[p]·W[p] one index at a time (8-bit: the raw codes, scaled by the caller).</summary>
    private static float DotScalar(ref float x, ReadOnlySpan<byte> row, ReadOnlySpan<float> table, int bits, int k)
    {
        float s = 0f;
        int mask = (1 << bits) - 1;
        for (int p = 0; p < k; p++)
        {
            byte b = row[CodebookLayout.ByteOf(p, bits)];
            float w = bits == 8 ? (sbyte)b : table[(b >> CodebookLayout.ShiftOf(p, bits)) & mask];
            s += w * Unsafe.Add(ref x, p);
        }
        return s;
    }

    /// <summary>Four channels' dot products with one row x (four independent FMA chains), into y[0..3].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4Channels512<TDecoder>(ref float x, ref byte row0, int rowBytes, ref float tables, int bits, int k, ref float y)
        where TDecoder : struct, ICodebookDecoder
    {
        var t0 = Vector512.LoadUnsafe(ref tables); var t1 = Vector512.LoadUnsafe(ref tables, 16);
        var t2 = Vector512.LoadUnsafe(ref tables, 32); var t3 = Vector512.LoadUnsafe(ref tables, 48);
        var mask = Vector512.Create((1 << bits) - 1);
        int slots = CodebookLayout.Slots(bits);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector512<int> v0 = default, v1 = default, v2 = default, v3 = default;
        ref byte r1 = ref Unsafe.Add(ref row0, rowBytes), r2 = ref Unsafe.Add(ref row0, 2 * rowBytes), r3 = ref Unsafe.Add(ref row0, 3 * rowBytes);
        nint offset = 0;
        int p = 0, block = CodebookLayout.BlockIndices(bits);
        // Whole blocks: one widening load per channel, then each slot's 16 weights, the indices shifted down after each.
        for (; p <= k - 16; offset += 16)
        {
            v0 = TDecoder.Load512(ref Unsafe.Add(ref row0, offset)); v1 = TDecoder.Load512(ref Unsafe.Add(ref r1, offset));
            v2 = TDecoder.Load512(ref Unsafe.Add(ref r2, offset)); v3 = TDecoder.Load512(ref Unsafe.Add(ref r3, offset));
            int end = Math.Min(p + block, k & ~15);
            for (; p < end; p += 16)
            {
                var xv = Vector512.LoadUnsafe(ref x, (nuint)p);
                s0 = Vector512.FusedMultiplyAdd(TDecoder.Decode512(v0, 0, mask, t0), xv, s0);
                s1 = Vector512.FusedMultiplyAdd(TDecoder.Decode512(v1, 0, mask, t1), xv, s1);
                s2 = Vector512.FusedMultiplyAdd(TDecoder.Decode512(v2, 0, mask, t2), xv, s2);
                s3 = Vector512.FusedMultiplyAdd(TDecoder.Decode512(v3, 0, mask, t3), xv, s3);
                if (TDecoder.Shifts)
                {
                    v0 = Vector512.ShiftRightLogical(v0, bits); v1 = Vector512.ShiftRightLogical(v1, bits);
                    v2 = Vector512.ShiftRightLogical(v2, bits); v3 = Vector512.ShiftRightLogical(v3, bits);
                }
            }
        }
        float y0 = Vector512.Sum(s0), y1 = Vector512.Sum(s1), y2 = Vector512.Sum(s2), y3 = Vector512.Sum(s3);
        if (p < k)
        {
            int rowLength = rowBytes;
            var tb = MemoryMarshal.CreateReadOnlySpan(ref tables, 64);
            y0 += DotScalarTail(ref x, MemoryMarshal.CreateReadOnlySpan(ref row0, rowLength), tb.Slice(0, 16), bits, p, k);
            y1 += DotScalarTail(ref x, MemoryMarshal.CreateReadOnlySpan(ref r1, rowLength), tb.Slice(16, 16), bits, p, k);
            y2 += DotScalarTail(ref x, MemoryMarshal.CreateReadOnlySpan(ref r2, rowLength), tb.Slice(32, 16), bits, p, k);
            y3 += DotScalarTail(ref x, MemoryMarshal.CreateReadOnlySpan(ref r3, rowLength), tb.Slice(48, 16), bits, p, k);
        }
        y = y0; Unsafe.Add(ref y, 1) = y1; Unsafe.Add(ref y, 2) = y2; Unsafe.Add(ref y, 3) = y3;
    }

    /// <summary>One channel's dot products with four rows of a (stride lda), into y[0], y[ldy], y[2·ldy], y[3·ldy].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4Rows512<TDecoder>(ref float a, int lda, ref byte row, ref float table, int bits, int k, ref float y, int ldy)
        where TDecoder : struct, ICodebookDecoder
    {
        var t = Vector512.LoadUnsafe(ref table);
        var mask = Vector512.Create((1 << bits) - 1);
        int slots = CodebookLayout.Slots(bits);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector512<int> v = default;
        ref float a1 = ref Unsafe.Add(ref a, lda), a2 = ref Unsafe.Add(ref a, 2 * lda), a3 = ref Unsafe.Add(ref a, 3 * lda);
        nint offset = 0;
        int p = 0, block = CodebookLayout.BlockIndices(bits);
        for (; p <= k - 16; offset += 16)
        {
            v = TDecoder.Load512(ref Unsafe.Add(ref row, offset));
            int end = Math.Min(p + block, k & ~15);
            for (; p < end; p += 16)
            {
                var w = TDecoder.Decode512(v, 0, mask, t);
                s0 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref a, (nuint)p), s0);
                s1 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref a1, (nuint)p), s1);
                s2 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref a2, (nuint)p), s2);
                s3 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref a3, (nuint)p), s3);
                if (TDecoder.Shifts) v = Vector512.ShiftRightLogical(v, bits);
            }
        }
        float y0 = Vector512.Sum(s0), y1 = Vector512.Sum(s1), y2 = Vector512.Sum(s2), y3 = Vector512.Sum(s3);
        if (p < k)
        {
            var r = MemoryMarshal.CreateReadOnlySpan(ref row, CodebookLayout.RowBytes(k, bits));
            var tb = MemoryMarshal.CreateReadOnlySpan(ref table, 16);
            y0 += DotScalarTail(ref a, r, tb, bits, p, k);
            y1 += DotScalarTail(ref a1, r, tb, bits, p, k);
            y2 += DotScalarTail(ref a2, r, tb, bits, p, k);
            y3 += DotScalarTail(ref a3, r, tb, bits, p, k);
        }
        y = y0; Unsafe.Add(ref y, ldy) = y1; Unsafe.Add(ref y, 2 * ldy) = y2; Unsafe.Add(ref y, 3 * ldy) = y3;
    }

    /// <summary>Σ x[p]·W[p] for p in [from, k) one index at a time.</summary>
    private static float DotScalarTail(ref float x, ReadOnlySpan<byte> row, ReadOnlySpan<float> table, int bits, int from, int k)
    {
        float s = 0f;
        int mask = (1 << bits) - 1;
        for (int p = from; p < k; p++)
        {
            byte b = row[CodebookLayout.ByteOf(p, bits)];
            float w = bits == 8 ? (sbyte)b : table[(b >> CodebookLayout.ShiftOf(p, bits)) & mask];
            s += w * Unsafe.Add(ref x, p);
        }
        return s;
    }

    /// <summary>How a 16-byte block of indices becomes 16 weights (specialized per form by the JIT).</summary>
    private interface ICodebookDecoder
    {
        /// <summary>Several indices share a byte (the next slot's are the bits above).</summary>
        static abstract bool Shifts { get; }

        /// <summary>16 bytes widened to 16 lanes.</summary>
        static abstract Vector512<int> Load512(ref byte source);

        /// <summary>The 16 weights of slot (shift / bits) of a widened block.</summary>
        static abstract Vector512<float> Decode512(Vector512<int> block, int shift, Vector512<int> mask, Vector512<float> table);
    }

    /// <summary>
    /// 1-, 2- and 4-bit indices into a 16-entry table held in one register (vpermps, which reads the low 4 bits of each
    /// lane: the table repeats the codebook, so the next slots' bits above the index select the same value).
    /// </summary>
    private readonly struct TableDecoder : ICodebookDecoder
    {
        public static bool Shifts => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Load512(ref byte source) => Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref source)).AsInt32();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Decode512(Vector512<int> block, int shift, Vector512<int> mask, Vector512<float> table) =>
            Avx512F.PermuteVar16x32(table, Vector512.ShiftRightLogical(block, shift));
    }

    /// <summary>Signed 8-bit codes, converted to float (the per-channel scale and center are applied after the sum).</summary>
    private readonly struct Int8Decoder : ICodebookDecoder
    {
        public static bool Shifts => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Load512(ref byte source) => Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref source).AsSByte());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Decode512(Vector512<int> block, int shift, Vector512<int> mask, Vector512<float> table) => Vector512.ConvertToSingle(block);
    }
}
