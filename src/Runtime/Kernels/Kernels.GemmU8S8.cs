using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Runtime;

/// <summary>
/// The uint8 × int8 matrix product on 4-byte quads (AVX-VNNI vpdpbusd, <see cref="AvxVnni.MultiplyWideningAndAdd(Vector256{int}, Vector256{byte}, Vector256{sbyte})"/>):
/// each int32 lane adds four uint8·int8 products, exactly (at most 4·255·128 a step, no saturation). Used for constant
/// int8 weights whose zero point is 0 (symmetric, as ONNX Runtime's quantizer writes them): activations A (uint8, or
/// int8 shifted by +128 to uint8) times weights B (int8, packed at build time), then
/// C[i, j] = Σ a′·b − za′·Σ_p b[p, j], with za′ = za (+128 for int8 A) and the column sums of B from the build.
/// <para>
/// B layout (<see cref="PackedQuadBLength"/> bytes): 16-column panels, each ⌈K/4⌉ blocks of 64 bytes holding, for
/// columns 0..15, the four bytes B[4q..4q+3, j]; the K pad and missing columns are 0. A rows are copied into scratch as
/// uint8 quads (K padded with zeros). Paths: AvxVnni 4×16 and 1×16 tiles (two 256-bit accumulators a row); Vector128
/// (any hardware: the bytes of each lane separated by shifts and multiplied in int32); scalar.
/// </para>
/// </summary>
public static partial class Kernels
{
    /// <summary>Bytes of B [k, n] packed in quads for the uint8 × int8 product.</summary>
    public static int PackedQuadBLength(int k, int n) => (n + Int8PanelWidth - 1) / Int8PanelWidth * Int8PanelWidth * 4 * ((k + 3) / 4);

    /// <summary>Shorts of scratch <see cref="MatMulIntegerU8S8{TA}"/> / <see cref="QLinearMatMulU8S8{TA, TY}"/> need.</summary>
    public static int MatMulU8S8ScratchShorts(int m, int n, int k, bool requantize) =>
        (requantize ? 2 * Math.Min(m, Int8RowBlock) * n : 0) + Math.Min(m, Int8RowBlock) * 2 * ((k + 3) / 4) + 2 * n;

    /// <summary>
    /// ONNX MatMulInteger for a constant int8 B with zero point 0, packed at build time (<paramref name="packedB"/>,
    /// <paramref name="columnSums"/> = Σ_p B[p, j]): y [m, n] = (a − aZeroPoint)·B in int32. aZeroPoint: empty or scalar.
    /// </summary>
    public static void MatMulIntegerU8S8<TA>(ReadOnlySpan<TA> a, ReadOnlySpan<TA> aZeroPoint, ReadOnlySpan<sbyte> packedB, ReadOnlySpan<int> columnSums,
        Span<int> y, int m, int n, int k, Span<short> scratch) where TA : unmanaged
    {
        if (y.Length < m * n) throw new ArgumentException($"Expected Y of at least {m * n} elements.", nameof(y));
        GemmU8S8Core(a, aZeroPoint, packedB, columnSums, default, y, m, n, k, scratch, default, default, default(Span<byte>), false);
    }

    /// <summary>
    /// ONNX QLinearMatMul for a constant int8 B with zero point 0 (see <see cref="MatMulIntegerU8S8{TA}"/>): the exact
    /// int32 product (+ <paramref name="bias"/> per column, if any), then <see cref="RequantizeInt32{TY}"/>.
    /// </summary>
    public static void QLinearMatMulU8S8<TA, TY>(ReadOnlySpan<TA> a, ReadOnlySpan<TA> aZeroPoint, ReadOnlySpan<sbyte> packedB, ReadOnlySpan<int> columnSums,
        ReadOnlySpan<float> multiplier, ReadOnlySpan<TY> yZeroPoint, Span<TY> y, int m, int n, int k, Span<short> scratch, ReadOnlySpan<int> bias = default)
        where TA : unmanaged where TY : unmanaged
    {
        CheckInt8<TY>(nameof(y));
        if (y.Length < m * n) throw new ArgumentException($"Expected Y of at least {m * n} elements.", nameof(y));
        GemmU8S8Core(a, aZeroPoint, packedB, columnSums, bias, default, m, n, k, scratch, multiplier, yZeroPoint, y, true);
    }

    private static void GemmU8S8Core<TA, TY>(ReadOnlySpan<TA> a, ReadOnlySpan<TA> aZeroPoint, ReadOnlySpan<sbyte> packedB, ReadOnlySpan<int> columnSums,
        ReadOnlySpan<int> bias, Span<int> yInt, int m, int n, int k, Span<short> scratch, ReadOnlySpan<float> multiplier, ReadOnlySpan<TY> yZeroPoint, Span<TY> yQ,
        bool requantize) where TA : unmanaged where TY : unmanaged
    {
        CheckInt8<TA>(nameof(a));
        if (m <= 0 || n <= 0) return;
        int kQuads = (k + 3) / 4;
        if (a.Length < m * k) throw new ArgumentException($"Expected A of at least {m * k} elements.", nameof(a));
        if (packedB.Length < PackedQuadBLength(k, n)) throw new ArgumentException($"Expected packed B of at least {PackedQuadBLength(k, n)} bytes.", nameof(packedB));
        if (columnSums.Length < n) throw new ArgumentException($"Expected {n} column sums.", nameof(columnSums));
        if (aZeroPoint.Length > 1) throw new ArgumentException("Expected a scalar a zero point.", nameof(aZeroPoint));
        if (!bias.IsEmpty && bias.Length != n) throw new ArgumentException($"Expected a bias of {n} elements.", nameof(bias));
        if (scratch.Length < MatMulU8S8ScratchShorts(m, n, k, requantize))
            throw new ArgumentException($"Expected at least {MatMulU8S8ScratchShorts(m, n, k, requantize)} shorts of scratch.", nameof(scratch));
        int block = Math.Min(m, Int8RowBlock);
        var acc = requantize ? MemoryMarshal.Cast<short, int>(scratch.Slice(0, 2 * block * n)) : default;
        var rest = requantize ? scratch.Slice(2 * block * n) : scratch;
        // Column correction first (int32, 4-byte aligned), the uint8 rows after it.
        var correction = MemoryMarshal.Cast<short, int>(rest.Slice(0, 2 * n));
        var rows = MemoryMarshal.AsBytes(rest.Slice(2 * n, block * 2 * kQuads));
        int shift = typeof(TA) == typeof(sbyte) ? 128 : 0;
        int za = Int8ZeroPointAt(aZeroPoint, 0) + shift;
        for (int j = 0; j < n; j++) correction[j] = (bias.IsEmpty ? 0 : bias[j]) - za * columnSums[j];
        for (int i0 = 0; i0 < m; i0 += block)
        {
            int count = Math.Min(block, m - i0);
            for (int r = 0; r < count; r++) CopyQuadRow(a.Slice((i0 + r) * k, k), shift != 0, rows.Slice(r * 4 * kQuads, 4 * kQuads));
            var c = requantize ? acc : yInt.Slice(i0 * n);
            GemmU8S8(rows, kQuads, packedB, c, n, count, n);
            AddColumnBias(c, correction, count, n);
            if (requantize)
                RequantizeInt32(acc.Slice(0, count * n), default, multiplier, false, count, n, yZeroPoint, yQ.Slice(i0 * n, count * n));
        }
    }

    /// <summary>A row of k uint8 (or int8 plus 128) into 4·⌈k/4⌉ bytes, zero-padded.</summary>
    private static void CopyQuadRow<TA>(ReadOnlySpan<TA> src, bool flip, Span<byte> dst) where TA : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(src);
        int k = bytes.Length, i = 0;
        if (flip && Vector128.IsHardwareAccelerated)
        {
            var sign = Vector128.Create((byte)0x80);
            for (; i <= k - 16; i += 16) (Vector128.Create(bytes.Slice(i, 16)) ^ sign).CopyTo(dst.Slice(i, 16));
        }
        else if (!flip)
        {
            bytes.CopyTo(dst);
            i = k;
        }
        for (; i < k; i++) dst[i] = (byte)(bytes[i] ^ (flip ? 0x80 : 0));
        dst.Slice(k).Clear();
    }

    /// <summary>
    /// C [m, n] (row stride <paramref name="ldc"/>) = Σ_q rows[i, quad q] · packedB quads, exactly in int32 (uint8 rows of
    /// 4·kQuads bytes, int8 B packed by <see cref="PackedQuadBLength"/>). Overwrites C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GemmU8S8(ReadOnlySpan<byte> rows, int kQuads, ReadOnlySpan<sbyte> packedB, Span<int> c, int ldc, int m, int n)
    {
        if (m <= 0 || n <= 0) return;
        int stride = 4 * kQuads, panelBytes = 64 * kQuads;
        if (rows.Length < m * stride) throw new ArgumentException($"Expected rows of at least {m * stride} bytes.", nameof(rows));
        if (packedB.Length < PackedQuadBLength(4 * kQuads, n)) throw new ArgumentException("Packed B is too short.", nameof(packedB));
        if (c.Length < (m - 1) * ldc + n) throw new ArgumentException($"Expected C of at least {(m - 1) * ldc + n} elements.", nameof(c));
        Span<int> tile = stackalloc int[4 * Int8PanelWidth];
        var pb = MemoryMarshal.AsBytes(packedB);
        for (int j0 = 0; j0 < n; j0 += Int8PanelWidth)
        {
            int cols = Math.Min(Int8PanelWidth, n - j0);
            bool full = cols == Int8PanelWidth;
            var panel = pb.Slice(j0 / Int8PanelWidth * panelBytes, panelBytes);
            int i = 0;
            if (AvxVnni.IsSupported)
            {
                for (; i + 4 <= m; i += 4)
                {
                    QuadTile4x16Vnni(rows.Slice(i * stride), stride, panel, kQuads, full ? c.Slice(i * ldc + j0) : tile, full ? ldc : Int8PanelWidth);
                    if (!full) CopyTile(tile, 4, cols, c.Slice(i * ldc + j0), ldc);
                }
                for (; i < m; i++)
                {
                    QuadTile1x16Vnni(rows.Slice(i * stride), panel, kQuads, tile);
                    tile.Slice(0, cols).CopyTo(c.Slice(i * ldc + j0, cols));
                }
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                for (; i < m; i++)
                {
                    QuadRowVector128(rows.Slice(i * stride, stride), panel, kQuads, tile);
                    tile.Slice(0, cols).CopyTo(c.Slice(i * ldc + j0, cols));
                }
            }
            for (; i < m; i++)
            {
                QuadRowScalar(rows.Slice(i * stride, stride), panel, kQuads, tile);
                tile.Slice(0, cols).CopyTo(c.Slice(i * ldc + j0, cols));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> QuadBroadcast(ref byte row, int q) =>
        Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref row, 4 * q))).AsSByte();

    /// <summary>4 rows × 16 columns: 8 accumulators, two 256-bit panel loads and four broadcasts a quad.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QuadTile4x16Vnni(ReadOnlySpan<byte> rows, int stride, ReadOnlySpan<byte> panel, int kQuads, Span<int> c, int ldc)
    {
        ref byte a0 = ref MemoryMarshal.GetReference(rows);
        ref byte a1 = ref Unsafe.Add(ref a0, stride);
        ref byte a2 = ref Unsafe.Add(ref a0, 2 * stride);
        ref byte a3 = ref Unsafe.Add(ref a0, 3 * stride);
        ref byte pb = ref MemoryMarshal.GetReference(panel);
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int q = 0; q < kQuads; q++)
        {
            // vpdpbusd multiplies its first source as uint8 and its second as int8: the rows are the uint8 side.
            var b0 = Vector256.LoadUnsafe(ref pb, (nuint)(q * 64)).AsSByte();
            var b1 = Vector256.LoadUnsafe(ref pb, (nuint)(q * 64 + 32)).AsSByte();
            var v = QuadBroadcast(ref a0, q).AsByte();
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, v, b0); c01 = AvxVnni.MultiplyWideningAndAdd(c01, v, b1);
            v = QuadBroadcast(ref a1, q).AsByte();
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, v, b0); c11 = AvxVnni.MultiplyWideningAndAdd(c11, v, b1);
            v = QuadBroadcast(ref a2, q).AsByte();
            c20 = AvxVnni.MultiplyWideningAndAdd(c20, v, b0); c21 = AvxVnni.MultiplyWideningAndAdd(c21, v, b1);
            v = QuadBroadcast(ref a3, q).AsByte();
            c30 = AvxVnni.MultiplyWideningAndAdd(c30, v, b0); c31 = AvxVnni.MultiplyWideningAndAdd(c31, v, b1);
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        c00.StoreUnsafe(ref y, 0); c01.StoreUnsafe(ref y, 8);
        c10.StoreUnsafe(ref y, (nuint)ldc); c11.StoreUnsafe(ref y, (nuint)(ldc + 8));
        c20.StoreUnsafe(ref y, (nuint)(2 * ldc)); c21.StoreUnsafe(ref y, (nuint)(2 * ldc + 8));
        c30.StoreUnsafe(ref y, (nuint)(3 * ldc)); c31.StoreUnsafe(ref y, (nuint)(3 * ldc + 8));
    }

    /// <summary>1 row × 16 columns (matrix-vector products): two quads a step into four accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QuadTile1x16Vnni(ReadOnlySpan<byte> row, ReadOnlySpan<byte> panel, int kQuads, Span<int> c)
    {
        ref byte a0 = ref MemoryMarshal.GetReference(row);
        ref byte pb = ref MemoryMarshal.GetReference(panel);
        Vector256<int> c0 = default, c1 = default, d0 = default, d1 = default;
        int q = 0;
        for (; q + 2 <= kQuads; q += 2)
        {
            var v = QuadBroadcast(ref a0, q).AsByte();
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, v, Vector256.LoadUnsafe(ref pb, (nuint)(q * 64)).AsSByte());
            c1 = AvxVnni.MultiplyWideningAndAdd(c1, v, Vector256.LoadUnsafe(ref pb, (nuint)(q * 64 + 32)).AsSByte());
            v = QuadBroadcast(ref a0, q + 1).AsByte();
            d0 = AvxVnni.MultiplyWideningAndAdd(d0, v, Vector256.LoadUnsafe(ref pb, (nuint)(q * 64 + 64)).AsSByte());
            d1 = AvxVnni.MultiplyWideningAndAdd(d1, v, Vector256.LoadUnsafe(ref pb, (nuint)(q * 64 + 96)).AsSByte());
        }
        if (q < kQuads)
        {
            var v = QuadBroadcast(ref a0, q).AsByte();
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, v, Vector256.LoadUnsafe(ref pb, (nuint)(q * 64)).AsSByte());
            c1 = AvxVnni.MultiplyWideningAndAdd(c1, v, Vector256.LoadUnsafe(ref pb, (nuint)(q * 64 + 32)).AsSByte());
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        (c0 + d0).StoreUnsafe(ref y, 0);
        (c1 + d1).StoreUnsafe(ref y, 8);
    }

    /// <summary>
    /// 1 row × 16 columns without VNNI: each int32 lane of a panel block holds one column's four int8 values, separated by
    /// shifts (sign-extending) and multiplied in int32 by the row's four bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QuadRowVector128(ReadOnlySpan<byte> row, ReadOnlySpan<byte> panel, int kQuads, Span<int> c)
    {
        ref int pb = ref Unsafe.As<byte, int>(ref MemoryMarshal.GetReference(panel));
        Vector128<int> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int q = 0; q < kQuads; q++)
        {
            var r0 = Vector128.Create((int)row[4 * q]); var r1 = Vector128.Create((int)row[4 * q + 1]);
            var r2 = Vector128.Create((int)row[4 * q + 2]); var r3 = Vector128.Create((int)row[4 * q + 3]);
            c0 += QuadDot(Vector128.LoadUnsafe(ref pb, (nuint)(q * 16)), r0, r1, r2, r3);
            c1 += QuadDot(Vector128.LoadUnsafe(ref pb, (nuint)(q * 16 + 4)), r0, r1, r2, r3);
            c2 += QuadDot(Vector128.LoadUnsafe(ref pb, (nuint)(q * 16 + 8)), r0, r1, r2, r3);
            c3 += QuadDot(Vector128.LoadUnsafe(ref pb, (nuint)(q * 16 + 12)), r0, r1, r2, r3);
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        c0.StoreUnsafe(ref y, 0); c1.StoreUnsafe(ref y, 4); c2.StoreUnsafe(ref y, 8); c3.StoreUnsafe(ref y, 12);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> QuadDot(Vector128<int> b, Vector128<int> r0, Vector128<int> r1, Vector128<int> r2, Vector128<int> r3) =>
        Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(b, 24), 24) * r0
        + Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(b, 16), 24) * r1
        + Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(b, 8), 24) * r2
        + Vector128.ShiftRightArithmetic(b, 24) * r3;

    private static void QuadRowScalar(ReadOnlySpan<byte> row, ReadOnlySpan<byte> panel, int kQuads, Span<int> c)
    {
        c.Slice(0, Int8PanelWidth).Clear();
        for (int q = 0; q < kQuads; q++)
            for (int t = 0; t < Int8PanelWidth; t++)
            {
                int sum = 0;
                for (int e = 0; e < 4; e++) sum += row[4 * q + e] * (sbyte)panel[q * 64 + 4 * t + e];
                c[t] += sum;
            }
    }
}
