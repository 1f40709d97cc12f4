using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Runtime;

/// <summary>
/// Integer matrix products for the quantized operators (MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv):
/// C[i, j] (int32) = Σ_p (A[i, p] − za[i]) · (B[p, j] − zb[j]) with A and B each uint8 or int8, exact in int32.
/// <para>
/// The zero points are subtracted while widening to int16 (every difference lies in [−255, 255]); a product of two such
/// differences is at most 65025 in magnitude and the sum of a pair at most 130050, so int16 pair products summed into
/// int32 (x86 pmaddwd, <see cref="Avx2.MultiplyAddAdjacent(Vector256{short}, Vector256{short})"/>) are exact; the int32
/// accumulation wraps only beyond K ≈ 33000 full-range pairs, as any int32 accumulator does.
/// </para>
/// <para>
/// Layouts: A rows are int16, K padded to an even count (<c>2·kPairs</c> shorts a row, the pad zero). B is packed in
/// 16-column panels (<see cref="PackedInt8BLength"/> shorts): panel after panel, each kPairs blocks of 32 shorts
/// holding, for columns 0..15, the pair (B[2q, j] − zb[j], B[2q + 1, j] − zb[j]); missing columns and the odd K pad are
/// zero. Constant B (weights) is packed at build time by the generator in the same layout.
/// </para>
/// Paths: Avx512BW 8×16 (one 512-bit pmaddwd a row per K pair); Avx2 4×16 and 1×16 (AVX-VNNI vpdpwssd when present,
/// else pmaddwd + add); Vector128 2×16 (pmaddwd on x86 with Sse2, on other hardware the pair split into its
/// sign-extended halves and multiplied in int32); scalar. Not yet used: the 4-way uint8×int8 vpdpbusd (it needs raw
/// bytes in a quad layout and row/column-sum corrections for the zero points).
/// </summary>
public static partial class Kernels
{
    /// <summary>Columns of one packed B panel.</summary>
    public const int Int8PanelWidth = 16;

    /// <summary>Rows of A widened per block (bounds the scratch of a call).</summary>
    public const int Int8RowBlock = 64;

    /// <summary>Shorts of B [k, n] packed for <see cref="GemmInt16Packed"/>.</summary>
    public static int PackedInt8BLength(int k, int n) => (n + Int8PanelWidth - 1) / Int8PanelWidth * Int8PanelWidth * 2 * ((k + 1) / 2);

    /// <summary>Shorts of scratch MatMulInteger / QLinearMatMul need (B packed at run time when <paramref name="packedBAtBuildTime"/> is false).</summary>
    public static int MatMulIntegerScratchShorts(int m, int n, int k, bool packedBAtBuildTime, bool requantize) =>
        (packedBAtBuildTime ? 0 : PackedInt8BLength(k, n)) + Math.Min(m, Int8RowBlock) * 2 * ((k + 1) / 2)
        + (requantize ? 2 * Math.Min(m, Int8RowBlock) * n : 0);

    private static void CheckInt8<T>(string name)
    {
        if (typeof(T) != typeof(byte) && typeof(T) != typeof(sbyte))
            throw new ArgumentException($"Expected uint8 (byte) or int8 (sbyte) elements, got {typeof(T).Name}.", name);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Int8Value<T>(T v) => typeof(T) == typeof(byte) ? Unsafe.As<T, byte>(ref v) : Unsafe.As<T, sbyte>(ref v);

    /// <summary>The zero point for element <paramref name="index"/>: none (0), one for all, or one per index (cyclic).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Int8ZeroPointAt<T>(ReadOnlySpan<T> zeroPoint, int index) =>
        zeroPoint.Length == 0 ? 0 : Int8Value(zeroPoint[zeroPoint.Length == 1 ? 0 : index % zeroPoint.Length]);

    /// <summary>
    /// Packs B [k, n] (row stride <paramref name="ldb"/>) minus its zero point (none, scalar, or one per column) into
    /// <paramref name="packed"/> (<see cref="PackedInt8BLength"/> shorts).
    /// </summary>
    public static void PackInt8B<T>(ReadOnlySpan<T> b, int ldb, int k, int n, ReadOnlySpan<T> zeroPoint, Span<short> packed) where T : unmanaged
    {
        CheckInt8<T>(nameof(b));
        int kPairs = (k + 1) / 2;
        if (packed.Length < PackedInt8BLength(k, n)) throw new ArgumentException($"Expected at least {PackedInt8BLength(k, n)} shorts for packed B.", nameof(packed));
        if (k > 0 && n > 0 && b.Length < (k - 1) * ldb + n) throw new ArgumentException($"Expected B of at least {(k - 1) * ldb + n} elements.", nameof(b));
        if (zeroPoint.Length > 1 && zeroPoint.Length != n) throw new ArgumentException($"Expected a B zero point of 1 or {n} elements.", nameof(zeroPoint));
        int panelShorts = kPairs * 2 * Int8PanelWidth;
        packed.Slice(0, PackedInt8BLength(k, n)).Clear();
        for (int j = 0; j < n; j++)
        {
            int zb = Int8ZeroPointAt(zeroPoint, j);
            int baseIndex = j / Int8PanelWidth * panelShorts + (j % Int8PanelWidth) * 2;
            for (int p = 0; p < k; p++)
                packed[baseIndex + (p >> 1) * 2 * Int8PanelWidth + (p & 1)] = (short)(Int8Value(b[p * ldb + j]) - zb);
        }
    }

    /// <summary>
    /// Rows [<paramref name="rowStart"/>, +<paramref name="rows"/>) of A [.., k] (row stride <paramref name="lda"/>) minus
    /// their zero point (none, scalar, or one per row, indexed by the absolute row modulo its length) into int16 rows of
    /// 2·kPairs shorts.
    /// </summary>
    public static void WidenInt8Rows<T>(ReadOnlySpan<T> a, int lda, int rowStart, int rows, int k, ReadOnlySpan<T> zeroPoint, Span<short> destination) where T : unmanaged
    {
        CheckInt8<T>(nameof(a));
        int stride = 2 * ((k + 1) / 2);
        if (destination.Length < rows * stride) throw new ArgumentException($"Expected at least {rows * stride} shorts for widened A.", nameof(destination));
        for (int r = 0; r < rows; r++)
        {
            int row = rowStart + r;
            int za = Int8ZeroPointAt(zeroPoint, row);
            var src = a.Slice(row * lda, k);
            var dst = destination.Slice(r * stride, stride);
            int p = 0;
            if (typeof(T) == typeof(byte) && Vector128.IsHardwareAccelerated)
            {
                var bytes = MemoryMarshal.Cast<T, byte>(src);
                var z = Vector128.Create((short)za);
                for (; p <= k - 16; p += 16)
                {
                    var v = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(bytes), (nuint)p);
                    var (lo, hi) = Vector128.Widen(v);
                    (lo.AsInt16() - z).StoreUnsafe(ref MemoryMarshal.GetReference(dst), (nuint)p);
                    (hi.AsInt16() - z).StoreUnsafe(ref MemoryMarshal.GetReference(dst), (nuint)(p + 8));
                }
            }
            else if (typeof(T) == typeof(sbyte) && Vector128.IsHardwareAccelerated)
            {
                var bytes = MemoryMarshal.Cast<T, sbyte>(src);
                var z = Vector128.Create((short)za);
                for (; p <= k - 16; p += 16)
                {
                    var v = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(bytes), (nuint)p);
                    var (lo, hi) = Vector128.Widen(v);
                    (lo - z).StoreUnsafe(ref MemoryMarshal.GetReference(dst), (nuint)p);
                    (hi - z).StoreUnsafe(ref MemoryMarshal.GetReference(dst), (nuint)(p + 8));
                }
            }
            for (; p < k; p++) dst[p] = (short)(Int8Value(src[p]) - za);
            if (k < stride) dst[k] = 0;
        }
    }

    /// <summary>
    /// C [m, n] (row stride <paramref name="ldc"/>) = A · B exactly in int32, A as int16 rows of 2·kPairs shorts, B packed
    /// (<see cref="PackInt8B{T}"/>). Overwrites C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GemmInt16Packed(ReadOnlySpan<short> a, int kPairs, ReadOnlySpan<short> packedB, Span<int> c, int ldc, int m, int n)
    {
        if (m <= 0 || n <= 0) return;
        int aStride = 2 * kPairs;
        if (a.Length < m * aStride) throw new ArgumentException($"Expected A of at least {m * aStride} shorts.", nameof(a));
        if (packedB.Length < PackedInt8BLength(2 * kPairs, n)) throw new ArgumentException($"Expected packed B of at least {PackedInt8BLength(2 * kPairs, n)} shorts.", nameof(packedB));
        if (c.Length < (m - 1) * ldc + n) throw new ArgumentException($"Expected C of at least {(m - 1) * ldc + n} elements.", nameof(c));
        int panelShorts = kPairs * 2 * Int8PanelWidth;
        Span<int> tile = stackalloc int[8 * Int8PanelWidth];
        for (int j0 = 0; j0 < n; j0 += Int8PanelWidth)
        {
            int cols = Math.Min(Int8PanelWidth, n - j0);
            var panel = packedB.Slice(j0 / Int8PanelWidth * panelShorts, panelShorts);
            bool full = cols == Int8PanelWidth;
            int i = 0;
            if (Avx512BW.IsSupported)
            {
                for (; i + 8 <= m; i += 8)
                {
                    Tile8x16Avx512(a.Slice(i * aStride), aStride, panel, kPairs, full ? c.Slice(i * ldc + j0) : tile, full ? ldc : Int8PanelWidth);
                    if (!full) CopyTile(tile, 8, cols, c.Slice(i * ldc + j0), ldc);
                }
            }
            if (Avx2.IsSupported)
            {
                for (; i + 4 <= m; i += 4)
                {
                    Tile4x16Avx2(a.Slice(i * aStride), aStride, panel, kPairs, full ? c.Slice(i * ldc + j0) : tile, full ? ldc : Int8PanelWidth);
                    if (!full) CopyTile(tile, 4, cols, c.Slice(i * ldc + j0), ldc);
                }
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                for (; i + 2 <= m; i += 2)
                {
                    Tile2x16Vector128(a.Slice(i * aStride), aStride, panel, kPairs, full ? c.Slice(i * ldc + j0) : tile, full ? ldc : Int8PanelWidth);
                    if (!full) CopyTile(tile, 2, cols, c.Slice(i * ldc + j0), ldc);
                }
            }
            if (Avx2.IsSupported)
                for (; i < m; i++)
                {
                    Tile1x16Avx2(a.Slice(i * aStride), panel, kPairs, full ? c.Slice(i * ldc + j0) : tile);
                    if (!full) CopyTile(tile, 1, cols, c.Slice(i * ldc + j0), ldc);
                }
            for (; i < m; i++)
            {
                TileRowScalar(a.Slice(i * aStride, aStride), panel, kPairs, tile.Slice(0, Int8PanelWidth));
                tile.Slice(0, cols).CopyTo(c.Slice(i * ldc + j0, cols));
            }
        }
    }

    private static void CopyTile(Span<int> tile, int rows, int cols, Span<int> c, int ldc)
    {
        for (int r = 0; r < rows; r++) tile.Slice(r * Int8PanelWidth, cols).CopyTo(c.Slice(r * ldc, cols));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadPair(ref short row, int q) => Unsafe.ReadUnaligned<int>(ref Unsafe.As<short, byte>(ref Unsafe.Add(ref row, 2 * q)));

    /// <summary>4 rows × 16 columns, 8 accumulators of 8 int32 (pmaddwd on one pair of K per step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x16Avx2(ReadOnlySpan<short> a, int aStride, ReadOnlySpan<short> panel, int kPairs, Span<int> c, int ldc)
    {
        ref short a0 = ref MemoryMarshal.GetReference(a);
        ref short a1 = ref Unsafe.Add(ref a0, aStride);
        ref short a2 = ref Unsafe.Add(ref a0, 2 * aStride);
        ref short a3 = ref Unsafe.Add(ref a0, 3 * aStride);
        ref short pb = ref MemoryMarshal.GetReference(panel);
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int q = 0; q < kPairs; q++)
        {
            var b0 = Vector256.LoadUnsafe(ref pb, (nuint)(q * 32));
            var b1 = Vector256.LoadUnsafe(ref pb, (nuint)(q * 32 + 16));
            var v = Vector256.Create(ReadPair(ref a0, q)).AsInt16();
            c00 = MultiplyAddPairs(c00, b0, v);
            c01 = MultiplyAddPairs(c01, b1, v);
            v = Vector256.Create(ReadPair(ref a1, q)).AsInt16();
            c10 = MultiplyAddPairs(c10, b0, v);
            c11 = MultiplyAddPairs(c11, b1, v);
            v = Vector256.Create(ReadPair(ref a2, q)).AsInt16();
            c20 = MultiplyAddPairs(c20, b0, v);
            c21 = MultiplyAddPairs(c21, b1, v);
            v = Vector256.Create(ReadPair(ref a3, q)).AsInt16();
            c30 = MultiplyAddPairs(c30, b0, v);
            c31 = MultiplyAddPairs(c31, b1, v);
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        c00.StoreUnsafe(ref y, 0); c01.StoreUnsafe(ref y, 8);
        c10.StoreUnsafe(ref y, (nuint)ldc); c11.StoreUnsafe(ref y, (nuint)(ldc + 8));
        c20.StoreUnsafe(ref y, (nuint)(2 * ldc)); c21.StoreUnsafe(ref y, (nuint)(2 * ldc + 8));
        c30.StoreUnsafe(ref y, (nuint)(3 * ldc)); c31.StoreUnsafe(ref y, (nuint)(3 * ldc + 8));
    }

    /// <summary>
    /// acc + the sums of int16 pair products per int32 lane: AVX-VNNI vpdpwssd (exact: it does not saturate), else
    /// pmaddwd and an add.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> MultiplyAddPairs(Vector256<int> acc, Vector256<short> b, Vector256<short> a) =>
        AvxVnni.IsSupported ? AvxVnni.MultiplyWideningAndAdd(acc, b, a) : Avx2.Add(acc, Avx2.MultiplyAddAdjacent(b, a));

    /// <summary>8 rows × 16 columns with 512-bit pmaddwd: one panel block of K pairs is one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8x16Avx512(ReadOnlySpan<short> a, int aStride, ReadOnlySpan<short> panel, int kPairs, Span<int> c, int ldc)
    {
        ref short a0 = ref MemoryMarshal.GetReference(a);
        ref short pb = ref MemoryMarshal.GetReference(panel);
        Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int q = 0; q < kPairs; q++)
        {
            var b = Vector512.LoadUnsafe(ref pb, (nuint)(q * 32));
            c0 += Avx512BW.MultiplyAddAdjacent(b, Vector512.Create(ReadPair(ref a0, q)).AsInt16());
            c1 += Avx512BW.MultiplyAddAdjacent(b, Vector512.Create(ReadPair(ref Unsafe.Add(ref a0, aStride), q)).AsInt16());
            c2 += Avx512BW.MultiplyAddAdjacent(b, Vector512.Create(ReadPair(ref Unsafe.Add(ref a0, 2 * aStride), q)).AsInt16());
            c3 += Avx512BW.MultiplyAddAdjacent(b, Vector512.Create(ReadPair(ref Unsafe.Add(ref a0, 3 * aStride), q)).AsInt16());
            c4 += Avx512BW.MultiplyAddAdjacent(b, Vector512.Create(ReadPair(ref Unsafe.Add(ref a0, 4 * aStride), q)).AsInt16());
            c5 += Avx512BW.MultiplyAddAdjacent(b, Vector512.Create(ReadPair(ref Unsafe.Add(ref a0, 5 * aStride), q)).AsInt16());
            c6 += Avx512BW.MultiplyAddAdjacent(b, Vector512.Create(ReadPair(ref Unsafe.Add(ref a0, 6 * aStride), q)).AsInt16());
            c7 += Avx512BW.MultiplyAddAdjacent(b, Vector512.Create(ReadPair(ref Unsafe.Add(ref a0, 7 * aStride), q)).AsInt16());
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        c0.StoreUnsafe(ref y, 0); c1.StoreUnsafe(ref y, (nuint)ldc); c2.StoreUnsafe(ref y, (nuint)(2 * ldc)); c3.StoreUnsafe(ref y, (nuint)(3 * ldc));
        c4.StoreUnsafe(ref y, (nuint)(4 * ldc)); c5.StoreUnsafe(ref y, (nuint)(5 * ldc)); c6.StoreUnsafe(ref y, (nuint)(6 * ldc)); c7.StoreUnsafe(ref y, (nuint)(7 * ldc));
    }

    /// <summary>1 row × 16 columns (the rows left over by the 4-row tiles; matrix-vector products).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1x16Avx2(ReadOnlySpan<short> a, ReadOnlySpan<short> panel, int kPairs, Span<int> c)
    {
        ref short a0 = ref MemoryMarshal.GetReference(a);
        ref short pb = ref MemoryMarshal.GetReference(panel);
        if (Avx512BW.IsSupported)
        {
            // One 512-bit block a K pair; two accumulators to overlap the multiply-add latency.
            Vector512<int> e0 = default, e1 = default;
            int r = 0;
            for (; r + 2 <= kPairs; r += 2)
            {
                e0 += Avx512BW.MultiplyAddAdjacent(Vector512.LoadUnsafe(ref pb, (nuint)(r * 32)), Vector512.Create(ReadPair(ref a0, r)).AsInt16());
                e1 += Avx512BW.MultiplyAddAdjacent(Vector512.LoadUnsafe(ref pb, (nuint)(r * 32 + 32)), Vector512.Create(ReadPair(ref a0, r + 1)).AsInt16());
            }
            if (r < kPairs) e0 += Avx512BW.MultiplyAddAdjacent(Vector512.LoadUnsafe(ref pb, (nuint)(r * 32)), Vector512.Create(ReadPair(ref a0, r)).AsInt16());
            (e0 + e1).StoreUnsafe(ref MemoryMarshal.GetReference(c));
            return;
        }
        Vector256<int> c0 = default, c1 = default, d0 = default, d1 = default;
        int q = 0;
        for (; q + 2 <= kPairs; q += 2)
        {
            var v = Vector256.Create(ReadPair(ref a0, q)).AsInt16();
            c0 = Avx2.Add(c0, Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref pb, (nuint)(q * 32)), v));
            c1 = Avx2.Add(c1, Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref pb, (nuint)(q * 32 + 16)), v));
            v = Vector256.Create(ReadPair(ref a0, q + 1)).AsInt16();
            d0 = Avx2.Add(d0, Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref pb, (nuint)(q * 32 + 32)), v));
            d1 = Avx2.Add(d1, Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref pb, (nuint)(q * 32 + 48)), v));
        }
        if (q < kPairs)
        {
            var v = Vector256.Create(ReadPair(ref a0, q)).AsInt16();
            c0 = Avx2.Add(c0, Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref pb, (nuint)(q * 32)), v));
            c1 = Avx2.Add(c1, Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref pb, (nuint)(q * 32 + 16)), v));
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        Avx2.Add(c0, d0).StoreUnsafe(ref y, 0);
        Avx2.Add(c1, d1).StoreUnsafe(ref y, 8);
    }

    /// <summary>The sum of the pairwise products of int16 pairs, per int32 lane (pmaddwd, or its halves multiplied in int32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> MultiplyAddPairs(Vector128<int> b, Vector128<int> a)
    {
        if (Sse2.IsSupported) return Sse2.MultiplyAddAdjacent(b.AsInt16(), a.AsInt16());
        return MultiplyAddPairsPortable(b, a);
    }

    /// <summary>The portable form of pmaddwd: each int32 lane holds (lo, hi) int16; lo·lo' + hi·hi'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> MultiplyAddPairsPortable(Vector128<int> b, Vector128<int> a)
    {
        var bl = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(b, 16), 16);
        var bh = Vector128.ShiftRightArithmetic(b, 16);
        var al = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(a, 16), 16);
        var ah = Vector128.ShiftRightArithmetic(a, 16);
        return bl * al + bh * ah;
    }

    /// <summary>2 rows × 16 columns, 8 accumulators of 4 int32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile2x16Vector128(ReadOnlySpan<short> a, int aStride, ReadOnlySpan<short> panel, int kPairs, Span<int> c, int ldc)
    {
        ref short a0 = ref MemoryMarshal.GetReference(a);
        ref short a1 = ref Unsafe.Add(ref a0, aStride);
        ref int pb = ref Unsafe.As<short, int>(ref MemoryMarshal.GetReference(panel));
        Vector128<int> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        for (int q = 0; q < kPairs; q++)
        {
            var b0 = Vector128.LoadUnsafe(ref pb, (nuint)(q * 16));
            var b1 = Vector128.LoadUnsafe(ref pb, (nuint)(q * 16 + 4));
            var b2 = Vector128.LoadUnsafe(ref pb, (nuint)(q * 16 + 8));
            var b3 = Vector128.LoadUnsafe(ref pb, (nuint)(q * 16 + 12));
            var v = Vector128.Create(ReadPair(ref a0, q));
            c00 += MultiplyAddPairs(b0, v); c01 += MultiplyAddPairs(b1, v); c02 += MultiplyAddPairs(b2, v); c03 += MultiplyAddPairs(b3, v);
            v = Vector128.Create(ReadPair(ref a1, q));
            c10 += MultiplyAddPairs(b0, v); c11 += MultiplyAddPairs(b1, v); c12 += MultiplyAddPairs(b2, v); c13 += MultiplyAddPairs(b3, v);
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        c00.StoreUnsafe(ref y, 0); c01.StoreUnsafe(ref y, 4); c02.StoreUnsafe(ref y, 8); c03.StoreUnsafe(ref y, 12);
        c10.StoreUnsafe(ref y, (nuint)ldc); c11.StoreUnsafe(ref y, (nuint)(ldc + 4)); c12.StoreUnsafe(ref y, (nuint)(ldc + 8)); c13.StoreUnsafe(ref y, (nuint)(ldc + 12));
    }

    /// <summary>One row × 16 columns, scalar.</summary>
    private static void TileRowScalar(ReadOnlySpan<short> a, ReadOnlySpan<short> panel, int kPairs, Span<int> c)
    {
        c.Clear();
        for (int q = 0; q < kPairs; q++)
        {
            int x0 = a[2 * q], x1 = a[2 * q + 1];
            if (x0 == 0 && x1 == 0) continue;
            var block = panel.Slice(q * 2 * Int8PanelWidth, 2 * Int8PanelWidth);
            for (int j = 0; j < Int8PanelWidth; j++)
                c[j] += x0 * block[2 * j] + x1 * block[2 * j + 1];
        }
    }

    /// <summary>
    /// C [m, n] = (A − za)·(B − zb) for A [m, k] row-major, B either packed at build time (<paramref name="packedB"/>, its
    /// zero point already subtracted) or row-major [k, n] with <paramref name="bZeroPoint"/> (packed here into scratch).
    /// A's zero point: none, scalar, or per row (indexed by row modulo its length, so batches folded into rows share it).
    /// </summary>
    private static void GemmInt8Core<TA, TB>(ReadOnlySpan<TA> a, ReadOnlySpan<TA> aZeroPoint, ReadOnlySpan<TB> b, ReadOnlySpan<TB> bZeroPoint,
        ReadOnlySpan<short> packedB, Span<int> c, int m, int n, int k, Span<short> scratch)
        where TA : unmanaged where TB : unmanaged
    {
        CheckInt8<TA>(nameof(a));
        CheckInt8<TB>(nameof(b));
        if (a.Length < m * k) throw new ArgumentException($"Expected A of at least {m * k} elements.", nameof(a));
        int kPairs = (k + 1) / 2;
        if (packedB.IsEmpty)
        {
            int length = PackedInt8BLength(k, n);
            if (scratch.Length < length) throw new ArgumentException($"Expected at least {length} shorts of scratch.", nameof(scratch));
            PackInt8B(b, n, k, n, bZeroPoint, scratch.Slice(0, length));
            packedB = scratch.Slice(0, length);
            scratch = scratch.Slice(length);
        }
        int block = Math.Min(m, Int8RowBlock);
        if (scratch.Length < block * 2 * kPairs) throw new ArgumentException($"Expected at least {block * 2 * kPairs} more shorts of scratch.", nameof(scratch));
        for (int i0 = 0; i0 < m; i0 += block)
        {
            int rows = Math.Min(block, m - i0);
            WidenInt8Rows(a, k, i0, rows, k, aZeroPoint, scratch);
            GemmInt16Packed(scratch, kPairs, packedB, c.Slice(i0 * n), n, rows, n);
        }
    }

    /// <summary>
    /// ONNX MatMulInteger on one [m, k] × [k, n] product: y = (a − aZeroPoint)·(b − bZeroPoint) in int32. Zero points may
    /// be empty (0), scalar, per row of A (m) or per column of B (n). With <paramref name="packedB"/> (packed at build
    /// time, zero point included) <paramref name="b"/> and <paramref name="bZeroPoint"/> are ignored. Scratch:
    /// <see cref="MatMulIntegerScratchShorts"/>.
    /// </summary>
    public static void MatMulInteger<TA, TB>(ReadOnlySpan<TA> a, ReadOnlySpan<TA> aZeroPoint, ReadOnlySpan<TB> b, ReadOnlySpan<TB> bZeroPoint,
        ReadOnlySpan<short> packedB, Span<int> y, int m, int n, int k, Span<short> scratch) where TA : unmanaged where TB : unmanaged
    {
        if (y.Length < m * n) throw new ArgumentException($"Expected Y of at least {m * n} elements.", nameof(y));
        if (packedB.IsEmpty && b.Length < k * n) throw new ArgumentException($"Expected B of at least {k * n} elements.", nameof(b));
        GemmInt8Core(a, aZeroPoint, b, bZeroPoint, packedB, y, m, n, k, scratch);
    }

    /// <summary>
    /// ONNX QLinearMatMul on one [m, k] × [k, n] product: the exact int32 product (as MatMulInteger), then
    /// <see cref="RequantizeInt32{TY}"/> with <paramref name="multiplier"/> (a_scale·b_scale/y_scale: one, or one per column).
    /// <paramref name="bias"/>: empty, or one int32 per column added to the exact sum first (a fused QDQ Gemm's bias).
    /// </summary>
    public static void QLinearMatMul<TA, TB, TY>(ReadOnlySpan<TA> a, ReadOnlySpan<TA> aZeroPoint, ReadOnlySpan<TB> b, ReadOnlySpan<TB> bZeroPoint,
        ReadOnlySpan<short> packedB, ReadOnlySpan<float> multiplier, ReadOnlySpan<TY> yZeroPoint, Span<TY> y, int m, int n, int k, Span<short> scratch,
        ReadOnlySpan<int> bias = default)
        where TA : unmanaged where TB : unmanaged where TY : unmanaged
    {
        if (!bias.IsEmpty && bias.Length != n) throw new ArgumentException($"Expected a bias of {n} elements.", nameof(bias));
        if (y.Length < m * n) throw new ArgumentException($"Expected Y of at least {m * n} elements.", nameof(y));
        if (packedB.IsEmpty && b.Length < k * n) throw new ArgumentException($"Expected B of at least {k * n} elements.", nameof(b));
        int block = Math.Min(m, Int8RowBlock);
        if (scratch.Length < 2 * block * n) throw new ArgumentException($"Expected at least {2 * block * n} shorts of scratch.", nameof(scratch));
        // The int32 row block first (4-byte aligned within the scratch), the GEMM's own scratch after it.
        var acc = MemoryMarshal.Cast<short, int>(scratch.Slice(0, 2 * block * n));
        var rest = scratch.Slice(2 * block * n);
        // Each row block is requantized as soon as it is computed.
        CheckInt8<TA>(nameof(a));
        CheckInt8<TB>(nameof(b));
        if (a.Length < m * k) throw new ArgumentException($"Expected A of at least {m * k} elements.", nameof(a));
        int kPairs = (k + 1) / 2;
        if (packedB.IsEmpty)
        {
            int length = PackedInt8BLength(k, n);
            if (rest.Length < length) throw new ArgumentException($"Expected at least {length} more shorts of scratch.", nameof(scratch));
            PackInt8B(b, n, k, n, bZeroPoint, rest.Slice(0, length));
            packedB = rest.Slice(0, length);
            rest = rest.Slice(length);
        }
        if (rest.Length < block * 2 * kPairs) throw new ArgumentException($"Expected at least {block * 2 * kPairs} more shorts of scratch.", nameof(scratch));
        for (int i0 = 0; i0 < m; i0 += block)
        {
            int rows = Math.Min(block, m - i0);
            WidenInt8Rows(a, k, i0, rows, k, aZeroPoint, rest);
            GemmInt16Packed(rest, kPairs, packedB, acc, n, rows, n);
            if (!bias.IsEmpty) AddColumnBias(acc, bias, rows, n);
            RequantizeInt32(acc.Slice(0, rows * n), default, multiplier, false, rows, n, yZeroPoint, y.Slice(i0 * n, rows * n));
        }
    }

    /// <summary>acc[r, j] += bias[j] (int32, exact).</summary>
    private static void AddColumnBias(Span<int> acc, ReadOnlySpan<int> bias, int rows, int n)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = acc.Slice(r * n, n);
            int j = 0;
            if (Vector128.IsHardwareAccelerated)
                for (; j <= n - 4; j += 4)
                    (Vector128.Create(row.Slice(j, 4)) + Vector128.Create(bias.Slice(j, 4))).CopyTo(row.Slice(j, 4));
            for (; j < n; j++) row[j] += bias[j];
        }
    }

    /// <summary>
    /// The QLinear* output stage, as ONNX Runtime (MLAS) computes it: v = float(acc + bias[row]) · multiplier (float),
    /// clamped to [qmin − zp, qmax − zp], rounded to nearest with ties to even, plus zp. <paramref name="multiplier"/> has
    /// one element, or one per row (<paramref name="multiplierPerRow"/>) or per column; <paramref name="rowBias"/> is empty
    /// or one int32 per row; <paramref name="zeroPoint"/> is empty (0) or one element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RequantizeInt32<TY>(ReadOnlySpan<int> acc, ReadOnlySpan<int> rowBias, ReadOnlySpan<float> multiplier, bool multiplierPerRow,
        int rows, int columns, ReadOnlySpan<TY> zeroPoint, Span<TY> y) where TY : unmanaged
    {
        CheckInt8<TY>(nameof(y));
        if (acc.Length < rows * columns || y.Length < rows * columns) throw new ArgumentException($"Expected {rows * columns} accumulators and outputs.", nameof(acc));
        int expected = multiplierPerRow ? rows : columns;
        if (multiplier.Length != 1 && multiplier.Length != expected) throw new ArgumentException($"Expected 1 or {expected} multipliers.", nameof(multiplier));
        if (!rowBias.IsEmpty && rowBias.Length < rows) throw new ArgumentException($"Expected a bias of {rows} elements.", nameof(rowBias));
        int zp = zeroPoint.IsEmpty ? 0 : Int8Value(zeroPoint[0]);
        int qmin = typeof(TY) == typeof(byte) ? 0 : -128, qmax = typeof(TY) == typeof(byte) ? 255 : 127;
        float lo = qmin - zp, hi = qmax - zp;
        var output = MemoryMarshal.Cast<TY, byte>(y);
        for (int r = 0; r < rows; r++)
        {
            int bias = rowBias.IsEmpty ? 0 : rowBias[r];
            var src = acc.Slice(r * columns, columns);
            var dst = output.Slice(r * columns, columns);
            int j = 0;
            if (Vector256.IsHardwareAccelerated && (multiplier.Length == 1 || multiplierPerRow))
            {
                var scale = Vector256.Create(multiplier.Length == 1 ? multiplier[0] : multiplier[r]);
                var vb = Vector256.Create(bias);
                var vlo = Vector256.Create(lo); var vhi = Vector256.Create(hi);
                var vz = Vector256.Create(zp);
                for (; j <= columns - 8; j += 8)
                {
                    var v = Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(src), (nuint)j) + vb) * scale;
                    v = Vector256.Min(Vector256.Max(v, vlo), vhi);
                    var q = Vector256.ConvertToInt32(Vector256.Round(v)) + vz;
                    // In range after the clamp: narrowing (truncating) to bytes keeps the values.
                    var bytes = Vector256.Narrow(Vector256.Narrow(q, q), Vector256.Narrow(q, q));
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetReference(dst), j), bytes.AsUInt64().GetElement(0));
                }
            }
            for (; j < columns; j++)
            {
                float s = multiplier.Length == 1 ? multiplier[0] : multiplierPerRow ? multiplier[r] : multiplier[j];
                float v = (float)(src[j] + bias) * s;
                v = MathF.Min(MathF.Max(v, lo), hi);
                dst[j] = (byte)((int)MathF.Round(v, MidpointRounding.ToEven) + zp);
            }
        }
    }

    /// <summary>
    /// Shorts of scratch ConvInteger / QLinearConv need: the int32 accumulators of one group (QLinearConv), the widened
    /// weights when they were not widened at build time, and one group's im2col matrix packed as B.
    /// </summary>
    public static long ConvIntegerScratchShorts(ConvGeometry g, bool weightsWidenedAtBuildTime, bool requantize)
    {
        int mg = g.OutChannels / g.Groups, cg = g.Channels / g.Groups;
        int k = cg * g.KernelD * g.KernelH * g.KernelW, pixels = g.OutDepth * g.OutHeight * g.OutWidth;
        var (pd, ph, pw) = PaddedExtent(g);
        return (requantize ? 2L * mg * pixels : 0) + (weightsWidenedAtBuildTime ? 0 : (long)g.OutChannels * 2 * ((k + 1) / 2))
            + PackedInt8BLength(k, pixels) + 8L * k + (long)cg * pd * ph * pw;
    }

    /// <summary>
    /// Depth, height and width of one channel padded with the zero point: the input at offset (padFront, padTop, padLeft),
    /// large enough for every window.
    /// </summary>
    private static (int D, int H, int W) PaddedExtent(in ConvGeometry g) => (
        Math.Max(g.Depth + g.PadFront, (g.OutDepth - 1) * g.StrideD + (g.KernelD - 1) * g.DilationD + 1),
        Math.Max(g.Height + g.PadTop, (g.OutHeight - 1) * g.StrideH + (g.KernelH - 1) * g.DilationH + 1),
        Math.Max(g.Width + g.PadLeft, (g.OutWidth - 1) * g.StrideW + (g.KernelW - 1) * g.DilationW + 1));

    /// <summary>
    /// One group's im2col matrix [K = channels/groups · kernel, pixels] of x − xZeroPoint, written straight into the packed
    /// B layout of <see cref="GemmInt16Packed"/>. Padded positions hold the zero point, so they are 0 here.
    /// </summary>
    /// <summary>One group's channels of x minus the zero point, as int16, into zero-padded planes (<see cref="PaddedExtent"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PadChannels<T>(ReadOnlySpan<T> x, int zeroPoint, in ConvGeometry g, int firstChannel, Span<short> padded) where T : unmanaged
    {
        int cg = g.Channels / g.Groups, plane = g.Depth * g.Height * g.Width;
        var (pd, ph, pw) = PaddedExtent(g);
        if (x.Length < (firstChannel + cg) * plane) throw new ArgumentException($"Expected X of at least {(firstChannel + cg) * plane} elements.", nameof(x));
        padded.Clear();
        for (int c = 0; c < cg; c++)
            for (int d = 0; d < g.Depth; d++)
                for (int h = 0; h < g.Height; h++)
                {
                    var src = x.Slice((firstChannel + c) * plane + (d * g.Height + h) * g.Width, g.Width);
                    var dst = padded.Slice(((c * pd + d + g.PadFront) * ph + h + g.PadTop) * pw + g.PadLeft, g.Width);
                    WidenRow(src, zeroPoint, dst);
                }
    }

    /// <summary>dst[i] = src[i] − zeroPoint as int16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WidenRow<T>(ReadOnlySpan<T> src, int zeroPoint, Span<short> dst) where T : unmanaged
    {
        int i = 0, n = src.Length;
        if (Vector128.IsHardwareAccelerated)
        {
            var z = Vector128.Create((short)zeroPoint);
            ref byte s = ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(src));
            ref short d = ref MemoryMarshal.GetReference(dst);
            for (; i <= n - 16; i += 16)
            {
                var v = Vector128.LoadUnsafe(ref s, (nuint)i);
                Vector128<short> lo, hi;
                if (typeof(T) == typeof(byte)) { var (l, h) = Vector128.Widen(v); lo = l.AsInt16(); hi = h.AsInt16(); }
                else (lo, hi) = Vector128.Widen(v.AsSByte());
                (lo - z).StoreUnsafe(ref d, (nuint)i);
                (hi - z).StoreUnsafe(ref d, (nuint)(i + 8));
            }
        }
        for (; i < n; i++) dst[i] = (short)(Int8Value(src[i]) - zeroPoint);
    }

    /// <summary>
    /// One group's im2col matrix [K, pixels] from its zero-padded planes, written straight into the packed B layout of
    /// <see cref="GemmInt16Packed"/>, panel by panel (each panel's K·16 values contiguous). Every window lies inside the
    /// padded planes, so there are no bounds checks; sixteen pixels at adjacent addresses (one output row, stride 1) are
    /// copied as vectors, two taps interleaved at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Im2ColPacked(ReadOnlySpan<short> padded, in ConvGeometry g, Span<short> packed, Span<int> taps)
    {
        int cg = g.Channels / g.Groups;
        int k = cg * g.KernelD * g.KernelH * g.KernelW;
        int pixels = g.OutDepth * g.OutHeight * g.OutWidth;
        int kPairs = (k + 1) / 2, panelShorts = kPairs * 2 * Int8PanelWidth;
        int length = PackedInt8BLength(k, pixels);
        if (packed.Length < length) throw new ArgumentException($"Expected at least {length} shorts for the packed im2col matrix.", nameof(packed));
        var (pd, ph, pw) = PaddedExtent(g);
        // Every position of rows < k and columns < pixels is written below: clear only for the odd-K pad row and the last
        // panel's missing columns.
        if ((k & 1) != 0 || pixels % Int8PanelWidth != 0) packed.Slice(0, length).Clear();
        for (int c = 0, p = 0; c < cg; c++)
            for (int kd = 0; kd < g.KernelD; kd++)
                for (int kh = 0; kh < g.KernelH; kh++)
                    for (int kw = 0; kw < g.KernelW; kw++, p++)
                        taps[p] = ((c * pd + kd * g.DilationD) * ph + kh * g.DilationH) * pw + kw * g.DilationW;

        ref short dst = ref MemoryMarshal.GetReference(packed);
        ref short src = ref MemoryMarshal.GetReference(padded);
        Span<int> pixel = stackalloc int[Int8PanelWidth];
        int outWidth = g.OutWidth, outHeight = g.OutHeight;
        for (int j0 = 0; j0 < pixels; j0 += Int8PanelWidth)
        {
            int cols = Math.Min(Int8PanelWidth, pixels - j0);
            for (int t = 0; t < cols; t++)
            {
                int j = j0 + t, ow = j % outWidth, rest = j / outWidth, oh = rest % outHeight, od = rest / outHeight;
                pixel[t] = ((od * g.StrideD) * ph + oh * g.StrideH) * pw + ow * g.StrideW;
            }
            bool run = Avx2.IsSupported && cols == Int8PanelWidth && pixel[Int8PanelWidth - 1] - pixel[0] == Int8PanelWidth - 1;
            int first = pixel[0];
            ref short panel = ref Unsafe.Add(ref dst, j0 / Int8PanelWidth * panelShorts);
            int p = 0;
            if (run)
            {
                for (; p + 2 <= k; p += 2)
                {
                    var r0 = Vector256.LoadUnsafe(ref src, (nuint)(first + taps[p]));
                    var r1 = Vector256.LoadUnsafe(ref src, (nuint)(first + taps[p + 1]));
                    var lo = Avx2.UnpackLow(r0, r1);   // columns 0-3 | 8-11
                    var hi = Avx2.UnpackHigh(r0, r1);  // columns 4-7 | 12-15
                    ref short block = ref Unsafe.Add(ref panel, p * Int8PanelWidth);
                    Avx2.Permute2x128(lo, hi, 0x20).StoreUnsafe(ref block);
                    Avx2.Permute2x128(lo, hi, 0x31).StoreUnsafe(ref block, 16);
                }
            }
            for (; p < k; p++)
            {
                ref short block = ref Unsafe.Add(ref panel, (p >> 1) * 2 * Int8PanelWidth + (p & 1));
                int tap = taps[p];
                for (int t = 0; t < cols; t++)
                    Unsafe.Add(ref block, 2 * t) = Unsafe.Add(ref src, pixel[t] + tap);
            }
        }
    }

    /// <summary>
    /// ONNX ConvInteger: y [batch, M, pixels] (int32) = Σ (x − xZeroPoint)(w − wZeroPoint) over each window, padded
    /// positions counting as the zero point. <paramref name="widenedW"/>: the weights minus their zero point as int16 rows
    /// (<see cref="WidenInt8Rows{T}"/>, done at build time for constant weights); when empty, <paramref name="w"/> and
    /// <paramref name="wZeroPoint"/> (scalar or per output channel) are widened here. Scratch: <see cref="ConvIntegerScratchShorts"/>.
    /// </summary>
    public static void ConvInteger<TX, TW>(ReadOnlySpan<TX> x, ReadOnlySpan<TX> xZeroPoint, ReadOnlySpan<TW> w, ReadOnlySpan<TW> wZeroPoint,
        ReadOnlySpan<short> widenedW, Span<int> y, int batch, ConvGeometry g, Span<short> scratch) where TX : unmanaged where TW : unmanaged =>
        ConvIntegerCore<TX, TW, byte>(x, xZeroPoint, w, wZeroPoint, widenedW, y, default, default, default, default, batch, g, scratch);

    /// <summary>
    /// ONNX QLinearConv: the exact int32 convolution (as <see cref="ConvInteger{TX, TW}"/>) plus the int32 bias, then
    /// <see cref="RequantizeInt32{TY}"/> with one multiplier (x_scale·w_scale/y_scale) or one per output channel.
    /// </summary>
    public static void QLinearConv<TX, TW, TY>(ReadOnlySpan<TX> x, ReadOnlySpan<TX> xZeroPoint, ReadOnlySpan<TW> w, ReadOnlySpan<TW> wZeroPoint,
        ReadOnlySpan<short> widenedW, ReadOnlySpan<int> bias, ReadOnlySpan<float> multiplier, ReadOnlySpan<TY> yZeroPoint, Span<TY> y,
        int batch, ConvGeometry g, Span<short> scratch) where TX : unmanaged where TW : unmanaged where TY : unmanaged
    {
        CheckInt8<TY>(nameof(y));
        ConvIntegerCore(x, xZeroPoint, w, wZeroPoint, widenedW, default, bias, multiplier, yZeroPoint, y, batch, g, scratch);
    }

    private static void ConvIntegerCore<TX, TW, TY>(ReadOnlySpan<TX> x, ReadOnlySpan<TX> xZeroPoint, ReadOnlySpan<TW> w, ReadOnlySpan<TW> wZeroPoint,
        ReadOnlySpan<short> widenedW, Span<int> yInt, ReadOnlySpan<int> bias, ReadOnlySpan<float> multiplier, ReadOnlySpan<TY> yZeroPoint, Span<TY> yQ,
        int batch, in ConvGeometry g, Span<short> scratch) where TX : unmanaged where TW : unmanaged where TY : unmanaged
    {
        CheckInt8<TX>(nameof(x));
        CheckInt8<TW>(nameof(w));
        bool requantize = yInt.IsEmpty;
        int groups = g.Groups, mg = g.OutChannels / groups, cg = g.Channels / groups;
        int k = cg * g.KernelD * g.KernelH * g.KernelW, kPairs = (k + 1) / 2;
        int pixels = g.OutDepth * g.OutHeight * g.OutWidth, inPixels = g.Depth * g.Height * g.Width;
        if (x.Length < batch * g.Channels * inPixels) throw new ArgumentException($"Expected X of at least {batch * g.Channels * inPixels} elements.", nameof(x));
        int outLength = batch * g.OutChannels * pixels;
        if (requantize ? yQ.Length < outLength : yInt.Length < outLength) throw new ArgumentException($"Expected Y of at least {outLength} elements.", requantize ? "y" : nameof(yInt));
        if (xZeroPoint.Length > 1) throw new ArgumentException("Expected a scalar x zero point.", nameof(xZeroPoint));
        if (!bias.IsEmpty && bias.Length < g.OutChannels) throw new ArgumentException($"Expected a bias of {g.OutChannels} elements.", nameof(bias));
        if (scratch.Length < ConvIntegerScratchShorts(g, !widenedW.IsEmpty, requantize))
            throw new ArgumentException($"Expected at least {ConvIntegerScratchShorts(g, !widenedW.IsEmpty, requantize)} shorts of scratch.", nameof(scratch));
        var acc = requantize ? MemoryMarshal.Cast<short, int>(scratch.Slice(0, 2 * mg * pixels)) : default;
        var rest = requantize ? scratch.Slice(2 * mg * pixels) : scratch;
        if (widenedW.IsEmpty)
        {
            if (w.Length < g.OutChannels * k) throw new ArgumentException($"Expected W of at least {g.OutChannels * k} elements.", nameof(w));
            if (wZeroPoint.Length > 1 && wZeroPoint.Length != g.OutChannels) throw new ArgumentException($"Expected a w zero point of 1 or {g.OutChannels} elements.", nameof(wZeroPoint));
            var wide = rest.Slice(0, g.OutChannels * 2 * kPairs);
            WidenInt8Rows(w, k, 0, g.OutChannels, k, wZeroPoint, wide);
            widenedW = wide;
            rest = rest.Slice(wide.Length);
        }
        else if (widenedW.Length < g.OutChannels * 2 * kPairs) throw new ArgumentException($"Expected widened W of at least {g.OutChannels * 2 * kPairs} shorts.", nameof(widenedW));
        var packed = rest.Slice(0, PackedInt8BLength(k, pixels));
        var taps = MemoryMarshal.Cast<short, int>(rest.Slice(packed.Length, 8 * k));
        var (pd, ph, pw) = PaddedExtent(g);
        var padded = rest.Slice(packed.Length + 8 * k, cg * pd * ph * pw);
        int xz = Int8ZeroPointAt(xZeroPoint, 0);
        for (int n = 0; n < batch; n++)
            for (int gi = 0; gi < groups; gi++)
            {
                PadChannels(x.Slice(n * g.Channels * inPixels), xz, g, gi * cg, padded);
                Im2ColPacked(padded, g, packed, taps);
                var wg = widenedW.Slice(gi * mg * 2 * kPairs, mg * 2 * kPairs);
                int first = (n * g.OutChannels + gi * mg) * pixels;
                if (!requantize)
                {
                    GemmInt16Packed(wg, kPairs, packed, yInt.Slice(first, mg * pixels), pixels, mg, pixels);
                    continue;
                }
                GemmInt16Packed(wg, kPairs, packed, acc, pixels, mg, pixels);
                var groupMultiplier = multiplier.Length == 1 ? multiplier : multiplier.Slice(gi * mg, mg);
                RequantizeInt32(acc, bias.IsEmpty ? default : bias.Slice(gi * mg, mg), groupMultiplier, true, mg, pixels, yZeroPoint, yQ.Slice(first, mg * pixels));
            }
    }
}
