using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

/// <summary>
/// Single-precision matrix multiplication. The core computes C = act(alpha·A·B + rowBias + colBias [+ C]) with A row-major
/// and B addressed as 16-column panels: B is either row-major (a panel is 16 adjacent columns, k-stride ldb) or packed at
/// build time (<see cref="PackB"/>: panel after panel, each K rows of 16 contiguous floats, zero-padded), or its rows are
/// found through a table of offsets (the implicit-GEMM convolution). Register-blocked micro-kernels (8×32 for Vector512,
/// 6×16 for Vector256, 6×8 for Vector128; fewer rows at the bottom edge) accumulate with FMA; for full tiles the epilogue
/// adds the bias, applies the activation and stores straight from the accumulator registers. Large A is split into K
/// blocks so a block stays in L2. A may also be packed (<see cref="PackA"/>: blocks of 8 rows, k-major), as convolutions
/// pack their constant weights at build time, so each micro-kernel reads its rows of A as one sequential stream.
/// </summary>
public static partial class Kernels
{
    /// <summary>Columns per B panel in the packed layout (and the unit every micro-kernel consumes).</summary>
    public const int GemmPanelWidth = GemmLayout.PanelWidth;

    /// <summary>Floats <see cref="PackB"/> writes for a [k, n] matrix.</summary>
    public static int PackedBLength(int k, int n) => GemmLayout.PackedLength(k, n);

    /// <summary>Packs row-major B[k, n] into 16-column panels (each k rows of 16 floats), zero-padding the last panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(ReadOnlySpan<float> b, int k, int n, Span<float> packed)
    {
        int panels = (n + GemmPanelWidth - 1) / GemmPanelWidth;
        if (b.Length < k * n || packed.Length < panels * GemmPanelWidth * k) throw new ArgumentException("PackB operand too short.");
        for (int p = 0; p < panels; p++)
        {
            int c0 = p * GemmPanelWidth, w = Math.Min(GemmPanelWidth, n - c0);
            var dst = packed.Slice(p * GemmPanelWidth * k, GemmPanelWidth * k);
            for (int r = 0; r < k; r++)
            {
                var row = dst.Slice(r * GemmPanelWidth, GemmPanelWidth);
                b.Slice(r * n + c0, w).CopyTo(row);
                row.Slice(w).Clear();
            }
        }
    }

    /// <summary>
    /// y[m,n] = alpha * a[m,k] · b[k,n] + bias, where bias has n elements (one row), m·n, or none, all row-major. Needs
    /// no scratch; <see cref="GemmRowMajorB"/> and <see cref="GemmPackedB"/> are the faster forms generated code uses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gemm(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> y, int m, int n, int k, float alpha = 1f)
    {
        if (a.Length < m * k || b.Length < k * n || y.Length < m * n) throw new ArgumentException("Gemm operand too short.");
        bool matrixBias = bias.Length == m * n && bias.Length != n;
        if (matrixBias) bias.Slice(0, m * n).CopyTo(y);
        var epilogue = new GemmEpilogue(default, matrixBias || bias.Length != n ? default : bias, alpha, matrixBias, default);
        int edgeFloats = n % GemmPanelWidth == 0 ? 0 : k * GemmPanelWidth;
        Span<float> edge = edgeFloats is > 0 and <= 4096 ? stackalloc float[edgeFloats] : default;
        GemmRowMajorCore(a, k, b, n, m, n, k, y, n, edge, epilogue);
    }

    /// <summary>Scratch floats <see cref="GemmRowMajorB"/> needs for an edge panel when n is not a multiple of 16.</summary>
    public static int GemmRowMajorScratch(int k, int n) => n % GemmPanelWidth == 0 ? 0 : k * GemmPanelWidth;

    /// <summary>
    /// c[i,j] (row stride ldc) = act(alpha·Σ a[i,p]·b[p,j] + rowBias[i] + colBias[j] [+ c[i,j] when accumulate]), with a
    /// row-major (stride lda) and b row-major (stride ldb). <paramref name="scratch"/> holds
    /// <see cref="GemmRowMajorScratch"/> floats for the last, partial 16-column panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GemmRowMajorB(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int m, int n, int k,
        ReadOnlySpan<float> rowBias, ReadOnlySpan<float> colBias, float alpha, bool accumulate, FusedActivation activation, Span<float> scratch)
    {
        CheckOperands(a.Length, lda, b.Length, ldb, c.Length, ldc, m, n, k, rowBias.Length, colBias.Length);
        if (n % GemmPanelWidth != 0 && scratch.Length < k * GemmPanelWidth) throw new ArgumentException("Gemm scratch too short.", nameof(scratch));
        GemmRowMajorCore(a, lda, b, ldb, m, n, k, c, ldc, scratch, new GemmEpilogue(rowBias, colBias, alpha, accumulate, activation));
    }

    /// <summary>As <see cref="GemmRowMajorB"/>, with b packed by <see cref="PackB"/> (at build time for constant weights).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GemmPackedB(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> packedB, Span<float> c, int ldc, int m, int n, int k,
        ReadOnlySpan<float> rowBias, ReadOnlySpan<float> colBias, float alpha, bool accumulate, FusedActivation activation)
    {
        CheckOperands(a.Length, lda, 0, 0, c.Length, ldc, m, n, k, rowBias.Length, colBias.Length);
        if (packedB.Length < PackedBLength(k, n)) throw new ArgumentException("Packed B too short.", nameof(packedB));
        if (m == 0 || n == 0) return;
        int panels = (n + GemmPanelWidth - 1) / GemmPanelWidth;
        GemmPanels(ref MemoryMarshal.GetReference(a), lda, ref MemoryMarshal.GetReference(packedB), GemmPanelWidth, (nint)k * GemmPanelWidth, panels,
            ref Unsafe.NullRef<float>(), m, n, k, ref MemoryMarshal.GetReference(c), ldc, new GemmEpilogue(rowBias, colBias, alpha, accumulate, activation));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckOperands(int aLength, int lda, int bLength, int ldb, int cLength, int ldc, int m, int n, int k, int rowBias, int colBias)
    {
        if (m < 0 || n < 0 || k < 0 || lda < k || ldc < n) throw new ArgumentException("Invalid Gemm dimensions.");
        if (m > 0 && k > 0 && aLength < (m - 1) * lda + k) throw new ArgumentException("Gemm A too short.");
        if (ldb > 0 && n > 0 && k > 0 && (ldb < n || bLength < (k - 1) * ldb + n)) throw new ArgumentException("Gemm B too short.");
        if (m > 0 && n > 0 && cLength < (m - 1) * ldc + n) throw new ArgumentException("Gemm C too short.");
        if ((rowBias != 0 && rowBias < m) || (colBias != 0 && colBias < n)) throw new ArgumentException("Gemm bias too short.");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemmRowMajorCore(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, int m, int n, int k, Span<float> c, int ldc,
        Span<float> edgeScratch, in GemmEpilogue epilogue, bool packedA = false)
    {
        if (m == 0 || n == 0) return;
        int full = n / GemmPanelWidth, rest = n - full * GemmPanelWidth;
        ref float edge = ref Unsafe.NullRef<float>();
        if (rest > 0)
        {
            if (edgeScratch.Length >= k * GemmPanelWidth)
            {
                // Copy the partial panel so the micro-kernels never read past the end of b.
                edge = ref MemoryMarshal.GetReference(edgeScratch);
                var e = edgeScratch.Slice(0, k * GemmPanelWidth);
                for (int p = 0; p < k; p++)
                {
                    var row = e.Slice(p * GemmPanelWidth, GemmPanelWidth);
                    b.Slice(p * ldb + full * GemmPanelWidth, rest).CopyTo(row);
                    row.Slice(rest).Clear();
                }
            }
            else
            {
                if (packedA) throw new ArgumentException("Gemm with packed A needs scratch for the edge panel.", nameof(edgeScratch));
                GemmEdgeColumns(a, lda, b, ldb, m, n, k, c, ldc, full * GemmPanelWidth, epilogue);
                n = full * GemmPanelWidth;
                if (n == 0) return;
            }
        }
        GemmPanels(ref MemoryMarshal.GetReference(a), lda, ref MemoryMarshal.GetReference(b), ldb, GemmPanelWidth, full, ref edge, m, n, k,
            ref MemoryMarshal.GetReference(c), ldc, epilogue, packedA);
    }

    /// <summary>Columns [from, n) the slow way, when no scratch is available for an edge panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemmEdgeColumns(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, int m, int n, int k, Span<float> c, int ldc, int from, in GemmEpilogue e)
    {
        for (int i = 0; i < m; i++)
            for (int j = from; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++) s += a[i * lda + p] * b[p * ldb + j];
                s *= e.Alpha;
                if (e.Accumulate) s += c[i * ldc + j];
                if (!e.RowBias.IsEmpty) s += e.RowBias[i];
                if (!e.ColBias.IsEmpty) s += e.ColBias[j];
                if (e.HasResidual) s += Unsafe.AddByteOffset(ref c[i * ldc + j], e.ResidualOffset);
                c[i * ldc + j] = e.Activation.Apply(s);
            }
    }

    /// <summary>What happens to an accumulated tile on its way to C.</summary>
    private readonly ref struct GemmEpilogue
    {
        public GemmEpilogue(ReadOnlySpan<float> rowBias, ReadOnlySpan<float> colBias, float alpha, bool accumulate, FusedActivation activation)
        {
            RowBias = rowBias;
            ColBias = colBias;
            Alpha = alpha;
            Accumulate = accumulate;
            Activation = activation;
        }

        /// <summary>
        /// As above, plus a residual added last, just before the activation: residual has the layout of
        /// <paramref name="c"/> (same row stride), and element c[i, j] adds residual[i, j]. Empty: none.
        /// </summary>
        public GemmEpilogue(ReadOnlySpan<float> rowBias, ReadOnlySpan<float> colBias, float alpha, bool accumulate, FusedActivation activation,
            ReadOnlySpan<float> residual, ReadOnlySpan<float> c)
            : this(rowBias, colBias, alpha, accumulate, activation)
        {
            HasResidual = !residual.IsEmpty;
            if (HasResidual) ResidualOffset = Unsafe.ByteOffset(ref MemoryMarshal.GetReference(c), ref MemoryMarshal.GetReference(residual));
        }

        private GemmEpilogue(GemmEpilogue e, bool accumulate, bool withBias, bool withResidual, FusedActivation activation)
            : this(withBias ? e.RowBias : default, withBias ? e.ColBias : default, e.Alpha, accumulate, activation)
        {
            HasResidual = withResidual && e.HasResidual;
            ResidualOffset = e.ResidualOffset;
        }

        /// <summary>The first of several K blocks: biases (and the caller's accumulation), no residual, no activation.</summary>
        public GemmEpilogue FirstBlock() => new(this, Accumulate, withBias: true, withResidual: false, default);

        /// <summary>A later K block: accumulates; the last one adds the residual and applies the activation.</summary>
        public GemmEpilogue LaterBlock(bool last) => new(this, true, withBias: false, withResidual: last, last ? Activation : default);

        /// <summary>Everything but the activation.</summary>
        public GemmEpilogue WithoutActivation() => new(this, Accumulate, withBias: true, withResidual: true, default);

        public readonly ReadOnlySpan<float> RowBias;
        public readonly ReadOnlySpan<float> ColBias;
        public readonly float Alpha;
        public readonly bool Accumulate;
        public readonly FusedActivation Activation;
        public readonly bool HasResidual;

        /// <summary>Bytes from an element of C to the same element of the residual.</summary>
        public readonly nint ResidualOffset;
    }

    // Tile geometry per vector width.
    private const int Mr512 = 8, Nr512 = 32, Mr256 = 6, Nr256 = 16, Mr128 = 6, Nr128 = 8, MrScalar = 4, NrScalar = 16;

    /// <summary>
    /// The blocked driver. Panel p (16 columns) of B starts at b + p·panelStride, rows k-stride apart; <paramref name="panels"/>
    /// panels are readable there, and when n extends past them the last columns are in <paramref name="edge"/>, one packed
    /// panel (k-stride 16). Column blocks outside, row blocks inside, so a B micro-panel stays in cache for all of A.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemmPanels(ref float a, nint lda, ref float b, nint kStride, nint panelStride, int panels, ref float edge,
        int m, int n, int k, ref float c, nint ldc, in GemmEpilogue e, bool packedA = false) =>
        GemmPanels(ref a, lda, ref b, kStride, panelStride, panels, ref edge, m, n, k, ref c, ldc, e, ref Unsafe.NullRef<int>(), packedA);

    /// <summary>
    /// As above; with <paramref name="rowOffsets"/> (k entries) row p of B is at b + rowOffsets[p] instead of b + p·kStride
    /// (an implicit-GEMM convolution reads its shifted input rows this way, without an im2col copy). With
    /// <paramref name="packedA"/>, A is in the <see cref="PackA"/> layout and <paramref name="lda"/> is ignored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemmPanels(ref float a, nint lda, ref float b, nint kStride, nint panelStride, int panels, ref float edge,
        int m, int n, int k, ref float c, nint ldc, in GemmEpilogue e, ref int rowOffsets, bool packedA = false)
    {
        if (!e.Activation.IsSimple)
        {
            // An activation that is more than a compare or two (Sigmoid, SiLU, Tanh, ...) runs once over each finished row
            // of C, while it is still in cache: one dispatch per row instead of one per tile row, same operator, same bits.
            GemmPanels(ref a, lda, ref b, kStride, panelStride, panels, ref edge, m, n, k, ref c, ldc, e.WithoutActivation(), ref rowOffsets, packedA);
            var activation = e.Activation;
            for (int i = 0; i < m; i++) activation.Apply(ref Unsafe.Add(ref c, i * ldc), n);
            return;
        }
        bool indirect = !Unsafe.IsNullRef(ref rowOffsets);
        // Packed A: blocks of GemmPackedARows rows, each k columns of GemmPackedARows floats; lda becomes the block stride.
        if (packedA) lda = (nint)k * GemmPackedARows;
        nint aStep = packedA ? GemmPackedARows : 1;
        // K blocking keeps an m×kc block of A in L2 when all of A would not fit; the partial sums accumulate in C and
        // only the last block applies the activation.
        int kc = k;
        if ((long)m * k > GemmABlockFloats)
        {
            kc = Math.Max(128, GemmABlockFloats / Math.Max(m, 1));
            int blocks = (k + kc - 1) / kc;
            kc = (k + blocks - 1) / blocks;
        }
        if (kc >= k)
        {
            GemmPanelsMode(indirect, packedA, ref a, lda, ref b, kStride, panelStride, panels, ref edge, m, n, k, ref c, ldc, e, ref rowOffsets);
            return;
        }
        for (int k0 = 0; k0 < k; k0 += kc)
        {
            int kb = Math.Min(kc, k - k0);
            bool first = k0 == 0, last = k0 + kb == k;
            var part = first ? e.FirstBlock() : e.LaterBlock(last);
            if (indirect)
                GemmPanelsMode(true, packedA, ref Unsafe.Add(ref a, k0 * aStep), lda, ref b, kStride, panelStride, panels, ref edge, m, n, kb, ref c, ldc, part, ref Unsafe.Add(ref rowOffsets, k0));
            else
                GemmPanelsMode(false, packedA, ref Unsafe.Add(ref a, k0 * aStep), lda, ref Unsafe.Add(ref b, k0 * kStride), kStride, panelStride, panels,
                    ref Unsafe.IsNullRef(ref edge) ? ref edge : ref Unsafe.Add(ref edge, k0 * GemmPanelWidth), m, n, kb, ref c, ldc, part, ref rowOffsets);
        }
    }

    /// <summary>The block driver instantiated for how B's rows are found (TInd bit 0) and A's layout (bit 1: packed).</summary>
    private static void GemmPanelsMode(bool indirect, bool packedA, ref float a, nint lda, ref float b, nint kStride, nint panelStride, int panels, ref float edge,
        int m, int n, int k, ref float c, nint ldc, in GemmEpilogue e, ref int offs)
    {
        if (packedA)
        {
            if (indirect) GemmPanelsBlock<Const3>(ref a, lda, ref b, kStride, panelStride, panels, ref edge, m, n, k, ref c, ldc, e, ref offs);
            else GemmPanelsBlock<Const2>(ref a, lda, ref b, kStride, panelStride, panels, ref edge, m, n, k, ref c, ldc, e, ref offs);
        }
        else if (indirect) GemmPanelsBlock<Const1>(ref a, lda, ref b, kStride, panelStride, panels, ref edge, m, n, k, ref c, ldc, e, ref offs);
        else GemmPanelsBlock<Const0>(ref a, lda, ref b, kStride, panelStride, panels, ref edge, m, n, k, ref c, ldc, e, ref offs);
    }

    /// <summary>Rows per block of a packed A (<see cref="PackA"/>): the Vector512 tile height, a multiple of the others'.</summary>
    public const int GemmPackedARows = GemmLayout.PackedARows;

    /// <summary>Floats <see cref="PackA"/> writes for an [m, k] matrix.</summary>
    public static int PackedALength(int m, int k) => GemmLayout.PackedALength(m, k);

    /// <summary>
    /// Packs row-major A[m, k] (row stride lda) into blocks of 8 rows, each k columns of 8 contiguous floats
    /// (packed[(i / 8)·8k + p·8 + i % 8] = a[i, p]), zero-padding the last block: a micro-kernel then reads its rows of A
    /// as one sequential stream. Constant weights are packed at build time.
    /// </summary>
    public static void PackA(ReadOnlySpan<float> a, int lda, int m, int k, Span<float> packed)
    {
        if (m < 0 || k < 0 || lda < k || (m > 0 && a.Length < (m - 1) * lda + k) || packed.Length < PackedALength(m, k))
            throw new ArgumentException("PackA: expected a of m rows (stride lda >= k) and packed of PackedALength(m, k) floats.");
        packed.Slice(0, PackedALength(m, k)).Clear();
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) packed[GemmLayout.PackedAIndex(i, p, k)] = a[i * lda + p];
    }

    /// <summary>Floats of A one K block may hold (512 KB: half of a typical L2).</summary>
    private const int GemmABlockFloats = 128 * 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemmPanelsBlock<TInd>(ref float a, nint lda, ref float b, nint kStride, nint panelStride, int panels, ref float edge,
        int m, int n, int k, ref float c, nint ldc, in GemmEpilogue e, ref int offs) where TInd : struct, IConst
    {
        Span<float> tile = stackalloc float[Mr512 * Nr512];
        ref float t = ref MemoryMarshal.GetReference(tile);
        int totalPanels = (n + GemmPanelWidth - 1) / GemmPanelWidth;
        // Packed A (TInd bit 1): row i is at block i / 8 (lda apart), offset i % 8, and its k-th element GemmPackedARows
        // floats after its first, so the micro-kernels get a row stride of 1. The 6-row tiles would straddle blocks: the
        // narrower paths then take 4 rows at a time.
        bool packed = (TInd.Value & 2) != 0;
        nint mlda = packed ? 1 : lda;
        int mr256 = packed ? 4 : Mr256, mr128 = packed ? 4 : Mr128;
        for (int p = 0; p < totalPanels;)
        {
            bool inEdge = p >= panels;
            ref float bp = ref inEdge ? ref edge : ref Unsafe.Add(ref b, p * panelStride);
            nint ks = inEdge ? GemmPanelWidth : kStride;
            int col = p * GemmPanelWidth;
            if (TInd.Value == 0 && n - col == 1 && k >= GemmColumnMinK && k <= GemmColumnMaxK)
            {
                // A last panel with a single column (n ≡ 1 mod 16, e.g. 7×7 images) would cost a full 16-column tile.
                GemmColumn(ref a, lda, ref bp, ks, m, k, ref t, ref c, ldc, col, e);
                p++;
                continue;
            }
            if (Vector512.IsHardwareAccelerated)
            {
                bool pair = p + 1 < panels;
                int cols = Math.Min(pair ? 32 : 16, n - col);
                for (int i = 0; i < m; i += Mr512)
                {
                    int rows = Math.Min(Mr512, m - i);
                    ref float ai = ref RowOfA<TInd>(ref a, lda, i);
                    if (pair)
                    {
                        if (rows > 4) Micro512<Const8, Const2, TInd>(ref ai, mlda, rows, ref bp, ks, panelStride, k, ref t, ref c, ldc, i, col, cols, e, ref offs);
                        else if (rows > 1) Micro512<Const4, Const2, TInd>(ref ai, mlda, rows, ref bp, ks, panelStride, k, ref t, ref c, ldc, i, col, cols, e, ref offs);
                        else Micro512<Const1, Const2, TInd>(ref ai, mlda, rows, ref bp, ks, panelStride, k, ref t, ref c, ldc, i, col, cols, e, ref offs);
                    }
                    else
                    {
                        if (rows > 4) Micro512<Const8, Const1, TInd>(ref ai, mlda, rows, ref bp, ks, 0, k, ref t, ref c, ldc, i, col, cols, e, ref offs);
                        else if (rows > 1) Micro512<Const4, Const1, TInd>(ref ai, mlda, rows, ref bp, ks, 0, k, ref t, ref c, ldc, i, col, cols, e, ref offs);
                        else Micro512<Const1, Const1, TInd>(ref ai, mlda, rows, ref bp, ks, 0, k, ref t, ref c, ldc, i, col, cols, e, ref offs);
                    }
                }
                p += pair ? 2 : 1;
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                int cols = Math.Min(16, n - col);
                for (int i = 0; i < m; i += mr256)
                {
                    int rows = Math.Min(mr256, m - i);
                    ref float ai = ref RowOfA<TInd>(ref a, lda, i);
                    if (rows > 4) Micro256<Const6, TInd>(ref ai, mlda, rows, ref bp, ks, k, ref t, ref c, ldc, i, col, cols, e, ref offs);
                    else if (rows > 1) Micro256<Const4, TInd>(ref ai, mlda, rows, ref bp, ks, k, ref t, ref c, ldc, i, col, cols, e, ref offs);
                    else Micro256<Const1, TInd>(ref ai, mlda, rows, ref bp, ks, k, ref t, ref c, ldc, i, col, cols, e, ref offs);
                }
                p++;
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                for (int half = 0; half < 2 && col + half * 8 < n; half++)
                {
                    int c0 = col + half * 8, cols = Math.Min(8, n - c0);
                    ref float bh = ref Unsafe.Add(ref bp, half * 8);
                    for (int i = 0; i < m; i += mr128)
                    {
                        int rows = Math.Min(mr128, m - i);
                        ref float ai = ref RowOfA<TInd>(ref a, lda, i);
                        if (rows > 4) Micro128<Const6, TInd>(ref ai, mlda, rows, ref bh, ks, k, ref t, ref c, ldc, i, c0, cols, e, ref offs);
                        else if (rows > 1) Micro128<Const4, TInd>(ref ai, mlda, rows, ref bh, ks, k, ref t, ref c, ldc, i, c0, cols, e, ref offs);
                        else Micro128<Const1, TInd>(ref ai, mlda, rows, ref bh, ks, k, ref t, ref c, ldc, i, c0, cols, e, ref offs);
                    }
                }
                p++;
            }
            else
            {
                int cols = Math.Min(16, n - col);
                for (int i = 0; i < m; i += MrScalar)
                {
                    int rows = Math.Min(MrScalar, m - i);
                    MicroScalar(ref RowOfA<TInd>(ref a, lda, i), mlda, packed ? GemmPackedARows : 1, rows, ref bp, ks, k, ref t, ref offs);
                    StoreTile(ref t, NrScalar, ref c, ldc, i, col, rows, cols, e);
                }
                p++;
            }
        }
    }

    /// <summary>The first element of row i of A: row-major (stride lda), or packed (block i / 8 of stride lda, offset i % 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref float RowOfA<TInd>(ref float a, nint lda, int i) where TInd : struct, IConst =>
        ref (TInd.Value & 2) != 0
            ? ref Unsafe.Add(ref a, (i / GemmPackedARows) * lda + i % GemmPackedARows)
            : ref Unsafe.Add(ref a, i * lda);

    /// <summary>Depths for which <see cref="GemmColumn"/> beats a 16-column tile, and its stack budget.</summary>
    private const int GemmColumnMinK = 32, GemmColumnMaxK = 4096;

    /// <summary>
    /// Column <paramref name="col0"/> of C alone, as one dot product per row of A: the column of B (rows k-stride apart)
    /// is gathered once, then each row costs k/16 vector FMAs instead of the k of a broadcast tile. k is at most
    /// <see cref="GemmColumnMaxK"/> (the caller's condition), so the gathered column has a fixed stack budget.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void GemmColumn(ref float a, nint lda, ref float b, nint kStride, int m, int k, ref float tile, ref float c, nint ldc, int col0, in GemmEpilogue e)
    {
        if ((uint)k > GemmColumnMaxK) throw new ArgumentOutOfRangeException(nameof(k), $"GemmColumn takes k up to {GemmColumnMaxK}.");
        // A constant size (not stackalloc float[k]): the stack use is bounded whatever k arrives; SkipLocalsInit leaves it unzeroed.
        Span<float> column = stackalloc float[GemmColumnMaxK];
        ref float v = ref MemoryMarshal.GetReference(column);
        for (int p = 0; p < k; p++) Unsafe.Add(ref v, p) = Unsafe.Add(ref b, p * kStride);
        const int rowsPerTile = Mr512 * Nr512;
        for (int i0 = 0; i0 < m; i0 += rowsPerTile)
        {
            int rows = Math.Min(rowsPerTile, m - i0);
            for (int r = 0; r < rows; r++) Unsafe.Add(ref tile, r) = DotProduct(ref Unsafe.Add(ref a, (i0 + r) * lda), ref v, k);
            StoreTile(ref tile, 1, ref c, ldc, i0, col0, rows, 1, e);
        }
    }

    /// <summary>Σ x[i]·y[i] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float DotProduct(ref float x, ref float y, int n)
    {
        int i = 0;
        float s = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> s0 = default, s1 = default;
            for (; i <= n - 32; i += 32)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)(i + 16)), Vector512.LoadUnsafe(ref y, (nuint)(i + 16)), s1);
            }
            for (; i <= n - 16; i += 16) s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i), s0);
            s = Vector512.Sum(s0 + s1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> s0 = default, s1 = default;
            for (; i <= n - 16; i += 16)
            {
                s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, (nuint)i), Vector256.LoadUnsafe(ref y, (nuint)i), s0);
                s1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, (nuint)(i + 8)), Vector256.LoadUnsafe(ref y, (nuint)(i + 8)), s1);
            }
            for (; i <= n - 8; i += 8) s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, (nuint)i), Vector256.LoadUnsafe(ref y, (nuint)i), s0);
            s = Vector256.Sum(s0 + s1);
        }
        else if (Vector128.IsHardwareAccelerated && n >= 4)
        {
            Vector128<float> s0 = default, s1 = default;
            for (; i <= n - 8; i += 8)
            {
                s0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, (nuint)i), Vector128.LoadUnsafe(ref y, (nuint)i), s0);
                s1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, (nuint)(i + 4)), Vector128.LoadUnsafe(ref y, (nuint)(i + 4)), s1);
            }
            for (; i <= n - 4; i += 4) s0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, (nuint)i), Vector128.LoadUnsafe(ref y, (nuint)i), s0);
            s = Vector128.Sum(s0 + s1);
        }
        for (; i < n; i++) s += Unsafe.Add(ref x, i) * Unsafe.Add(ref y, i);
        return s;
    }

    private interface IConst { static abstract int Value { get; } }
    private readonly struct Const0 : IConst { public static int Value => 0; }
    private readonly struct Const1 : IConst { public static int Value => 1; }
    private readonly struct Const2 : IConst { public static int Value => 2; }
    private readonly struct Const3 : IConst { public static int Value => 3; }
    private readonly struct Const4 : IConst { public static int Value => 4; }
    private readonly struct Const6 : IConst { public static int Value => 6; }
    private readonly struct Const8 : IConst { public static int Value => 8; }

    /// <summary>
    /// TRows×(16·TVecs) tile of A·B into <paramref name="tile"/> (row stride 32). Rows at or past <paramref name="rows"/>
    /// re-read the last valid row, so A is never read out of bounds; their results are not stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Micro512<TRows, TVecs, TInd>(ref float a, nint lda, int rows, ref float b, nint kStride, nint v1, int k, ref float tile,
        ref float c, nint ldc, int row0, int col0, int cols, in GemmEpilogue e, ref int offs)
        where TRows : struct, IConst where TVecs : struct, IConst where TInd : struct, IConst
    {
        int R = TRows.Value;
        bool two = TVecs.Value == 2;
        ref float a0 = ref a;
        ref float a1 = ref Unsafe.Add(ref a, Math.Min(1, rows - 1) * lda);
        ref float a2 = ref Unsafe.Add(ref a, Math.Min(2, rows - 1) * lda);
        ref float a3 = ref Unsafe.Add(ref a, Math.Min(3, rows - 1) * lda);
        ref float a4 = ref Unsafe.Add(ref a, Math.Min(4, rows - 1) * lda);
        ref float a5 = ref Unsafe.Add(ref a, Math.Min(5, rows - 1) * lda);
        ref float a6 = ref Unsafe.Add(ref a, Math.Min(6, rows - 1) * lda);
        ref float a7 = ref Unsafe.Add(ref a, Math.Min(7, rows - 1) * lda);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        bool indirect = (TInd.Value & 1) == 1;
        bool packedA = (TInd.Value & 2) != 0;
        for (nint p = 0; p < k; p++)
        {
            nint pa = packedA ? p * GemmPackedARows : p;
            ref float bk = ref indirect ? ref Unsafe.Add(ref b, Unsafe.Add(ref offs, p)) : ref b;
            var b0 = Vector512.LoadUnsafe(ref bk);
            var b1 = two ? Vector512.LoadUnsafe(ref bk, (nuint)v1) : default;
            var av = Vector512.Create(Unsafe.Add(ref a0, pa));
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            if (two) c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            if (R > 1)
            {
                av = Vector512.Create(Unsafe.Add(ref a1, pa));
                c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
                if (two) c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
                av = Vector512.Create(Unsafe.Add(ref a2, pa));
                c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
                if (two) c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
                av = Vector512.Create(Unsafe.Add(ref a3, pa));
                c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
                if (two) c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            }
            if (R > 4)
            {
                av = Vector512.Create(Unsafe.Add(ref a4, pa));
                c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
                if (two) c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
                av = Vector512.Create(Unsafe.Add(ref a5, pa));
                c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
                if (two) c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
                av = Vector512.Create(Unsafe.Add(ref a6, pa));
                c60 = Vector512.FusedMultiplyAdd(av, b0, c60);
                if (two) c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
                av = Vector512.Create(Unsafe.Add(ref a7, pa));
                c70 = Vector512.FusedMultiplyAdd(av, b0, c70);
                if (two) c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            }
            if (!indirect) b = ref Unsafe.Add(ref b, kStride);
        }
        if (rows == R && cols == 16 * TVecs.Value && e.Activation.IsSimple && !e.HasResidual)
        {
            ref float cr = ref Unsafe.Add(ref c, row0 * ldc + col0);
            ref float cb = ref e.ColBias.IsEmpty ? ref Unsafe.NullRef<float>() : ref Unsafe.Add(ref MemoryMarshal.GetReference(e.ColBias), col0);
            ref float rb = ref e.RowBias.IsEmpty ? ref Unsafe.NullRef<float>() : ref Unsafe.Add(ref MemoryMarshal.GetReference(e.RowBias), row0);
            Finish(c00, ref cr, ref rb, 0, ref cb, 0, e); if (two) Finish(c01, ref cr, ref rb, 0, ref cb, 16, e);
            if (R > 1)
            {
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c10, ref cr, ref rb, 1, ref cb, 0, e); if (two) Finish(c11, ref cr, ref rb, 1, ref cb, 16, e);
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c20, ref cr, ref rb, 2, ref cb, 0, e); if (two) Finish(c21, ref cr, ref rb, 2, ref cb, 16, e);
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c30, ref cr, ref rb, 3, ref cb, 0, e); if (two) Finish(c31, ref cr, ref rb, 3, ref cb, 16, e);
            }
            if (R > 4)
            {
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c40, ref cr, ref rb, 4, ref cb, 0, e); if (two) Finish(c41, ref cr, ref rb, 4, ref cb, 16, e);
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c50, ref cr, ref rb, 5, ref cb, 0, e); if (two) Finish(c51, ref cr, ref rb, 5, ref cb, 16, e);
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c60, ref cr, ref rb, 6, ref cb, 0, e); if (two) Finish(c61, ref cr, ref rb, 6, ref cb, 16, e);
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c70, ref cr, ref rb, 7, ref cb, 0, e); if (two) Finish(c71, ref cr, ref rb, 7, ref cb, 16, e);
            }
            return;
        }
        c00.StoreUnsafe(ref tile, 0); c01.StoreUnsafe(ref tile, 16);
        if (R > 1)
        {
            c10.StoreUnsafe(ref tile, 32); c11.StoreUnsafe(ref tile, 48);
            c20.StoreUnsafe(ref tile, 64); c21.StoreUnsafe(ref tile, 80);
            c30.StoreUnsafe(ref tile, 96); c31.StoreUnsafe(ref tile, 112);
        }
        if (R > 4)
        {
            c40.StoreUnsafe(ref tile, 128); c41.StoreUnsafe(ref tile, 144);
            c50.StoreUnsafe(ref tile, 160); c51.StoreUnsafe(ref tile, 176);
            c60.StoreUnsafe(ref tile, 192); c61.StoreUnsafe(ref tile, 208);
            c70.StoreUnsafe(ref tile, 224); c71.StoreUnsafe(ref tile, 240);
        }
        StoreTile(ref tile, Nr512, ref c, ldc, row0, col0, rows, cols, e);
    }

    /// <summary>TRows×16 tile (two Vector256 per row) into <paramref name="tile"/> (row stride 16).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Micro256<TRows, TInd>(ref float a, nint lda, int rows, ref float b, nint kStride, int k, ref float tile,
        ref float c, nint ldc, int row0, int col0, int cols, in GemmEpilogue e, ref int offs) where TRows : struct, IConst where TInd : struct, IConst
    {
        int R = TRows.Value;
        ref float a0 = ref a;
        ref float a1 = ref Unsafe.Add(ref a, Math.Min(1, rows - 1) * lda);
        ref float a2 = ref Unsafe.Add(ref a, Math.Min(2, rows - 1) * lda);
        ref float a3 = ref Unsafe.Add(ref a, Math.Min(3, rows - 1) * lda);
        ref float a4 = ref Unsafe.Add(ref a, Math.Min(4, rows - 1) * lda);
        ref float a5 = ref Unsafe.Add(ref a, Math.Min(5, rows - 1) * lda);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        bool indirect = (TInd.Value & 1) == 1;
        bool packedA = (TInd.Value & 2) != 0;
        for (nint p = 0; p < k; p++)
        {
            nint pa = packedA ? p * GemmPackedARows : p;
            ref float bk = ref indirect ? ref Unsafe.Add(ref b, Unsafe.Add(ref offs, p)) : ref b;
            var b0 = Vector256.LoadUnsafe(ref bk);
            var b1 = Vector256.LoadUnsafe(ref bk, 8);
            var av = Vector256.Create(Unsafe.Add(ref a0, pa));
            c00 = Vector256.MultiplyAddEstimate(av, b0, c00);
            c01 = Vector256.MultiplyAddEstimate(av, b1, c01);
            if (R > 1)
            {
                av = Vector256.Create(Unsafe.Add(ref a1, pa));
                c10 = Vector256.MultiplyAddEstimate(av, b0, c10);
                c11 = Vector256.MultiplyAddEstimate(av, b1, c11);
                av = Vector256.Create(Unsafe.Add(ref a2, pa));
                c20 = Vector256.MultiplyAddEstimate(av, b0, c20);
                c21 = Vector256.MultiplyAddEstimate(av, b1, c21);
                av = Vector256.Create(Unsafe.Add(ref a3, pa));
                c30 = Vector256.MultiplyAddEstimate(av, b0, c30);
                c31 = Vector256.MultiplyAddEstimate(av, b1, c31);
            }
            if (R > 4)
            {
                av = Vector256.Create(Unsafe.Add(ref a4, pa));
                c40 = Vector256.MultiplyAddEstimate(av, b0, c40);
                c41 = Vector256.MultiplyAddEstimate(av, b1, c41);
                av = Vector256.Create(Unsafe.Add(ref a5, pa));
                c50 = Vector256.MultiplyAddEstimate(av, b0, c50);
                c51 = Vector256.MultiplyAddEstimate(av, b1, c51);
            }
            if (!indirect) b = ref Unsafe.Add(ref b, kStride);
        }
        if (rows == R && cols == 16 && e.Activation.IsSimple && !e.HasResidual)
        {
            ref float cr = ref Unsafe.Add(ref c, row0 * ldc + col0);
            ref float cb = ref e.ColBias.IsEmpty ? ref Unsafe.NullRef<float>() : ref Unsafe.Add(ref MemoryMarshal.GetReference(e.ColBias), col0);
            ref float rb = ref e.RowBias.IsEmpty ? ref Unsafe.NullRef<float>() : ref Unsafe.Add(ref MemoryMarshal.GetReference(e.RowBias), row0);
            Finish(c00, ref cr, ref rb, 0, ref cb, 0, e); Finish(c01, ref cr, ref rb, 0, ref cb, 8, e);
            if (R > 1)
            {
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c10, ref cr, ref rb, 1, ref cb, 0, e); Finish(c11, ref cr, ref rb, 1, ref cb, 8, e);
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c20, ref cr, ref rb, 2, ref cb, 0, e); Finish(c21, ref cr, ref rb, 2, ref cb, 8, e);
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c30, ref cr, ref rb, 3, ref cb, 0, e); Finish(c31, ref cr, ref rb, 3, ref cb, 8, e);
            }
            if (R > 4)
            {
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c40, ref cr, ref rb, 4, ref cb, 0, e); Finish(c41, ref cr, ref rb, 4, ref cb, 8, e);
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c50, ref cr, ref rb, 5, ref cb, 0, e); Finish(c51, ref cr, ref rb, 5, ref cb, 8, e);
            }
            return;
        }
        c00.StoreUnsafe(ref tile, 0); c01.StoreUnsafe(ref tile, 8);
        if (R > 1)
        {
            c10.StoreUnsafe(ref tile, 16); c11.StoreUnsafe(ref tile, 24);
            c20.StoreUnsafe(ref tile, 32); c21.StoreUnsafe(ref tile, 40);
            c30.StoreUnsafe(ref tile, 48); c31.StoreUnsafe(ref tile, 56);
        }
        if (R > 4)
        {
            c40.StoreUnsafe(ref tile, 64); c41.StoreUnsafe(ref tile, 72);
            c50.StoreUnsafe(ref tile, 80); c51.StoreUnsafe(ref tile, 88);
        }
        StoreTile(ref tile, Nr256, ref c, ldc, row0, col0, rows, cols, e);
    }

    /// <summary>TRows×8 tile (two Vector128 per row) into <paramref name="tile"/> (row stride 8).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Micro128<TRows, TInd>(ref float a, nint lda, int rows, ref float b, nint kStride, int k, ref float tile,
        ref float c, nint ldc, int row0, int col0, int cols, in GemmEpilogue e, ref int offs) where TRows : struct, IConst where TInd : struct, IConst
    {
        int R = TRows.Value;
        ref float a0 = ref a;
        ref float a1 = ref Unsafe.Add(ref a, Math.Min(1, rows - 1) * lda);
        ref float a2 = ref Unsafe.Add(ref a, Math.Min(2, rows - 1) * lda);
        ref float a3 = ref Unsafe.Add(ref a, Math.Min(3, rows - 1) * lda);
        ref float a4 = ref Unsafe.Add(ref a, Math.Min(4, rows - 1) * lda);
        ref float a5 = ref Unsafe.Add(ref a, Math.Min(5, rows - 1) * lda);
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        bool indirect = (TInd.Value & 1) == 1;
        bool packedA = (TInd.Value & 2) != 0;
        for (nint p = 0; p < k; p++)
        {
            nint pa = packedA ? p * GemmPackedARows : p;
            ref float bk = ref indirect ? ref Unsafe.Add(ref b, Unsafe.Add(ref offs, p)) : ref b;
            var b0 = Vector128.LoadUnsafe(ref bk);
            var b1 = Vector128.LoadUnsafe(ref bk, 4);
            var av = Vector128.Create(Unsafe.Add(ref a0, pa));
            c00 = Vector128.MultiplyAddEstimate(av, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(av, b1, c01);
            if (R > 1)
            {
                av = Vector128.Create(Unsafe.Add(ref a1, pa));
                c10 = Vector128.MultiplyAddEstimate(av, b0, c10);
                c11 = Vector128.MultiplyAddEstimate(av, b1, c11);
                av = Vector128.Create(Unsafe.Add(ref a2, pa));
                c20 = Vector128.MultiplyAddEstimate(av, b0, c20);
                c21 = Vector128.MultiplyAddEstimate(av, b1, c21);
                av = Vector128.Create(Unsafe.Add(ref a3, pa));
                c30 = Vector128.MultiplyAddEstimate(av, b0, c30);
                c31 = Vector128.MultiplyAddEstimate(av, b1, c31);
            }
            if (R > 4)
            {
                av = Vector128.Create(Unsafe.Add(ref a4, pa));
                c40 = Vector128.MultiplyAddEstimate(av, b0, c40);
                c41 = Vector128.MultiplyAddEstimate(av, b1, c41);
                av = Vector128.Create(Unsafe.Add(ref a5, pa));
                c50 = Vector128.MultiplyAddEstimate(av, b0, c50);
                c51 = Vector128.MultiplyAddEstimate(av, b1, c51);
            }
            if (!indirect) b = ref Unsafe.Add(ref b, kStride);
        }
        if (rows == R && cols == 8 && e.Activation.IsSimple && !e.HasResidual)
        {
            ref float cr = ref Unsafe.Add(ref c, row0 * ldc + col0);
            ref float cb = ref e.ColBias.IsEmpty ? ref Unsafe.NullRef<float>() : ref Unsafe.Add(ref MemoryMarshal.GetReference(e.ColBias), col0);
            ref float rb = ref e.RowBias.IsEmpty ? ref Unsafe.NullRef<float>() : ref Unsafe.Add(ref MemoryMarshal.GetReference(e.RowBias), row0);
            Finish(c00, ref cr, ref rb, 0, ref cb, 0, e); Finish(c01, ref cr, ref rb, 0, ref cb, 4, e);
            if (R > 1)
            {
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c10, ref cr, ref rb, 1, ref cb, 0, e); Finish(c11, ref cr, ref rb, 1, ref cb, 4, e);
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c20, ref cr, ref rb, 2, ref cb, 0, e); Finish(c21, ref cr, ref rb, 2, ref cb, 4, e);
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c30, ref cr, ref rb, 3, ref cb, 0, e); Finish(c31, ref cr, ref rb, 3, ref cb, 4, e);
            }
            if (R > 4)
            {
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c40, ref cr, ref rb, 4, ref cb, 0, e); Finish(c41, ref cr, ref rb, 4, ref cb, 4, e);
                cr = ref Unsafe.Add(ref cr, ldc); Finish(c50, ref cr, ref rb, 5, ref cb, 0, e); Finish(c51, ref cr, ref rb, 5, ref cb, 4, e);
            }
            return;
        }
        c00.StoreUnsafe(ref tile, 0); c01.StoreUnsafe(ref tile, 4);
        if (R > 1)
        {
            c10.StoreUnsafe(ref tile, 8); c11.StoreUnsafe(ref tile, 12);
            c20.StoreUnsafe(ref tile, 16); c21.StoreUnsafe(ref tile, 20);
            c30.StoreUnsafe(ref tile, 24); c31.StoreUnsafe(ref tile, 28);
        }
        if (R > 4)
        {
            c40.StoreUnsafe(ref tile, 32); c41.StoreUnsafe(ref tile, 36);
            c50.StoreUnsafe(ref tile, 40); c51.StoreUnsafe(ref tile, 44);
        }
        StoreTile(ref tile, Nr128, ref c, ldc, row0, col0, rows, cols, e);
    }

    /// <summary>rows×16 tile with scalar arithmetic (row stride 16), for hardware without SIMD.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroScalar(ref float a, nint lda, nint ka, int rows, ref float b, nint kStride, int k, ref float tile, ref int offs)
    {
        for (int r = 0; r < rows; r++)
        {
            ref float ar = ref Unsafe.Add(ref a, r * lda);
            ref float tr = ref Unsafe.Add(ref tile, r * NrScalar);
            for (int j = 0; j < NrScalar; j++) Unsafe.Add(ref tr, j) = 0;
            bool indirect = !Unsafe.IsNullRef(ref offs);
            ref float bp = ref b;
            for (int p = 0; p < k; p++)
            {
                float s = Unsafe.Add(ref ar, p * ka);
                ref float bk = ref indirect ? ref Unsafe.Add(ref b, Unsafe.Add(ref offs, p)) : ref bp;
                for (int j = 0; j < NrScalar; j++)
                    Unsafe.Add(ref tr, j) += s * Unsafe.Add(ref bk, j);
                bp = ref Unsafe.Add(ref bp, kStride);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector512<float> v, ref float dst, ref float rowBias, int r, ref float colBias, int j, in GemmEpilogue e)
    {
        if (e.Alpha != 1f) v *= e.Alpha;
        if (!Unsafe.IsNullRef(ref rowBias)) v += Vector512.Create(Unsafe.Add(ref rowBias, r));
        if (!Unsafe.IsNullRef(ref colBias)) v += Vector512.LoadUnsafe(ref colBias, (nuint)j);
        if (e.Accumulate) v += Vector512.LoadUnsafe(ref dst, (nuint)j);
        e.Activation.ApplySimple(v).StoreUnsafe(ref dst, (nuint)j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector256<float> v, ref float dst, ref float rowBias, int r, ref float colBias, int j, in GemmEpilogue e)
    {
        if (e.Alpha != 1f) v *= e.Alpha;
        if (!Unsafe.IsNullRef(ref rowBias)) v += Vector256.Create(Unsafe.Add(ref rowBias, r));
        if (!Unsafe.IsNullRef(ref colBias)) v += Vector256.LoadUnsafe(ref colBias, (nuint)j);
        if (e.Accumulate) v += Vector256.LoadUnsafe(ref dst, (nuint)j);
        e.Activation.ApplySimple(v).StoreUnsafe(ref dst, (nuint)j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector128<float> v, ref float dst, ref float rowBias, int r, ref float colBias, int j, in GemmEpilogue e)
    {
        if (e.Alpha != 1f) v *= e.Alpha;
        if (!Unsafe.IsNullRef(ref rowBias)) v += Vector128.Create(Unsafe.Add(ref rowBias, r));
        if (!Unsafe.IsNullRef(ref colBias)) v += Vector128.LoadUnsafe(ref colBias, (nuint)j);
        if (e.Accumulate) v += Vector128.LoadUnsafe(ref dst, (nuint)j);
        e.Activation.ApplySimple(v).StoreUnsafe(ref dst, (nuint)j);
    }

    /// <summary>
    /// Epilogue: tile rows × cols → C at (row0, col0) with alpha, biases, accumulation and the activation. The simple
    /// activations are applied in registers; the others run over each finished row through the unary driver (one
    /// dispatch per row), computing exactly what the activation kernel computes on the unfused output.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StoreTile(ref float tile, int tileStride, ref float c, nint ldc, int row0, int col0, int rows, int cols, in GemmEpilogue e)
    {
        bool hasColBias = !e.ColBias.IsEmpty, hasRowBias = !e.RowBias.IsEmpty;
        ref float colBias = ref hasColBias ? ref Unsafe.Add(ref MemoryMarshal.GetReference(e.ColBias), col0) : ref tile;
        var act = e.Activation;
        var inRegisters = act.IsSimple ? act : default;
        float alpha = e.Alpha;
        bool accumulate = e.Accumulate, residual = e.HasResidual;
        for (int r = 0; r < rows; r++)
        {
            ref float src = ref Unsafe.Add(ref tile, r * tileStride);
            ref float dst = ref Unsafe.Add(ref c, (row0 + r) * ldc + col0);
            ref float rs = ref residual ? ref Unsafe.AddByteOffset(ref dst, e.ResidualOffset) : ref dst;
            float rb = hasRowBias ? e.RowBias[row0 + r] : 0f;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j <= cols - 16; j += 16)
                {
                    var v = Vector512.LoadUnsafe(ref src, (nuint)j) * alpha + Vector512.Create(rb);
                    if (hasColBias) v += Vector512.LoadUnsafe(ref colBias, (nuint)j);
                    if (accumulate) v += Vector512.LoadUnsafe(ref dst, (nuint)j);
                    if (residual) v += Vector512.LoadUnsafe(ref rs, (nuint)j);
                    inRegisters.ApplySimple(v).StoreUnsafe(ref dst, (nuint)j);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j <= cols - 8; j += 8)
                {
                    var v = Vector256.LoadUnsafe(ref src, (nuint)j) * alpha + Vector256.Create(rb);
                    if (hasColBias) v += Vector256.LoadUnsafe(ref colBias, (nuint)j);
                    if (accumulate) v += Vector256.LoadUnsafe(ref dst, (nuint)j);
                    if (residual) v += Vector256.LoadUnsafe(ref rs, (nuint)j);
                    inRegisters.ApplySimple(v).StoreUnsafe(ref dst, (nuint)j);
                }
            }
            if (Vector128.IsHardwareAccelerated)
            {
                for (; j <= cols - 4; j += 4)
                {
                    var v = Vector128.LoadUnsafe(ref src, (nuint)j) * alpha + Vector128.Create(rb);
                    if (hasColBias) v += Vector128.LoadUnsafe(ref colBias, (nuint)j);
                    if (accumulate) v += Vector128.LoadUnsafe(ref dst, (nuint)j);
                    if (residual) v += Vector128.LoadUnsafe(ref rs, (nuint)j);
                    inRegisters.ApplySimple(v).StoreUnsafe(ref dst, (nuint)j);
                }
            }
            for (; j < cols; j++)
            {
                float v = Unsafe.Add(ref src, j) * alpha + rb;
                if (hasColBias) v += Unsafe.Add(ref colBias, j);
                if (accumulate) v += Unsafe.Add(ref dst, j);
                if (residual) v += Unsafe.Add(ref rs, j);
                Unsafe.Add(ref dst, j) = inRegisters.Apply(v);
            }
            if (!act.IsSimple) act.Apply(ref dst, cols);
        }
    }

    /// <summary>
    /// y[i, j] = beta · c[i', j'] for C of shape [cRows, cCols] broadcast to [m, n] (cRows is 1 or m, cCols is 1 or n):
    /// loads Gemm's C into the output before an accumulating product.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GemmLoadC(ReadOnlySpan<float> c, int cRows, int cCols, float beta, Span<float> y, int m, int n)
    {
        if ((cRows != 1 && cRows != m) || (cCols != 1 && cCols != n) || c.Length < cRows * cCols || y.Length < m * n)
            throw new ArgumentException("Gemm C does not broadcast to the output.");
        for (int i = 0; i < m; i++)
        {
            var row = y.Slice(i * n, n);
            var src = c.Slice((cRows == 1 ? 0 : i) * cCols, cCols);
            if (cCols == 1) row.Fill(beta * src[0]);
            else if (beta == 1f) src.CopyTo(row);
            else for (int j = 0; j < n; j++) row[j] = beta * src[j];
        }
    }

    /// <summary>y[i] = act(Σ a[i, p]·x[p] + bias[i]): a matrix-vector product, rows of a with stride lda.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gemv(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, int m, int k, FusedActivation activation)
    {
        if (lda < k || (m > 0 && a.Length < (m - 1) * lda + k) || x.Length < k || y.Length < m || (!bias.IsEmpty && bias.Length < m))
            throw new ArgumentException("Gemv operand too short.");
        ref float xr = ref MemoryMarshal.GetReference(x);
        for (int i = 0; i < m; i++)
        {
            float s = Dot(ref Unsafe.Add(ref MemoryMarshal.GetReference(a), i * lda), ref xr, k);
            if (!bias.IsEmpty) s += bias[i];
            y[i] = s;
        }
        activation.Apply(y.Slice(0, m));
    }

    /// <summary>Σ a[p]·b[p] with independent partial sums so the FMA latency does not serialize the loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(ref float a, ref float b, int k)
    {
        int p = 0;
        float s = 0f;
        if (Vector512.IsHardwareAccelerated && k >= 16)
        {
            Vector512<float> s0 = default, s1 = default;
            for (; p <= k - 32; p += 32)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)p), Vector512.LoadUnsafe(ref b, (nuint)p), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)(p + 16)), Vector512.LoadUnsafe(ref b, (nuint)(p + 16)), s1);
            }
            for (; p <= k - 16; p += 16)
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)p), Vector512.LoadUnsafe(ref b, (nuint)p), s0);
            s = Vector512.Sum(s0 + s1);
        }
        else if (Vector256.IsHardwareAccelerated && k >= 8)
        {
            Vector256<float> s0 = default, s1 = default;
            for (; p <= k - 16; p += 16)
            {
                s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)p), Vector256.LoadUnsafe(ref b, (nuint)p), s0);
                s1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)(p + 8)), Vector256.LoadUnsafe(ref b, (nuint)(p + 8)), s1);
            }
            for (; p <= k - 8; p += 8)
                s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)p), Vector256.LoadUnsafe(ref b, (nuint)p), s0);
            s = Vector256.Sum(s0 + s1);
        }
        else if (Vector128.IsHardwareAccelerated && k >= 4)
        {
            Vector128<float> s0 = default, s1 = default;
            for (; p <= k - 8; p += 8)
            {
                s0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, (nuint)p), Vector128.LoadUnsafe(ref b, (nuint)p), s0);
                s1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, (nuint)(p + 4)), Vector128.LoadUnsafe(ref b, (nuint)(p + 4)), s1);
            }
            for (; p <= k - 4; p += 4)
                s0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, (nuint)p), Vector128.LoadUnsafe(ref b, (nuint)p), s0);
            s = Vector128.Sum(s0 + s1);
        }
        for (; p < k; p++) s += Unsafe.Add(ref a, p) * Unsafe.Add(ref b, p);
        return s;
    }

    /// <summary>dst[c, r] = src[r, c] for a row-major [rows, cols] source.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose2D(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols)
    {
        if (src.Length < rows * cols || dst.Length < rows * cols) throw new ArgumentException("Transpose operand too short.");
        const int Block = 16;
        for (int r0 = 0; r0 < rows; r0 += Block)
            for (int c0 = 0; c0 < cols; c0 += Block)
            {
                int r1 = Math.Min(rows, r0 + Block), c1 = Math.Min(cols, c0 + Block);
                for (int r = r0; r < r1; r++)
                    for (int c = c0; c < c1; c++)
                        dst[c * rows + r] = src[r * cols + c];
            }
    }

    /// <summary>y += s * x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Axpy(float s, ReadOnlySpan<float> x, Span<float> y)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vs = Vector512.Create(s);
            for (; i <= n - 16; i += 16)
                Vector512.FusedMultiplyAdd(vs, Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vs = Vector256.Create(s);
            for (; i <= n - 8; i += 8)
                Vector256.MultiplyAddEstimate(vs, Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var vs = Vector128.Create(s);
            for (; i <= n - 4; i += 4)
                Vector128.MultiplyAddEstimate(vs, Vector128.LoadUnsafe(ref xr, (nuint)i), Vector128.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref yr, i) = MathF.FusedMultiplyAdd(s, Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
    }
}
