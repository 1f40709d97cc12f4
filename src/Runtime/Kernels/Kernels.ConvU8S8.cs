using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Runtime;

/// <summary>
/// ConvInteger / QLinearConv for constant int8 weights with zero point 0 on the uint8 × int8 quad product
/// (Kernels.GemmU8S8.cs): per image and group, the input planes padded with the zero point as uint8 (int8 x shifted by
/// +128; a 1×1 stride-1 unpadded convolution reads its input planes directly), then, one block of pixels at a time (sized
/// to stay in L2), their im2col matrix written into 16-pixel panels of 4-byte quads and every output channel run over the
/// block: weight rows (int8 quads, packed at build time with their row sums) broadcast against the panels,
/// acc[m, pixel] = Σ x′·w − zx′·Σw[m], exact in int32. The correction, the bias and the requantization (that of
/// <see cref="RequantizeInt32{TY}"/>, bit for bit) are applied as each tile is stored.
/// Paths: AvxVnni 8×16 tile (with AVX-512's 32 vector registers) or 6×16 (16 registers); Vector128 and scalar rows.
/// </summary>
public static partial class Kernels
{
    /// <summary>Bytes of im2col panels one block of pixels takes at most: a block stays in L2 while all output channels run over it.</summary>
    private const int ConvU8S8BlockBytes = 128 * 1024;

    /// <summary>Rows of the VNNI tile: 8 when the JIT has 32 vector registers (EVEX), 6 with 16.</summary>
    private static int ConvU8S8TileRows => Avx512F.VL.IsSupported ? 8 : 6;

    /// <summary>16-pixel panels a block holds.</summary>
    private static int ConvU8S8BlockPanels(int kQuads, int pixels) => Math.Clamp(ConvU8S8BlockBytes / (64 * kQuads), 1, Math.Max(1, (pixels + Int8PanelWidth - 1) / Int8PanelWidth));

    /// <summary>A 1×1 stride-1 unpadded convolution: its input planes are the im2col matrix, no padded copy needed.</summary>
    private static bool ConvU8S8Direct(in ConvGeometry g) =>
        g.KernelD == 1 && g.KernelH == 1 && g.KernelW == 1 && g.StrideD == 1 && g.StrideH == 1 && g.StrideW == 1
        && g.PadFront == 0 && g.PadTop == 0 && g.PadLeft == 0 && g.OutDepth == g.Depth && g.OutHeight == g.Height && g.OutWidth == g.Width;

    /// <summary>Shorts of scratch <see cref="ConvIntegerU8S8{TX}"/> / <see cref="QLinearConvU8S8{TX, TY}"/> need (the same for both).</summary>
    public static long ConvU8S8ScratchShorts(ConvGeometry g, bool requantize)
    {
        _ = requantize; // the requantization happens in the tile store: no int32 accumulator matrix either way
        int cg = g.Channels / g.Groups;
        int k = cg * g.KernelD * g.KernelH * g.KernelW, kQuads = (k + 3) / 4, pixels = g.OutDepth * g.OutHeight * g.OutWidth;
        var (pd, ph, pw) = PaddedExtent(g);
        long padded = ConvU8S8Direct(g) ? 0 : (long)cg * pd * ph * pw + Vector128<byte>.Count;
        return (4L * g.OutChannels + 4L * k + 64L * kQuads * ConvU8S8BlockPanels(kQuads, pixels) + padded + 1) / 2;
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

    /// <summary>Where a tile goes: int32 (ConvInteger) or requantized bytes, with the per-channel correction and multiplier.</summary>
    private readonly ref struct QuadConvOutput
    {
        public readonly Span<int> Int;
        public readonly Span<byte> Bytes;
        public readonly ReadOnlySpan<int> Correction;
        public readonly ReadOnlySpan<float> Multiplier;
        public readonly float Lo, Hi;
        public readonly int ZeroPoint;
        public readonly bool Signed;

        public QuadConvOutput(Span<int> yInt, Span<byte> yBytes, ReadOnlySpan<int> correction, ReadOnlySpan<float> multiplier, int zeroPoint, bool signed)
        {
            Int = yInt; Bytes = yBytes; Correction = correction; Multiplier = multiplier; ZeroPoint = zeroPoint; Signed = signed;
            Lo = (signed ? -128 : 0) - zeroPoint;
            Hi = (signed ? 127 : 255) - zeroPoint;
        }
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
        if (requantize && multiplier.Length != 1 && multiplier.Length != g.OutChannels)
            throw new ArgumentException($"Expected 1 or {g.OutChannels} multipliers.", nameof(multiplier));
        if (yZeroPoint.Length > 1) throw new ArgumentException("Expected a scalar y zero point.", nameof(yZeroPoint));
        if (scratch.Length < ConvU8S8ScratchShorts(g, requantize))
            throw new ArgumentException($"Expected at least {ConvU8S8ScratchShorts(g, requantize)} shorts of scratch.", nameof(scratch));
        bool direct = ConvU8S8Direct(g);
        int blockPanels = ConvU8S8BlockPanels(kQuads, pixels), blockPixels = blockPanels * Int8PanelWidth;
        var correction = MemoryMarshal.Cast<short, int>(scratch.Slice(0, 2 * g.OutChannels));
        var taps = MemoryMarshal.Cast<short, int>(scratch.Slice(2 * g.OutChannels, 2 * k));
        var bytes = MemoryMarshal.AsBytes(scratch.Slice(2 * g.OutChannels + 2 * k));
        var packed = bytes.Slice(0, 64 * kQuads * blockPanels);
        var (pd, ph, pw) = PaddedExtent(g);
        var padded = direct ? default : bytes.Slice(packed.Length, cg * pd * ph * pw + Vector128<byte>.Count);
        bool flip = typeof(TX) == typeof(sbyte);
        int xz = Int8ZeroPointAt(xZeroPoint, 0) + (flip ? 128 : 0);
        for (int m = 0; m < g.OutChannels; m++) correction[m] = (bias.IsEmpty ? 0 : bias[m]) - xz * rowSums[m];
        for (int c = 0, p = 0; c < cg; c++)
            for (int kd = 0; kd < g.KernelD; kd++)
                for (int kh = 0; kh < g.KernelH; kh++)
                    for (int kw = 0; kw < g.KernelW; kw++, p++)
                        taps[p] = direct ? c * inPixels : ((c * pd + kd * g.DilationD) * ph + kh * g.DilationH) * pw + kw * g.DilationW;
        var output = new QuadConvOutput(yInt, MemoryMarshal.AsBytes(yQ), correction, multiplier,
            requantize && !yZeroPoint.IsEmpty ? Int8Value(yZeroPoint[0]) : 0, typeof(TY) == typeof(sbyte));
        var wBytes = MemoryMarshal.AsBytes(quadW);
        var xBytes = MemoryMarshal.AsBytes(x);
        Span<int> tile = stackalloc int[8 * Int8PanelWidth];
        for (int n = 0; n < batch; n++)
            for (int gi = 0; gi < groups; gi++)
            {
                ReadOnlySpan<byte> source;
                if (direct) source = xBytes.Slice((n * g.Channels + gi * cg) * inPixels, cg * inPixels);
                else
                {
                    PadChannelsU8(x.Slice(n * g.Channels * inPixels), (byte)xz, flip, g, gi * cg, padded);
                    source = padded;
                }
                var wg = wBytes.Slice(gi * mg * 4 * kQuads, mg * 4 * kQuads);
                int first = (n * g.OutChannels + gi * mg) * pixels;
                for (int j0 = 0; j0 < pixels; j0 += blockPixels)
                {
                    int count = Math.Min(blockPixels, pixels - j0);
                    Im2ColQuadsBlock(source, g, taps, k, j0, count, direct, (byte)(direct && flip ? 0x80 : 0), packed);
                    ConvQuadBlock(wg, kQuads, packed, count, mg, output, gi * mg, first + j0, pixels, tile);
                }
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
    /// Pixels [j0, j0 + count) of one group's im2col matrix into 16-pixel panels of 4-byte quads (pixel t of quad q at byte
    /// 64·q + 4·t), from the padded planes or, <paramref name="direct"/>, the input planes (each byte xor
    /// <paramref name="flip"/>). A full panel whose pixels are at most four runs of adjacent pixels (output rows, stride 1)
    /// is built from 16-byte loads, blended per run, four taps interleaved with Sse2 unpacks; other panels byte by byte.
    /// The padded planes carry 16 bytes of slack, so a run's load may reach past its row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Im2ColQuadsBlock(ReadOnlySpan<byte> src, in ConvGeometry g, ReadOnlySpan<int> taps, int k, int j0, int count, bool direct, byte flip,
        Span<byte> packed)
    {
        int kQuads = (k + 3) / 4, panelBytes = 64 * kQuads, panels = (count + Int8PanelWidth - 1) / Int8PanelWidth;
        if ((k & 3) != 0 || count % Int8PanelWidth != 0) packed.Slice(0, panels * panelBytes).Clear();
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref int tap = ref MemoryMarshal.GetReference(taps);
        Span<int> pixel = stackalloc int[Int8PanelWidth];
        Span<int> runBase = stackalloc int[4];
        Span<int> runStart = stackalloc int[5];
        var (_, ph, pw) = PaddedExtent(g);
        var xor = Vector128.Create(flip);
        var lane = Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        for (int pi = 0; pi < panels; pi++)
        {
            int jp = j0 + pi * Int8PanelWidth, cols = Math.Min(Int8PanelWidth, j0 + count - jp);
            for (int t = 0; t < cols; t++)
            {
                int j = jp + t;
                if (direct) { pixel[t] = j; continue; }
                int ow = j % g.OutWidth, rest = j / g.OutWidth, oh = rest % g.OutHeight, od = rest / g.OutHeight;
                pixel[t] = (od * g.StrideD * ph + oh * g.StrideH) * pw + ow * g.StrideW;
            }
            var panel = packed.Slice(pi * panelBytes, panelBytes);
            ref byte dst = ref MemoryMarshal.GetReference(panel);
            int runs = 0;
            if (Sse2.IsSupported && cols == Int8PanelWidth)
            {
                runs = 1;
                runStart[0] = 0;
                runBase[0] = pixel[0];
                for (int t = 1; t < Int8PanelWidth && runs <= 4; t++)
                    if (pixel[t] != pixel[t - 1] + 1)
                    {
                        if (runs < 4) { runStart[runs] = t; runBase[runs] = pixel[t] - t; }
                        runs++;
                    }
                if (runs > 4) runs = 0;
            }
            int q = 0;
            if (runs == 1 && flip == 0)
            {
                int b = runBase[0];
                for (; 4 * q + 4 <= k; q++)
                {
                    var r0 = Vector128.LoadUnsafe(ref s, (nuint)(b + Unsafe.Add(ref tap, 4 * q)));
                    var r1 = Vector128.LoadUnsafe(ref s, (nuint)(b + Unsafe.Add(ref tap, 4 * q + 1)));
                    var r2 = Vector128.LoadUnsafe(ref s, (nuint)(b + Unsafe.Add(ref tap, 4 * q + 2)));
                    var r3 = Vector128.LoadUnsafe(ref s, (nuint)(b + Unsafe.Add(ref tap, 4 * q + 3)));
                    InterleaveQuads(r0, r1, r2, r3, ref dst, q);
                }
            }
            else if (runs == 1)
            {
                int b = runBase[0];
                for (; 4 * q + 4 <= k; q++)
                {
                    var r0 = Vector128.LoadUnsafe(ref s, (nuint)(b + Unsafe.Add(ref tap, 4 * q))) ^ xor;
                    var r1 = Vector128.LoadUnsafe(ref s, (nuint)(b + Unsafe.Add(ref tap, 4 * q + 1))) ^ xor;
                    var r2 = Vector128.LoadUnsafe(ref s, (nuint)(b + Unsafe.Add(ref tap, 4 * q + 2))) ^ xor;
                    var r3 = Vector128.LoadUnsafe(ref s, (nuint)(b + Unsafe.Add(ref tap, 4 * q + 3))) ^ xor;
                    InterleaveQuads(r0, r1, r2, r3, ref dst, q);
                }
            }
            else if (runs == 2)
            {
                // One row boundary in the panel (wide rows): two loads a tap, one blend.
                var m1 = Vector128.GreaterThanOrEqual(lane, Vector128.Create((byte)runStart[1]));
                int b0 = runBase[0], b1 = runBase[1];
                for (; 4 * q + 4 <= k; q++)
                {
                    int t0 = Unsafe.Add(ref tap, 4 * q), t1 = Unsafe.Add(ref tap, 4 * q + 1), t2 = Unsafe.Add(ref tap, 4 * q + 2), t3 = Unsafe.Add(ref tap, 4 * q + 3);
                    var r0 = Vector128.ConditionalSelect(m1, Vector128.LoadUnsafe(ref s, (nuint)(b1 + t0)), Vector128.LoadUnsafe(ref s, (nuint)(b0 + t0))) ^ xor;
                    var r1 = Vector128.ConditionalSelect(m1, Vector128.LoadUnsafe(ref s, (nuint)(b1 + t1)), Vector128.LoadUnsafe(ref s, (nuint)(b0 + t1))) ^ xor;
                    var r2 = Vector128.ConditionalSelect(m1, Vector128.LoadUnsafe(ref s, (nuint)(b1 + t2)), Vector128.LoadUnsafe(ref s, (nuint)(b0 + t2))) ^ xor;
                    var r3 = Vector128.ConditionalSelect(m1, Vector128.LoadUnsafe(ref s, (nuint)(b1 + t3)), Vector128.LoadUnsafe(ref s, (nuint)(b0 + t3))) ^ xor;
                    InterleaveQuads(r0, r1, r2, r3, ref dst, q);
                }
            }
            else if (runs > 2)
            {
                runStart[runs] = Int8PanelWidth;
                // Lanes of run r (r ≥ 1) replace those of the runs before it.
                var m1 = Vector128.GreaterThanOrEqual(lane, Vector128.Create((byte)runStart[1]));
                var m2 = runs > 2 ? Vector128.GreaterThanOrEqual(lane, Vector128.Create((byte)runStart[2])) : Vector128<byte>.Zero;
                var m3 = runs > 3 ? Vector128.GreaterThanOrEqual(lane, Vector128.Create((byte)runStart[3])) : Vector128<byte>.Zero;
                int b0 = runBase[0], b1 = runBase[1], b2 = runs > 2 ? runBase[2] : b1, b3 = runs > 3 ? runBase[3] : b1;
                for (; 4 * q + 4 <= k; q++)
                {
                    int t0 = Unsafe.Add(ref tap, 4 * q), t1 = Unsafe.Add(ref tap, 4 * q + 1), t2 = Unsafe.Add(ref tap, 4 * q + 2), t3 = Unsafe.Add(ref tap, 4 * q + 3);
                    var r0 = Gather(ref s, t0, b0, b1, b2, b3, m1, m2, m3) ^ xor;
                    var r1 = Gather(ref s, t1, b0, b1, b2, b3, m1, m2, m3) ^ xor;
                    var r2 = Gather(ref s, t2, b0, b1, b2, b3, m1, m2, m3) ^ xor;
                    var r3 = Gather(ref s, t3, b0, b1, b2, b3, m1, m2, m3) ^ xor;
                    InterleaveQuads(r0, r1, r2, r3, ref dst, q);
                }
            }
            for (int p = 4 * q; p < k; p++)
            {
                int tp = Unsafe.Add(ref tap, p), at = (p >> 2) * 64 + (p & 3);
                for (int t = 0; t < cols; t++) panel[at + 4 * t] = (byte)(Unsafe.Add(ref s, pixel[t] + tp) ^ flip);
            }
        }
    }

    /// <summary>16 bytes of one tap from up to four runs: run r's lanes loaded from its own base.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Gather(ref byte s, int tap, int b0, int b1, int b2, int b3, Vector128<byte> m1, Vector128<byte> m2, Vector128<byte> m3)
    {
        var v = Vector128.ConditionalSelect(m1, Vector128.LoadUnsafe(ref s, (nuint)(b1 + tap)), Vector128.LoadUnsafe(ref s, (nuint)(b0 + tap)));
        v = Vector128.ConditionalSelect(m2, Vector128.LoadUnsafe(ref s, (nuint)(b2 + tap)), v);
        return Vector128.ConditionalSelect(m3, Vector128.LoadUnsafe(ref s, (nuint)(b3 + tap)), v);
    }

    /// <summary>Four taps of 16 pixels into quad q of a panel: pixel t's four bytes at 64·q + 4·t.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InterleaveQuads(Vector128<byte> r0, Vector128<byte> r1, Vector128<byte> r2, Vector128<byte> r3, ref byte dst, int q)
    {
        var abLo = Sse2.UnpackLow(r0, r1).AsInt16(); var abHi = Sse2.UnpackHigh(r0, r1).AsInt16();
        var cdLo = Sse2.UnpackLow(r2, r3).AsInt16(); var cdHi = Sse2.UnpackHigh(r2, r3).AsInt16();
        Sse2.UnpackLow(abLo, cdLo).AsByte().StoreUnsafe(ref dst, (nuint)(q * 64));
        Sse2.UnpackHigh(abLo, cdLo).AsByte().StoreUnsafe(ref dst, (nuint)(q * 64 + 16));
        Sse2.UnpackLow(abHi, cdHi).AsByte().StoreUnsafe(ref dst, (nuint)(q * 64 + 32));
        Sse2.UnpackHigh(abHi, cdHi).AsByte().StoreUnsafe(ref dst, (nuint)(q * 64 + 48));
    }

    /// <summary>
    /// All <paramref name="mg"/> output channels over one block of <paramref name="count"/> pixels (panels from
    /// <see cref="Im2ColQuadsBlock"/>): a tile of weight rows against each panel in turn (the rows stay in L1, the block in
    /// L2), stored through <see cref="StoreQuadTile"/> at element <paramref name="offset"/> (channel 0, first pixel).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvQuadBlock(ReadOnlySpan<byte> rows, int kQuads, ReadOnlySpan<byte> panels, int count, int mg, in QuadConvOutput output, int channel,
        int offset, int pixels, Span<int> tile)
    {
        int stride = 4 * kQuads, panelBytes = 64 * kQuads;
        int tileRows = AvxVnni.IsSupported ? ConvU8S8TileRows : 1;
        for (int m0 = 0; m0 < mg; m0 += tileRows)
        {
            int rowCount = Math.Min(tileRows, mg - m0);
            var a = rows.Slice(m0 * stride, rowCount * stride);
            for (int j = 0; j < count; j += Int8PanelWidth)
            {
                var panel = panels.Slice(j / Int8PanelWidth * panelBytes, panelBytes);
                if (AvxVnni.IsSupported)
                {
                    if (tileRows == 8) ConvTile8x16Vnni(a, stride, rowCount, panel, kQuads, tile);
                    else ConvTile6x16Vnni(a, stride, rowCount, panel, kQuads, tile);
                }
                else if (Vector128.IsHardwareAccelerated) ConvRowVector128(a, panel, kQuads, tile);
                else ConvRowScalar(a, panel, kQuads, tile);
                StoreQuadTile(tile, rowCount, Math.Min(Int8PanelWidth, count - j), output, channel + m0, offset + m0 * pixels + j, pixels);
            }
        }
    }

    /// <summary>
    /// rows × cols of a 16-wide int32 tile + the channel's correction into Y: as int32, or requantized as
    /// <see cref="RequantizeInt32{TY}"/> does (float product, clamp, round half to even, + zero point: the same bits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreQuadTile(ReadOnlySpan<int> tile, int rows, int cols, in QuadConvOutput o, int channel, int offset, int ldy)
    {
        if (o.Correction.Length < channel + rows || (o.Bytes.IsEmpty ? o.Int.Length : o.Bytes.Length) < offset + (rows - 1) * ldy + cols)
            throw new ArgumentException("Tile outside Y.", nameof(offset));
        ref int t = ref MemoryMarshal.GetReference(tile);
        ref int correction = ref Unsafe.Add(ref MemoryMarshal.GetReference(o.Correction), channel);
        if (o.Bytes.IsEmpty)
        {
            ref int y = ref Unsafe.Add(ref MemoryMarshal.GetReference(o.Int), offset);
            for (int r = 0; r < rows; r++, y = ref Unsafe.Add(ref y, ldy))
            {
                int add = Unsafe.Add(ref correction, r);
                ref int row = ref Unsafe.Add(ref t, r * Int8PanelWidth);
                if (Vector256.IsHardwareAccelerated && cols == Int8PanelWidth)
                {
                    var v = Vector256.Create(add);
                    (Vector256.LoadUnsafe(ref row) + v).StoreUnsafe(ref y);
                    (Vector256.LoadUnsafe(ref row, 8) + v).StoreUnsafe(ref y, 8);
                    continue;
                }
                for (int j = 0; j < cols; j++) Unsafe.Add(ref y, j) = Unsafe.Add(ref row, j) + add;
            }
            return;
        }
        bool perChannel = o.Multiplier.Length != 1;
        if (perChannel && o.Multiplier.Length < channel + rows) throw new ArgumentException("Tile outside the multipliers.", nameof(channel));
        ref float multiplier = ref Unsafe.Add(ref MemoryMarshal.GetReference(o.Multiplier), perChannel ? channel : 0);
        ref byte dst = ref Unsafe.Add(ref MemoryMarshal.GetReference(o.Bytes), offset);
        if (Avx2.IsSupported && cols == Int8PanelWidth)
        {
            var lo = Vector256.Create(o.Lo); var hi = Vector256.Create(o.Hi); var zp = Vector256.Create(o.ZeroPoint);
            var order = Vector256.Create(0, 4, 1, 5, 0, 4, 1, 5);
            for (int r = 0; r < rows; r++, dst = ref Unsafe.Add(ref dst, ldy))
            {
                ref int row = ref Unsafe.Add(ref t, r * Int8PanelWidth);
                var vs = Vector256.Create(perChannel ? Unsafe.Add(ref multiplier, r) : multiplier);
                var vb = Vector256.Create(Unsafe.Add(ref correction, r));
                // vcvtps2dq rounds half to even (the default MXCSR mode): Round + truncating conversion in one step.
                var q0 = Avx.ConvertToVector256Int32(Vector256.Min(Vector256.Max(Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref row) + vb) * vs, lo), hi)) + zp;
                var q1 = Avx.ConvertToVector256Int32(Vector256.Min(Vector256.Max(Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref row, 8) + vb) * vs, lo), hi)) + zp;
                // In range after the clamp: the saturating packs keep the values; vpermd restores the order the in-lane packs mixed.
                var words = Avx2.PackSignedSaturate(q0, q1);
                var packed = o.Signed ? Avx2.PackSignedSaturate(words, words).AsByte() : Avx2.PackUnsignedSaturate(words, words);
                Avx2.PermuteVar8x32(packed.AsInt32(), order).GetLower().AsByte().StoreUnsafe(ref dst);
            }
            return;
        }
        for (int r = 0; r < rows; r++, dst = ref Unsafe.Add(ref dst, ldy))
        {
            ref int row = ref Unsafe.Add(ref t, r * Int8PanelWidth);
            float scale = perChannel ? Unsafe.Add(ref multiplier, r) : multiplier;
            int add = Unsafe.Add(ref correction, r);
            for (int j = 0; j < cols; j++)
            {
                float v = (float)(Unsafe.Add(ref row, j) + add) * scale;
                v = MathF.Min(MathF.Max(v, o.Lo), o.Hi);
                Unsafe.Add(ref dst, j) = (byte)((int)MathF.Round(v, MidpointRounding.ToEven) + o.ZeroPoint);
            }
        }
    }

    /// <summary>
    /// Up to 8 weight rows × 16 pixels, 16 accumulators (AVX-512's 32 registers, EVEX vpdpbusd): the panel is vpdpbusd's
    /// uint8 side, the broadcast weight quad its int8 side. Rows past <paramref name="rows"/> repeat the last one (discarded).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvTile8x16Vnni(ReadOnlySpan<byte> w, int stride, int rows, ReadOnlySpan<byte> panel, int kQuads, Span<int> c)
    {
        ref byte a0 = ref MemoryMarshal.GetReference(w);
        ref byte a1 = ref Unsafe.Add(ref a0, Math.Min(1, rows - 1) * stride);
        ref byte a2 = ref Unsafe.Add(ref a0, Math.Min(2, rows - 1) * stride);
        ref byte a3 = ref Unsafe.Add(ref a0, Math.Min(3, rows - 1) * stride);
        ref byte a4 = ref Unsafe.Add(ref a0, Math.Min(4, rows - 1) * stride);
        ref byte a5 = ref Unsafe.Add(ref a0, Math.Min(5, rows - 1) * stride);
        ref byte a6 = ref Unsafe.Add(ref a0, Math.Min(6, rows - 1) * stride);
        ref byte a7 = ref Unsafe.Add(ref a0, Math.Min(7, rows - 1) * stride);
        ref byte pb = ref MemoryMarshal.GetReference(panel);
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<int> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
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
            v = QuadBroadcast(ref a4, q);
            c40 = AvxVnni.MultiplyWideningAndAdd(c40, b0, v); c41 = AvxVnni.MultiplyWideningAndAdd(c41, b1, v);
            v = QuadBroadcast(ref a5, q);
            c50 = AvxVnni.MultiplyWideningAndAdd(c50, b0, v); c51 = AvxVnni.MultiplyWideningAndAdd(c51, b1, v);
            v = QuadBroadcast(ref a6, q);
            c60 = AvxVnni.MultiplyWideningAndAdd(c60, b0, v); c61 = AvxVnni.MultiplyWideningAndAdd(c61, b1, v);
            v = QuadBroadcast(ref a7, q);
            c70 = AvxVnni.MultiplyWideningAndAdd(c70, b0, v); c71 = AvxVnni.MultiplyWideningAndAdd(c71, b1, v);
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        c00.StoreUnsafe(ref y, 0); c01.StoreUnsafe(ref y, 8); c10.StoreUnsafe(ref y, 16); c11.StoreUnsafe(ref y, 24);
        c20.StoreUnsafe(ref y, 32); c21.StoreUnsafe(ref y, 40); c30.StoreUnsafe(ref y, 48); c31.StoreUnsafe(ref y, 56);
        c40.StoreUnsafe(ref y, 64); c41.StoreUnsafe(ref y, 72); c50.StoreUnsafe(ref y, 80); c51.StoreUnsafe(ref y, 88);
        c60.StoreUnsafe(ref y, 96); c61.StoreUnsafe(ref y, 104); c70.StoreUnsafe(ref y, 112); c71.StoreUnsafe(ref y, 120);
    }

    /// <summary>Up to 6 weight rows × 16 pixels: 12 accumulators, two panel loads and one broadcast fit 16 registers (no AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvTile6x16Vnni(ReadOnlySpan<byte> w, int stride, int rows, ReadOnlySpan<byte> panel, int kQuads, Span<int> c)
    {
        ref byte a0 = ref MemoryMarshal.GetReference(w);
        ref byte a1 = ref Unsafe.Add(ref a0, Math.Min(1, rows - 1) * stride);
        ref byte a2 = ref Unsafe.Add(ref a0, Math.Min(2, rows - 1) * stride);
        ref byte a3 = ref Unsafe.Add(ref a0, Math.Min(3, rows - 1) * stride);
        ref byte a4 = ref Unsafe.Add(ref a0, Math.Min(4, rows - 1) * stride);
        ref byte a5 = ref Unsafe.Add(ref a0, Math.Min(5, rows - 1) * stride);
        ref byte pb = ref MemoryMarshal.GetReference(panel);
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
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
            v = QuadBroadcast(ref a4, q);
            c40 = AvxVnni.MultiplyWideningAndAdd(c40, b0, v); c41 = AvxVnni.MultiplyWideningAndAdd(c41, b1, v);
            v = QuadBroadcast(ref a5, q);
            c50 = AvxVnni.MultiplyWideningAndAdd(c50, b0, v); c51 = AvxVnni.MultiplyWideningAndAdd(c51, b1, v);
        }
        ref int y = ref MemoryMarshal.GetReference(c);
        c00.StoreUnsafe(ref y, 0); c01.StoreUnsafe(ref y, 8); c10.StoreUnsafe(ref y, 16); c11.StoreUnsafe(ref y, 24);
        c20.StoreUnsafe(ref y, 32); c21.StoreUnsafe(ref y, 40); c30.StoreUnsafe(ref y, 48); c31.StoreUnsafe(ref y, 56);
        c40.StoreUnsafe(ref y, 64); c41.StoreUnsafe(ref y, 72); c50.StoreUnsafe(ref y, 80); c51.StoreUnsafe(ref y, 88);
    }

    /// <summary>One weight row × 16 pixels, scalar (no SIMD at all).</summary>
    private static void ConvRowScalar(ReadOnlySpan<byte> row, ReadOnlySpan<byte> panel, int kQuads, Span<int> c)
    {
        c.Slice(0, Int8PanelWidth).Clear();
        for (int q = 0; q < kQuads; q++)
            for (int t = 0; t < Int8PanelWidth; t++)
            {
                int sum = 0;
                for (int e = 0; e < 4; e++) sum += (sbyte)row[4 * q + e] * panel[q * 64 + 4 * t + e];
                c[t] += sum;
            }
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
