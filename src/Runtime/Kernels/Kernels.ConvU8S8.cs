using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Runtime;

/// <summary>
/// ConvInteger / QLinearConv for constant int8 weights with zero point 0 on the uint8 × int8 quad product
/// (Kernels.GemmU8S8.cs): per image and group, the input planes padded with the zero point as uint8 (int8 x shifted by
/// +128), their im2col matrix written straight into 16-pixel panels of 4-byte quads, and the weight rows (int8 quads,
/// packed at build time with their row sums) broadcast against them: acc[m, pixel] = Σ x′·w − zx′·Σw[m], exact in int32.
/// The requantization is <see cref="RequantizeInt32{TY}"/>, with the correction folded into the per-channel bias.
/// Paths: AvxVnni 4×16 and 1×16 tiles; Vector128 and scalar rows; the panel writer interleaves 16-pixel runs with Sse2.
/// </summary>
public static partial class Kernels
{
    /// <summary>Shorts of scratch <see cref="ConvIntegerU8S8{TX}"/> / <see cref="QLinearConvU8S8{TX, TY}"/> need.</summary>
    public static long ConvU8S8ScratchShorts(ConvGeometry g, bool requantize)
    {
        int mg = g.OutChannels / g.Groups, cg = g.Channels / g.Groups;
        int k = cg * g.KernelD * g.KernelH * g.KernelW, pixels = g.OutDepth * g.OutHeight * g.OutWidth;
        var (pd, ph, pw) = PaddedExtent(g);
        return (requantize ? 2L * mg * pixels : 0) + 2L * g.OutChannels + 2L * k + (PackedQuadBLength(k, pixels) + 1) / 2 + ((long)cg * pd * ph * pw + 1) / 2;
    }

    /// <summary>
    /// ONNX ConvInteger with constant int8 weights whose zero point is 0: <paramref name="quadW"/> the weights as rows of
    /// 4·⌈K/4⌉ bytes (K zero-padded), <paramref name="rowSums"/> Σ_k w[m, k]. Scratch: <see cref="ConvU8S8ScratchShorts"/>.
    /// </summary>
    public static void ConvIntegerU8S8<TX>(ReadOnlySpan<TX> x, ReadOnlySpan<TX> xZeroPoint, ReadOnlySpan<sbyte> quadW, ReadOnlySpan<int> rowSums,
        Span<int> y, int batch, ConvGeometry g, Span<short> scratch) where TX : unmanaged =>
        ConvU8S8Core<TX, byte>(x, xZeroPoint, quadW, rowSums, y, default, default, default, default, batch, g, scratch);

    /// <summary>ONNX QLinearConv on the quad path (see <see cref="ConvIntegerU8S8{TX}"/>): + int32 bias, then the requantization.</summary>
    public static void QLinearConvU8S8<TX, TY>(ReadOnlySpan<TX> x, ReadOnlySpan<TX> xZeroPoint, ReadOnlySpan<sbyte> quadW, ReadOnlySpan<int> rowSums,
        ReadOnlySpan<int> bias, ReadOnlySpan<float> multiplier, ReadOnlySpan<TY> yZeroPoint, Span<TY> y, int batch, ConvGeometry g, Span<short> scratch)
        where TX : unmanaged where TY : unmanaged
    {
        CheckInt8<TY>(nameof(y));
        ConvU8S8Core(x, xZeroPoint, quadW, rowSums, default, bias, multiplier, yZeroPoint, y, batch, g, scratch);
    }

    private static void ConvU8S8Core<TX, TY>(ReadOnlySpan<TX> x, ReadOnlySpan<TX> xZeroPoint, ReadOnlySpan<sbyte> quadW, ReadOnlySpan<int> rowSums,
        Span<int> yInt, ReadOnlySpan<int> bias, ReadOnlySpan<float> multiplier, ReadOnlySpan<TY> yZeroPoint, Span<TY> yQ, int batch, in ConvGeometry g,
        Span<short> scratch) where TX : unmanaged where TY : unmanaged
    {
        CheckInt8<TX>(nameof(x));
        bool requantize = yInt.IsEmpty;
        int groups = g.Groups, mg = g.OutChannels / groups, cg = g.Channels / groups;
        int k = cg * g.KernelD * g.KernelH * g.KernelW, kQuads = (k + 3) / 4;
        int pixels = g.OutDepth * g.OutHeight * g.OutWidth, inPixels = g.Depth * g.Height * g.Width;
        if (x.Length < batch * g.Channels * inPixels) throw new ArgumentException($"Expected X of at least {batch * g.Channels * inPixels} elements.", nameof(x));
        int outLength = batch * g.OutChannels * pixels;
        if (requantize ? yQ.Length < outLength : yInt.Length < outLength) throw new ArgumentException($"Expected Y of at least {outLength} elements.", requantize ? "y" : nameof(yInt));
        if (xZeroPoint.Length > 1) throw new ArgumentException("Expected a scalar x zero point.", nameof(xZeroPoint));
        if (quadW.Length < g.OutChannels * 4 * kQuads) throw new ArgumentException($"Expected quad weights of at least {g.OutChannels * 4 * kQuads} bytes.", nameof(quadW));
        if (rowSums.Length < g.OutChannels) throw new ArgumentException($"Expected {g.OutChannels} row sums.", nameof(rowSums));
        if (!bias.IsEmpty && bias.Length < g.OutChannels) throw new ArgumentException($"Expected a bias of {g.OutChannels} elements.", nameof(bias));
        if (scratch.Length < ConvU8S8ScratchShorts(g, requantize))
            throw new ArgumentException($"Expected at least {ConvU8S8ScratchShorts(g, requantize)} shorts of scratch.", nameof(scratch));
        var acc = requantize ? MemoryMarshal.Cast<short, int>(scratch.Slice(0, 2 * mg * pixels)) : default;
        var rest = requantize ? scratch.Slice(2 * mg * pixels) : scratch;
        var correction = MemoryMarshal.Cast<short, int>(rest.Slice(0, 2 * g.OutChannels));
        var taps = MemoryMarshal.Cast<short, int>(rest.Slice(2 * g.OutChannels, 2 * k));
        rest = rest.Slice(2 * g.OutChannels + 2 * k);
        int panelLength = PackedQuadBLength(k, pixels);
        var bytes = MemoryMarshal.AsBytes(rest);
        var packed = bytes.Slice(0, panelLength);
        var (pd, ph, pw) = PaddedExtent(g);
        var padded = bytes.Slice(panelLength, cg * pd * ph * pw);
        bool flip = typeof(TX) == typeof(sbyte);
        int xz = Int8ZeroPointAt(xZeroPoint, 0) + (flip ? 128 : 0);
        for (int m = 0; m < g.OutChannels; m++) correction[m] = (bias.IsEmpty ? 0 : bias[m]) - xz * rowSums[m];
        var wBytes = MemoryMarshal.AsBytes(quadW);
        for (int n = 0; n < batch; n++)
            for (int gi = 0; gi < groups; gi++)
            {
                PadChannelsU8(x.Slice(n * g.Channels * inPixels), (byte)xz, flip, g, gi * cg, padded);
                Im2ColQuads(padded, g, packed, taps);
                var wg = wBytes.Slice(gi * mg * 4 * kQuads, mg * 4 * kQuads);
                int first = (n * g.OutChannels + gi * mg) * pixels;
                var c = requantize ? acc : yInt.Slice(first, mg * pixels);
                GemmS8U8Rows(wg, kQuads, packed, c, pixels, mg, pixels);
                var groupCorrection = correction.Slice(gi * mg, mg);
                if (!requantize)
                {
                    for (int m = 0; m < mg; m++)
                    {
                        var row = c.Slice(m * pixels, pixels);
                        int add = groupCorrection[m], j = 0;
                        if (Vector128.IsHardwareAccelerated)
                            for (var v = Vector128.Create(add); j <= pixels - 4; j += 4) (Vector128.Create(row.Slice(j, 4)) + v).CopyTo(row.Slice(j, 4));
                        for (; j < pixels; j++) row[j] += add;
                    }
                    continue;
                }
                var groupMultiplier = multiplier.Length == 1 ? multiplier : multiplier.Slice(gi * mg, mg);
                RequantizeInt32(acc, groupCorrection, groupMultiplier, true, mg, pixels, yZeroPoint, yQ.Slice(first, mg * pixels));
            }
    }

    /// <summary>One group's channels of x as uint8 (int8 flipped by +128) into planes padded with <paramref name="zeroPoint"/>.</summary>
    private static void PadChannelsU8<T>(ReadOnlySpan<T> x, byte zeroPoint, bool flip, in ConvGeometry g, int firstChannel, Span<byte> padded) where T : unmanaged
    {
        int cg = g.Channels / g.Groups, plane = g.Depth * g.Height * g.Width;
        var (pd, ph, pw) = PaddedExtent(g);
        if (x.Length < (firstChannel + cg) * plane) throw new ArgumentException($"Expected X of at least {(firstChannel + cg) * plane} elements.", nameof(x));
        padded.Fill(zeroPoint);
        var src = MemoryMarshal.AsBytes(x);
        for (int c = 0; c < cg; c++)
            for (int d = 0; d < g.Depth; d++)
                for (int h = 0; h < g.Height; h++)
                {
                    var from = src.Slice((firstChannel + c) * plane + (d * g.Height + h) * g.Width, g.Width);
                    var to = padded.Slice(((c * pd + d + g.PadFront) * ph + h + g.PadTop) * pw + g.PadLeft, g.Width);
                    if (!flip) { from.CopyTo(to); continue; }
                    int i = 0;
                    if (Vector128.IsHardwareAccelerated)
                        for (var sign = Vector128.Create((byte)0x80); i <= from.Length - 16; i += 16) (Vector128.Create(from.Slice(i, 16)) ^ sign).CopyTo(to.Slice(i, 16));
                    for (; i < from.Length; i++) to[i] = (byte)(from[i] ^ 0x80);
                }
    }

    /// <summary>
    /// One group's im2col matrix [K, pixels] from its padded uint8 planes into 16-pixel panels of 4-byte quads (pixel t of
    /// quad q at byte 64·q + 4·t); 16 adjacent pixels (one output row, stride 1) are interleaved four taps at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Im2ColQuads(ReadOnlySpan<byte> padded, in ConvGeometry g, Span<byte> packed, Span<int> taps)
    {
        int cg = g.Channels / g.Groups;
        int k = cg * g.KernelD * g.KernelH * g.KernelW, kQuads = (k + 3) / 4, panelBytes = 64 * kQuads;
        int pixels = g.OutDepth * g.OutHeight * g.OutWidth;
        var (pd, ph, pw) = PaddedExtent(g);
        if ((k & 3) != 0 || pixels % Int8PanelWidth != 0) packed.Clear();
        for (int c = 0, p = 0; c < cg; c++)
            for (int kd = 0; kd < g.KernelD; kd++)
                for (int kh = 0; kh < g.KernelH; kh++)
                    for (int kw = 0; kw < g.KernelW; kw++, p++)
                        taps[p] = ((c * pd + kd * g.DilationD) * ph + kh * g.DilationH) * pw + kw * g.DilationW;
        ref byte src = ref MemoryMarshal.GetReference(padded);
        Span<int> pixel = stackalloc int[Int8PanelWidth];
        for (int j0 = 0; j0 < pixels; j0 += Int8PanelWidth)
        {
            int cols = Math.Min(Int8PanelWidth, pixels - j0);
            for (int t = 0; t < cols; t++)
            {
                int j = j0 + t, ow = j % g.OutWidth, rest = j / g.OutWidth, oh = rest % g.OutHeight, od = rest / g.OutHeight;
                pixel[t] = (od * g.StrideD * ph + oh * g.StrideH) * pw + ow * g.StrideW;
            }
            var panel = packed.Slice(j0 / Int8PanelWidth * panelBytes, panelBytes);
            int first = pixel[0];
            int q = 0;
            if (Sse2.IsSupported && cols == Int8PanelWidth && pixel[Int8PanelWidth - 1] - first == Int8PanelWidth - 1)
            {
                ref byte dst = ref MemoryMarshal.GetReference(panel);
                for (; 4 * q + 4 <= k; q++)
                {
                    var r0 = Vector128.LoadUnsafe(ref src, (nuint)(first + taps[4 * q]));
                    var r1 = Vector128.LoadUnsafe(ref src, (nuint)(first + taps[4 * q + 1]));
                    var r2 = Vector128.LoadUnsafe(ref src, (nuint)(first + taps[4 * q + 2]));
                    var r3 = Vector128.LoadUnsafe(ref src, (nuint)(first + taps[4 * q + 3]));
                    var abLo = Sse2.UnpackLow(r0, r1).AsInt16(); var abHi = Sse2.UnpackHigh(r0, r1).AsInt16();
                    var cdLo = Sse2.UnpackLow(r2, r3).AsInt16(); var cdHi = Sse2.UnpackHigh(r2, r3).AsInt16();
                    Sse2.UnpackLow(abLo, cdLo).AsByte().StoreUnsafe(ref dst, (nuint)(q * 64));
                    Sse2.UnpackHigh(abLo, cdLo).AsByte().StoreUnsafe(ref dst, (nuint)(q * 64 + 16));
                    Sse2.UnpackLow(abHi, cdHi).AsByte().StoreUnsafe(ref dst, (nuint)(q * 64 + 32));
                    Sse2.UnpackHigh(abHi, cdHi).AsByte().StoreUnsafe(ref dst, (nuint)(q * 64 + 48));
                }
            }
            for (int p = 4 * q; p < k; p++)
            {
                int tap = taps[p], at = (p >> 2) * 64 + (p & 3);
                for (int t = 0; t < cols; t++) panel[at + 4 * t] = Unsafe.Add(ref src, pixel[t] + tap);
            }
        }
    }

    /// <summary>
    /// C [m, n] = int8 rows (quads, broadcast) × uint8 panels (<see cref="Im2ColQuads"/>), exactly in int32. Overwrites C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GemmS8U8Rows(ReadOnlySpan<byte> rows, int kQuads, ReadOnlySpan<byte> panels, Span<int> c, int ldc, int m, int n)
    {
        int stride = 4 * kQuads, panelBytes = 64 * kQuads;
        Span<int> tile = stackalloc int[4 * Int8PanelWidth];
        for (int j0 = 0; j0 < n; j0 += Int8PanelWidth)
        {
            int cols = Math.Min(Int8PanelWidth, n - j0);
            bool full = cols == Int8PanelWidth;
            var panel = panels.Slice(j0 / Int8PanelWidth * panelBytes, panelBytes);
            int i = 0;
            if (AvxVnni.IsSupported)
            {
                for (; i + 4 <= m; i += 4)
                {
                    ConvTile4x16Vnni(rows.Slice(i * stride), stride, panel, kQuads, full ? c.Slice(i * ldc + j0) : tile, full ? ldc : Int8PanelWidth);
                    if (!full) CopyTile(tile, 4, cols, c.Slice(i * ldc + j0), ldc);
                }
                for (; i < m; i++)
                {
                    ConvTile1x16Vnni(rows.Slice(i * stride), panel, kQuads, tile);
                    tile.Slice(0, cols).CopyTo(c.Slice(i * ldc + j0, cols));
                }
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                for (; i < m; i++)
                {
                    ConvRowVector128(rows.Slice(i * stride, stride), panel, kQuads, tile);
                    tile.Slice(0, cols).CopyTo(c.Slice(i * ldc + j0, cols));
                }
            }
            for (; i < m; i++)
            {
                tile.Slice(0, Int8PanelWidth).Clear();
                for (int q = 0; q < kQuads; q++)
                    for (int t = 0; t < Int8PanelWidth; t++)
                    {
                        int sum = 0;
                        for (int e = 0; e < 4; e++) sum += (sbyte)rows[i * stride + 4 * q + e] * panel[q * 64 + 4 * t + e];
                        tile[t] += sum;
                    }
                tile.Slice(0, cols).CopyTo(c.Slice(i * ldc + j0, cols));
            }
        }
    }

    /// <summary>4 weight rows × 16 pixels: the panel is vpdpbusd's uint8 side, the broadcast weight quad its int8 side.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvTile4x16Vnni(ReadOnlySpan<byte> rows, int stride, ReadOnlySpan<byte> panel, int kQuads, Span<int> c, int ldc)
    {
        ref byte a0 = ref MemoryMarshal.GetReference(rows);
        ref byte a1 = ref Unsafe.Add(ref a0, stride);
        ref byte a2 = ref Unsafe.Add(ref a0, 2 * stride);
        ref byte a3 = ref Unsafe.Add(ref a0, 3 * stride);
        ref byte pb = ref MemoryMarshal.GetReference(panel);
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int q = 0; q < kQuads; q++)
        {
            var b0 = Vector256.LoadUnsafe(ref pb, (nuint)(q * 64));
            var b1 = Vector256.LoadUnsafe(ref pb, (nuint)(q * 64 + 32));
            var v = QuadBroadcast(ref a0, q);
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, b0, v); c01 = AvxVnni.MultiplyWideningAndAdd(c01, b1, v);
            v = QuadBroadcast(ref a1, q);
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, b0, v); c11 = AvxVnni.MultiplyWideningAndAdd(c11, b1, v);
            v = QuadBroadcast(ref a2, q);
            c20 = AvxVnni.MultiplyWideningAndAdd(c20, b0, v); c21 = AvxVnni.MultiplyWideningAndAdd(c21, b1, v);
            v = QuadBroadcast(ref a3, q);
            c30 = AvxVnni.MultiplyWideningAndAdd(c30, b0, v); c31 = AvxVnni.MultiplyWideningAndAdd(c31, b1, v);
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        c00.StoreUnsafe(ref y, 0); c01.StoreUnsafe(ref y, 8);
        c10.StoreUnsafe(ref y, (nuint)ldc); c11.StoreUnsafe(ref y, (nuint)(ldc + 8));
        c20.StoreUnsafe(ref y, (nuint)(2 * ldc)); c21.StoreUnsafe(ref y, (nuint)(2 * ldc + 8));
        c30.StoreUnsafe(ref y, (nuint)(3 * ldc)); c31.StoreUnsafe(ref y, (nuint)(3 * ldc + 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvTile1x16Vnni(ReadOnlySpan<byte> row, ReadOnlySpan<byte> panel, int kQuads, Span<int> c)
    {
        ref byte a0 = ref MemoryMarshal.GetReference(row);
        ref byte pb = ref MemoryMarshal.GetReference(panel);
        Vector256<int> c0 = default, c1 = default;
        for (int q = 0; q < kQuads; q++)
        {
            var v = QuadBroadcast(ref a0, q);
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, Vector256.LoadUnsafe(ref pb, (nuint)(q * 64)), v);
            c1 = AvxVnni.MultiplyWideningAndAdd(c1, Vector256.LoadUnsafe(ref pb, (nuint)(q * 64 + 32)), v);
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        c0.StoreUnsafe(ref y, 0);
        c1.StoreUnsafe(ref y, 8);
    }

    /// <summary>One weight row × 16 pixels without VNNI: the panel lanes' four uint8 separated by shifts, times the row's int8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvRowVector128(ReadOnlySpan<byte> row, ReadOnlySpan<byte> panel, int kQuads, Span<int> c)
    {
        ref int pb = ref Unsafe.As<byte, int>(ref MemoryMarshal.GetReference(panel));
        Vector128<int> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int q = 0; q < kQuads; q++)
        {
            var r0 = Vector128.Create((int)(sbyte)row[4 * q]); var r1 = Vector128.Create((int)(sbyte)row[4 * q + 1]);
            var r2 = Vector128.Create((int)(sbyte)row[4 * q + 2]); var r3 = Vector128.Create((int)(sbyte)row[4 * q + 3]);
            c0 += QuadDotUnsigned(Vector128.LoadUnsafe(ref pb, (nuint)(q * 16)), r0, r1, r2, r3);
            c1 += QuadDotUnsigned(Vector128.LoadUnsafe(ref pb, (nuint)(q * 16 + 4)), r0, r1, r2, r3);
            c2 += QuadDotUnsigned(Vector128.LoadUnsafe(ref pb, (nuint)(q * 16 + 8)), r0, r1, r2, r3);
            c3 += QuadDotUnsigned(Vector128.LoadUnsafe(ref pb, (nuint)(q * 16 + 12)), r0, r1, r2, r3);
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        c0.StoreUnsafe(ref y, 0); c1.StoreUnsafe(ref y, 4); c2.StoreUnsafe(ref y, 8); c3.StoreUnsafe(ref y, 12);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> QuadDotUnsigned(Vector128<int> b, Vector128<int> r0, Vector128<int> r1, Vector128<int> r2, Vector128<int> r3)
    {
        var mask = Vector128.Create(0xFF);
        return (b & mask) * r0 + (Vector128.ShiftRightLogical(b, 8) & mask) * r1 + (Vector128.ShiftRightLogical(b, 16) & mask) * r2
            + Vector128.ShiftRightLogical(b, 24) * r3;
    }
}
