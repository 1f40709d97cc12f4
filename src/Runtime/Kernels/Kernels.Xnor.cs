using System;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Runtime;

/// <summary>
/// Binarized convolutions (XNOR-Net): a convolution of Sign(x) with weights that are ±α_m per output channel, computed on
/// bits. ONNX's Sign has three values (Sign(0) = 0), so every activation is two bits: <c>neg</c> (x &lt; 0) and
/// <c>nz</c> (x ≠ 0); a weight is one bit <c>b</c> (w &lt; 0). A product sign(x)·sign(w) is −1 exactly where
/// <c>neg ^ (nz &amp; b)</c> is set and 0 where <c>nz</c> is clear, so over a window
/// Σ sign(x)·sign(w) = popcount(nz) − 2·popcount(neg ^ (nz &amp; b)) and y = α_m·that + bias. Zero padding and the
/// channels past C are simply nz = 0, so the result is exact. The input is packed once per image (channels-last words
/// per pixel) and gathered into a bit im2col (one row of <see cref="XnorRowWords"/> words per output pixel and plane),
/// then each output channel × pixel is an XNOR/popcount inner product over those rows, register-tiled over several
/// channels and pixels so each loaded word is reused. Popcount: Avx512BW / Avx2 count bytes through a 16-entry nibble
/// table (Shuffle) and sum them with SumAbsoluteDifferences; AdvSimd counts bytes with Cnt; otherwise
/// BitOperations.PopCount on 64-bit words (the POPCNT instruction where present). .NET 10 exposes no VPOPCNTDQ.
/// </summary>
public static partial class Kernels
{
    /// <summary>Words (64 channels each) per pixel of the packed image.</summary>
    public static int XnorChannelWords(int channels) => (channels + 63) / 64;

    /// <summary>
    /// Words per plane of one bit im2col row: kernelH·kernelW·⌈C/64⌉, rounded up to 4 words (256 bits): the 512-bit
    /// path ends a row with one 256-bit step when it is not a multiple of 8 words.
    /// </summary>
    public static int XnorRowWords(int channels, int kernelH, int kernelW) => (kernelH * kernelW * XnorChannelWords(channels) + 3) / 4 * 4;

    /// <summary>Scratch (64-bit words) ConvXnor needs: the packed image plus the bit im2col, two planes each, and a count per pixel.</summary>
    public static long XnorScratchWords(int channels, int height, int width, int kernelH, int kernelW, int outHeight, int outWidth) =>
        2L * height * width * XnorChannelWords(channels) + (long)outHeight * outWidth * (2L * XnorRowWords(channels, kernelH, kernelW) + 1);

    /// <summary>
    /// y = act(α_m·Σ sign(x)·sign(w) + bias[m] (+ residual)) for a 2-D (or 1-D, height 1) ungrouped convolution of an
    /// NCHW float input. <paramref name="signs"/> holds the weights' sign bits as [M, <see cref="XnorRowWords"/>] words:
    /// word tap·⌈C/64⌉ + c/64 (tap = kh·kernelW + kw) has bit c % 64 set where w[m, c, kh, kw] &lt; 0; the padding
    /// words and bits are zero. <paramref name="alpha"/> is each output channel's |w|.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ConvXnor(ReadOnlySpan<float> x, ReadOnlySpan<long> signs, ReadOnlySpan<float> alpha, ReadOnlySpan<float> bias, Span<float> y,
        int batch, ConvGeometry g, FusedActivation activation, Span<long> scratch, ReadOnlySpan<float> residual = default)
    {
        if (g.Groups != 1 || g.Depth != 1 || g.OutDepth != 1 || g.KernelD != 1 || batch < 0)
            throw new ArgumentException("ConvXnor: expected an ungrouped 1-D or 2-D convolution (groups 1, depth 1).");
        int c = g.Channels, m = g.OutChannels, h = g.Height, w = g.Width, oh = g.OutHeight, ow = g.OutWidth;
        int kh = g.KernelH, kw = g.KernelW, cw = XnorChannelWords(c), kWords = XnorRowWords(c, kh, kw);
        int inPixels = h * w, pixels = oh * ow;
        if (x.Length < (long)batch * c * inPixels || y.Length < (long)batch * m * pixels)
            throw new ArgumentException($"ConvXnor: expected x of {batch * c * inPixels} and y of {batch * m * pixels} floats.");
        if (signs.Length < (long)m * kWords || alpha.Length < m || (!bias.IsEmpty && bias.Length < m))
            throw new ArgumentException($"ConvXnor: expected {m}×{kWords} sign words, {m} scales and {m} biases.");
        if (!residual.IsEmpty && residual.Length < (long)batch * m * pixels)
            throw new ArgumentException($"ConvXnor: expected a residual of {batch * m * pixels} floats.");
        long need = XnorScratchWords(c, h, w, kh, kw, oh, ow);
        if (scratch.Length < need)
            throw new ArgumentException($"ConvXnor: expected {need} words of scratch, got {scratch.Length}.");
        var s = MemoryMarshal.Cast<long, ulong>(scratch);
        var image = s.Slice(0, 2 * inPixels * cw);
        var rows = s.Slice(2 * inPixels * cw, 2 * pixels * kWords);
        var counts = s.Slice(2 * inPixels * cw + 2 * pixels * kWords, pixels);
        var wbits = MemoryMarshal.Cast<long, ulong>(signs);
        for (int n = 0; n < batch; n++)
        {
            PackSignPlanes(x.Slice(n * c * inPixels, c * inPixels), c, inPixels, cw, image);
            XnorIm2Col(image, g, cw, kWords, rows, counts);
            var yn = y.Slice(n * m * pixels, m * pixels);
            XnorProducts(rows, counts, wbits, m, pixels, kWords, yn);
            ref float yr = ref MemoryMarshal.GetReference(yn);
            for (int o = 0; o < m; o++)
            {
                float a = alpha[o], b0 = bias.IsEmpty ? 0f : bias[o];
                ref float row = ref Unsafe.Add(ref yr, o * pixels);
                if (residual.IsEmpty)
                    for (int p = 0; p < pixels; p++) Unsafe.Add(ref row, p) = a * Unsafe.Add(ref row, p) + b0;
                else
                {
                    var rr = residual.Slice(n * m * pixels + o * pixels, pixels);
                    for (int p = 0; p < pixels; p++) Unsafe.Add(ref row, p) = a * Unsafe.Add(ref row, p) + b0 + rr[p];
                }
            }
            if (activation.Kind != ActivationKind.None) activation.Apply(ref yr, m * pixels);
        }
    }

    /// <summary>
    /// Packs one NCHW image into two planes of channels-last words: image[(pixel·2 + plane)·cw + c/64] bit c % 64, plane 0
    /// x &lt; 0, plane 1 x ≠ 0 (NaN counts as 0). Vectorized over 8 pixels: each channel's 8 values become one bit of 8
    /// words held in registers, so a word is written once.
    /// </summary>
    private static void PackSignPlanes(ReadOnlySpan<float> x, int c, int pixels, int cw, Span<ulong> image)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref ulong ir = ref MemoryMarshal.GetReference(image);
        for (int word = 0; word < cw; word++)
        {
            int c0 = word * 64, c1 = Math.Min(c, c0 + 64);
            int p = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; p <= pixels - 8; p += 8)
                {
                    var n0 = Vector256<long>.Zero; var n1 = n0; var z0 = n0; var z1 = n0;
                    for (int ch = c0; ch < c1; ch++)
                    {
                        var v = Vector256.LoadUnsafe(ref Unsafe.Add(ref xr, ch * pixels + p));
                        var neg = Vector256.LessThan(v, Vector256<float>.Zero).AsInt32();
                        var nz = neg | Vector256.GreaterThan(v, Vector256<float>.Zero).AsInt32();
                        var bit = Vector256.Create(1L << (ch - c0));
                        n0 |= Vector256.WidenLower(neg) & bit; n1 |= Vector256.WidenUpper(neg) & bit;
                        z0 |= Vector256.WidenLower(nz) & bit; z1 |= Vector256.WidenUpper(nz) & bit;
                    }
                    for (int j = 0; j < 4; j++)
                    {
                        ref ulong a = ref Unsafe.Add(ref ir, (p + j) * 2 * cw + word);
                        a = (ulong)n0.GetElement(j);
                        Unsafe.Add(ref a, cw) = (ulong)z0.GetElement(j);
                        ref ulong b = ref Unsafe.Add(ref ir, (p + 4 + j) * 2 * cw + word);
                        b = (ulong)n1.GetElement(j);
                        Unsafe.Add(ref b, cw) = (ulong)z1.GetElement(j);
                    }
                }
            }
            for (; p < pixels; p++)
            {
                ulong neg = 0, nz = 0;
                for (int ch = c0; ch < c1; ch++)
                {
                    float v = Unsafe.Add(ref xr, ch * pixels + p);
                    neg |= (ulong)(v < 0f ? 1 : 0) << (ch - c0);
                    nz |= (ulong)(v < 0f || v > 0f ? 1 : 0) << (ch - c0);
                }
                ref ulong a = ref Unsafe.Add(ref ir, p * 2 * cw + word);
                a = neg;
                Unsafe.Add(ref a, cw) = nz;
            }
        }
    }

    /// <summary>
    /// Gathers the bit im2col: rows[(pixel·2 + plane)·kWords + tap·cw + word], taps outside the image (padding) and the
    /// words past the taps zero; counts[pixel] = the number of non-zero activations in the window.
    /// </summary>
    private static void XnorIm2Col(ReadOnlySpan<ulong> image, ConvGeometry g, int cw, int kWords, Span<ulong> rows, Span<ulong> counts)
    {
        int oh = g.OutHeight, ow = g.OutWidth, taps = g.KernelH * g.KernelW;
        ref ulong ir = ref MemoryMarshal.GetReference(image);
        ref ulong rr = ref MemoryMarshal.GetReference(rows);
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                int p = i * ow + j;
                ref ulong neg = ref Unsafe.Add(ref rr, p * 2 * kWords);
                ref ulong nz = ref Unsafe.Add(ref neg, kWords);
                ulong count = 0;
                for (int a = 0; a < g.KernelH; a++)
                {
                    int r = i * g.StrideH - g.PadTop + a * g.DilationH;
                    for (int b = 0; b < g.KernelW; b++)
                    {
                        int col = j * g.StrideW - g.PadLeft + b * g.DilationW;
                        int tap = (a * g.KernelW + b) * cw;
                        if ((uint)r >= (uint)g.Height || (uint)col >= (uint)g.Width)
                        {
                            for (int q = 0; q < cw; q++) { Unsafe.Add(ref neg, tap + q) = 0; Unsafe.Add(ref nz, tap + q) = 0; }
                            continue;
                        }
                        ref ulong src = ref Unsafe.Add(ref ir, (r * g.Width + col) * 2 * cw);
                        for (int q = 0; q < cw; q++)
                        {
                            Unsafe.Add(ref neg, tap + q) = Unsafe.Add(ref src, q);
                            ulong z = Unsafe.Add(ref src, cw + q);
                            Unsafe.Add(ref nz, tap + q) = z;
                            count += (ulong)BitOperations.PopCount(z);
                        }
                    }
                }
                for (int q = taps * cw; q < kWords; q++) { Unsafe.Add(ref neg, q) = 0; Unsafe.Add(ref nz, q) = 0; }
                counts[p] = count;
            }
    }

    /// <summary>y[o, p] = counts[p] − 2·Σ popcount(neg ^ (nz &amp; b)) over the row: Σ sign(x)·sign(w) as a float.</summary>
    private static void XnorProducts(ReadOnlySpan<ulong> rows, ReadOnlySpan<ulong> counts, ReadOnlySpan<ulong> w, int m, int pixels, int kWords, Span<float> y)
    {
        ref ulong rr = ref MemoryMarshal.GetReference(rows);
        ref ulong wr = ref MemoryMarshal.GetReference(w);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int o = 0;
        int tileM = Avx512BW.IsSupported ? 4 : 2;
        for (; o <= m - tileM; o += tileM)
        {
            int p = 0;
            for (; p <= pixels - 2; p += 2)
            {
                ref ulong x0 = ref Unsafe.Add(ref rr, p * 2 * kWords);
                ref ulong x1 = ref Unsafe.Add(ref x0, 2 * kWords);
                ref ulong w0 = ref Unsafe.Add(ref wr, o * kWords);
                if (Avx512BW.IsSupported)
                {
                    var (d00, d01, d10, d11, d20, d21, d30, d31) = Avx512Vbmi.IsSupported
                        ? Diff4x2Avx512<VbmiCounter>(ref x0, ref x1, ref w0, kWords) : Diff4x2Avx512<NibbleCounter>(ref x0, ref x1, ref w0, kWords);
                    Store(ref yr, counts, o, p, pixels, d00, d01);
                    Store(ref yr, counts, o + 1, p, pixels, d10, d11);
                    Store(ref yr, counts, o + 2, p, pixels, d20, d21);
                    Store(ref yr, counts, o + 3, p, pixels, d30, d31);
                }
                else
                {
                    var (d00, d01, d10, d11) = Avx2.IsSupported ? Diff2x2Avx2(ref x0, ref x1, ref w0, kWords)
                        : AdvSimd.IsSupported ? Diff2x2AdvSimd(ref x0, ref x1, ref w0, kWords) : Diff2x2Scalar(ref x0, ref x1, ref w0, kWords);
                    Store(ref yr, counts, o, p, pixels, d00, d01);
                    Store(ref yr, counts, o + 1, p, pixels, d10, d11);
                }
            }
            for (; p < pixels; p++)
                for (int t = 0; t < tileM; t++)
                    Unsafe.Add(ref yr, (o + t) * pixels + p) = counts[p] - 2f * Diff1(ref Unsafe.Add(ref rr, p * 2 * kWords), ref Unsafe.Add(ref wr, (o + t) * kWords), kWords);
        }
        for (; o < m; o++)
            for (int p = 0; p < pixels; p++)
                Unsafe.Add(ref yr, o * pixels + p) = counts[p] - 2f * Diff1(ref Unsafe.Add(ref rr, p * 2 * kWords), ref Unsafe.Add(ref wr, o * kWords), kWords);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float y, ReadOnlySpan<ulong> counts, int o, int p, int pixels, ulong d0, ulong d1)
    {
        ref float yo = ref Unsafe.Add(ref y, o * pixels + p);
        yo = (float)((long)counts[p] - 2 * (long)d0);
        Unsafe.Add(ref yo, 1) = (float)((long)counts[p + 1] - 2 * (long)d1);
    }

    /// <summary>Σ popcount(neg ^ (nz &amp; b)) of one pixel row and one channel's weights, on 64-bit words.</summary>
    private static ulong Diff1(ref ulong x, ref ulong w, int kWords)
    {
        ulong d = 0;
        for (int j = 0; j < kWords; j++)
            d += (ulong)BitOperations.PopCount(Unsafe.Add(ref x, j) ^ (Unsafe.Add(ref x, kWords + j) & Unsafe.Add(ref w, j)));
        return d;
    }

    private static (ulong, ulong, ulong, ulong) Diff2x2Scalar(ref ulong x0, ref ulong x1, ref ulong w0, int kWords)
    {
        ulong d00 = 0, d01 = 0, d10 = 0, d11 = 0;
        ref ulong w1 = ref Unsafe.Add(ref w0, kWords);
        for (int j = 0; j < kWords; j++)
        {
            ulong n0 = Unsafe.Add(ref x0, j), z0 = Unsafe.Add(ref x0, kWords + j);
            ulong n1 = Unsafe.Add(ref x1, j), z1 = Unsafe.Add(ref x1, kWords + j);
            ulong a = Unsafe.Add(ref w0, j), b = Unsafe.Add(ref w1, j);
            d00 += (ulong)BitOperations.PopCount(n0 ^ (z0 & a));
            d01 += (ulong)BitOperations.PopCount(n1 ^ (z1 & a));
            d10 += (ulong)BitOperations.PopCount(n0 ^ (z0 & b));
            d11 += (ulong)BitOperations.PopCount(n1 ^ (z1 & b));
        }
        return (d00, d01, d10, d11);
    }

    /// <summary>Byte counts of a vector through the nibble table: at most 8 per byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> PopBytes(Vector512<byte> v, Vector512<byte> table, Vector512<byte> low) =>
        Avx512BW.Shuffle(table, v & low) + Avx512BW.Shuffle(table, Avx512BW.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & low);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> PopBytes(Vector256<byte> v, Vector256<byte> table, Vector256<byte> low) =>
        Avx2.Shuffle(table, v & low) + Avx2.Shuffle(table, Avx2.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & low);

    /// <summary>Bit counts of 0..63 (bits 0–5 of a byte), and of the low two bits of 0..63 (bits 6–7 shifted down).</summary>
    private static readonly byte[] SixBitCounts = Enumerable.Range(0, 64).Select(i => (byte)BitOperations.PopCount((uint)i)).ToArray();

    private static readonly byte[] TwoBitCounts = Enumerable.Range(0, 64).Select(i => (byte)BitOperations.PopCount((uint)i & 3)).ToArray();

    /// <summary>Byte counts via VBMI: table lookups on the low 6 bits of each byte (vpermb ignores the index's top bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> PopBytesVbmi(Vector512<byte> v, Vector512<byte> six, Vector512<byte> two) =>
        Avx512Vbmi.PermuteVar64x8(six, v) + Avx512Vbmi.PermuteVar64x8(two, Avx512BW.ShiftRightLogical(v.AsUInt16(), 6).AsByte());

    private static readonly byte[] NibbleCounts = { 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4 };

    /// <summary>
    /// Vectors whose byte counts (≤ 8 each) are summed in bytes before SumAbsoluteDifferences: 30 plus a 256-bit row end
    /// stay below 256.
    /// </summary>
    private const int ByteSumVectors = 30;

    /// <summary>How <see cref="Diff4x2Avx512{TCounter}"/> counts the bits of each byte of a 512-bit vector.</summary>
    private interface IByteCounter
    {
        static abstract Vector512<byte> Table();
        static abstract Vector512<byte> Low();
        static abstract Vector512<byte> Count(Vector512<byte> v, Vector512<byte> table, Vector512<byte> low);
    }

    /// <summary>The 16-entry nibble table (Avx512BW Shuffle), six instructions per count.</summary>
    private struct NibbleCounter : IByteCounter
    {
        public static Vector512<byte> Table() => Vector512.Create(Vector128.Create(NibbleCounts));
        public static Vector512<byte> Low() => Vector512.Create((byte)0x0F);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<byte> Count(Vector512<byte> v, Vector512<byte> table, Vector512<byte> low) => PopBytes(v, table, low);
    }

    /// <summary>Two 64-entry table lookups (Avx512Vbmi PermuteVar64x8: bits 0–5, then bits 6–7): four instructions per count.</summary>
    private struct VbmiCounter : IByteCounter
    {
        public static Vector512<byte> Table() => Vector512.Create(SixBitCounts);
        public static Vector512<byte> Low() => Vector512.Create(TwoBitCounts);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<byte> Count(Vector512<byte> v, Vector512<byte> table, Vector512<byte> low) => PopBytesVbmi(v, table, low);
    }

    /// <summary>
    /// 4 channels × 2 pixels, 512 bits at a time: neg ^ (nz &amp; b) in one ternary-logic instruction, byte counts by
    /// <typeparamref name="TCounter"/> (a struct, so the JIT compiles one copy per counter with the count inlined).
    /// </summary>
    private static (ulong, ulong, ulong, ulong, ulong, ulong, ulong, ulong) Diff4x2Avx512<TCounter>(ref ulong x0, ref ulong x1, ref ulong w0, int kWords)
        where TCounter : struct, IByteCounter
    {
        var table = TCounter.Table();
        var low = TCounter.Low();
        var s00 = Vector512<ulong>.Zero; var s01 = s00; var s10 = s00; var s11 = s00; var s20 = s00; var s21 = s00; var s30 = s00; var s31 = s00;
        ref ulong w1 = ref Unsafe.Add(ref w0, kWords);
        ref ulong w2 = ref Unsafe.Add(ref w1, kWords);
        ref ulong w3 = ref Unsafe.Add(ref w2, kWords);
        int full = kWords & ~7;
        for (int j0 = 0; j0 < kWords; j0 += 8 * ByteSumVectors)
        {
            int end = Math.Min(full, j0 + 8 * ByteSumVectors);
            var c00 = Vector512<byte>.Zero; var c01 = c00; var c10 = c00; var c11 = c00; var c20 = c00; var c21 = c00; var c30 = c00; var c31 = c00;
            for (int j = j0; j < end; j += 8)
            {
                var n0 = Vector512.LoadUnsafe(ref x0, (nuint)j); var z0 = Vector512.LoadUnsafe(ref x0, (nuint)(kWords + j));
                var n1 = Vector512.LoadUnsafe(ref x1, (nuint)j); var z1 = Vector512.LoadUnsafe(ref x1, (nuint)(kWords + j));
                var a = Vector512.LoadUnsafe(ref w0, (nuint)j);
                c00 += TCounter.Count(Avx512F.TernaryLogic(n0, z0, a, 0x78).AsByte(), table, low);
                c01 += TCounter.Count(Avx512F.TernaryLogic(n1, z1, a, 0x78).AsByte(), table, low);
                a = Vector512.LoadUnsafe(ref w1, (nuint)j);
                c10 += TCounter.Count(Avx512F.TernaryLogic(n0, z0, a, 0x78).AsByte(), table, low);
                c11 += TCounter.Count(Avx512F.TernaryLogic(n1, z1, a, 0x78).AsByte(), table, low);
                a = Vector512.LoadUnsafe(ref w2, (nuint)j);
                c20 += TCounter.Count(Avx512F.TernaryLogic(n0, z0, a, 0x78).AsByte(), table, low);
                c21 += TCounter.Count(Avx512F.TernaryLogic(n1, z1, a, 0x78).AsByte(), table, low);
                a = Vector512.LoadUnsafe(ref w3, (nuint)j);
                c30 += TCounter.Count(Avx512F.TernaryLogic(n0, z0, a, 0x78).AsByte(), table, low);
                c31 += TCounter.Count(Avx512F.TernaryLogic(n1, z1, a, 0x78).AsByte(), table, low);
            }
            if (full < kWords && j0 + 8 * ByteSumVectors >= kWords)
            {
                // The row's last 4 words, 256 bits, counted into the low halves of the byte sums.
                var table2 = Vector256.Create(Vector128.Create(NibbleCounts));
                var low2 = Vector256.Create((byte)0x0F);
                var n0 = Vector256.LoadUnsafe(ref x0, (nuint)full); var z0 = Vector256.LoadUnsafe(ref x0, (nuint)(kWords + full));
                var n1 = Vector256.LoadUnsafe(ref x1, (nuint)full); var z1 = Vector256.LoadUnsafe(ref x1, (nuint)(kWords + full));
                c00 += Count256(n0, z0, Vector256.LoadUnsafe(ref w0, (nuint)full), table2, low2);
                c01 += Count256(n1, z1, Vector256.LoadUnsafe(ref w0, (nuint)full), table2, low2);
                c10 += Count256(n0, z0, Vector256.LoadUnsafe(ref w1, (nuint)full), table2, low2);
                c11 += Count256(n1, z1, Vector256.LoadUnsafe(ref w1, (nuint)full), table2, low2);
                c20 += Count256(n0, z0, Vector256.LoadUnsafe(ref w2, (nuint)full), table2, low2);
                c21 += Count256(n1, z1, Vector256.LoadUnsafe(ref w2, (nuint)full), table2, low2);
                c30 += Count256(n0, z0, Vector256.LoadUnsafe(ref w3, (nuint)full), table2, low2);
                c31 += Count256(n1, z1, Vector256.LoadUnsafe(ref w3, (nuint)full), table2, low2);
            }
            var zero = Vector512<byte>.Zero;
            s00 += Avx512BW.SumAbsoluteDifferences(c00, zero).AsUInt64(); s01 += Avx512BW.SumAbsoluteDifferences(c01, zero).AsUInt64();
            s10 += Avx512BW.SumAbsoluteDifferences(c10, zero).AsUInt64(); s11 += Avx512BW.SumAbsoluteDifferences(c11, zero).AsUInt64();
            s20 += Avx512BW.SumAbsoluteDifferences(c20, zero).AsUInt64(); s21 += Avx512BW.SumAbsoluteDifferences(c21, zero).AsUInt64();
            s30 += Avx512BW.SumAbsoluteDifferences(c30, zero).AsUInt64(); s31 += Avx512BW.SumAbsoluteDifferences(c31, zero).AsUInt64();
        }
        if (kWords < PackedSumWords)
        {
            // Every lane total is below 2^16 (a row has fewer than 65536 bits): four counts share each 64-bit lane, so
            // two horizontal sums give all eight.
            ulong a = Vector512.Sum(s00 | (s01 << 16) | (s10 << 32) | (s11 << 48));
            ulong b = Vector512.Sum(s20 | (s21 << 16) | (s30 << 32) | (s31 << 48));
            return (a & 0xFFFF, (a >> 16) & 0xFFFF, (a >> 32) & 0xFFFF, a >> 48, b & 0xFFFF, (b >> 16) & 0xFFFF, (b >> 32) & 0xFFFF, b >> 48);
        }
        return (Vector512.Sum(s00), Vector512.Sum(s01), Vector512.Sum(s10), Vector512.Sum(s11), Vector512.Sum(s20), Vector512.Sum(s21), Vector512.Sum(s30), Vector512.Sum(s31));
    }


    /// <summary>Rows shorter than this many words (65536 bits) have counts that fit 16 bits.</summary>
    private const int PackedSumWords = 1024;

    /// <summary>Byte counts of 256 bits of neg ^ (nz &amp; w), widened to 512 bits (upper half zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Count256(Vector256<ulong> neg, Vector256<ulong> nz, Vector256<ulong> w, Vector256<byte> table, Vector256<byte> low) =>
        PopBytes((neg ^ (nz & w)).AsByte(), table, low).ToVector512();

    /// <summary>2 channels × 2 pixels, 256 bits at a time.</summary>
    private static (ulong, ulong, ulong, ulong) Diff2x2Avx2(ref ulong x0, ref ulong x1, ref ulong w0, int kWords)
    {
        var table = Vector256.Create(Vector128.Create(NibbleCounts));
        var low = Vector256.Create((byte)0x0F);
        var s00 = Vector256<ulong>.Zero; var s01 = s00; var s10 = s00; var s11 = s00;
        ref ulong w1 = ref Unsafe.Add(ref w0, kWords);
        for (int j0 = 0; j0 < kWords; j0 += 4 * ByteSumVectors)
        {
            int end = Math.Min(kWords, j0 + 4 * ByteSumVectors);
            var c00 = Vector256<byte>.Zero; var c01 = c00; var c10 = c00; var c11 = c00;
            for (int j = j0; j < end; j += 4)
            {
                var n0 = Vector256.LoadUnsafe(ref x0, (nuint)j); var z0 = Vector256.LoadUnsafe(ref x0, (nuint)(kWords + j));
                var n1 = Vector256.LoadUnsafe(ref x1, (nuint)j); var z1 = Vector256.LoadUnsafe(ref x1, (nuint)(kWords + j));
                var a = Vector256.LoadUnsafe(ref w0, (nuint)j);
                var b = Vector256.LoadUnsafe(ref w1, (nuint)j);
                c00 += PopBytes((n0 ^ (z0 & a)).AsByte(), table, low);
                c01 += PopBytes((n1 ^ (z1 & a)).AsByte(), table, low);
                c10 += PopBytes((n0 ^ (z0 & b)).AsByte(), table, low);
                c11 += PopBytes((n1 ^ (z1 & b)).AsByte(), table, low);
            }
            var zero = Vector256<byte>.Zero;
            s00 += Avx2.SumAbsoluteDifferences(c00, zero).AsUInt64(); s01 += Avx2.SumAbsoluteDifferences(c01, zero).AsUInt64();
            s10 += Avx2.SumAbsoluteDifferences(c10, zero).AsUInt64(); s11 += Avx2.SumAbsoluteDifferences(c11, zero).AsUInt64();
        }
        if (kWords < PackedSumWords)
        {
            ulong a = Vector256.Sum(s00 | (s01 << 16) | (s10 << 32) | (s11 << 48));
            return (a & 0xFFFF, (a >> 16) & 0xFFFF, (a >> 32) & 0xFFFF, a >> 48);
        }
        return (Vector256.Sum(s00), Vector256.Sum(s01), Vector256.Sum(s10), Vector256.Sum(s11));
    }

    /// <summary>2 channels × 2 pixels, 128 bits at a time, bytes counted by Cnt and summed pairwise into 16-bit lanes.</summary>
    private static (ulong, ulong, ulong, ulong) Diff2x2AdvSimd(ref ulong x0, ref ulong x1, ref ulong w0, int kWords)
    {
        var s00 = Vector128<ushort>.Zero; var s01 = s00; var s10 = s00; var s11 = s00;
        ulong t00 = 0, t01 = 0, t10 = 0, t11 = 0;
        ref ulong w1 = ref Unsafe.Add(ref w0, kWords);
        for (int j0 = 0; j0 < kWords; j0 += 2 * 2048)
        {
            // 16-bit lanes gain at most 16 per vector: 2048 vectors stay below 65536.
            int end = Math.Min(kWords, j0 + 2 * 2048);
            for (int j = j0; j < end; j += 2)
            {
                var n0 = Vector128.LoadUnsafe(ref x0, (nuint)j); var z0 = Vector128.LoadUnsafe(ref x0, (nuint)(kWords + j));
                var n1 = Vector128.LoadUnsafe(ref x1, (nuint)j); var z1 = Vector128.LoadUnsafe(ref x1, (nuint)(kWords + j));
                var a = Vector128.LoadUnsafe(ref w0, (nuint)j);
                var b = Vector128.LoadUnsafe(ref w1, (nuint)j);
                s00 = AdvSimd.AddPairwiseWideningAndAdd(s00, AdvSimd.PopCount((n0 ^ (z0 & a)).AsByte()));
                s01 = AdvSimd.AddPairwiseWideningAndAdd(s01, AdvSimd.PopCount((n1 ^ (z1 & a)).AsByte()));
                s10 = AdvSimd.AddPairwiseWideningAndAdd(s10, AdvSimd.PopCount((n0 ^ (z0 & b)).AsByte()));
                s11 = AdvSimd.AddPairwiseWideningAndAdd(s11, AdvSimd.PopCount((n1 ^ (z1 & b)).AsByte()));
            }
            t00 += Vector128.Sum(Vector128.WidenLower(s00)) + Vector128.Sum(Vector128.WidenUpper(s00));
            t01 += Vector128.Sum(Vector128.WidenLower(s01)) + Vector128.Sum(Vector128.WidenUpper(s01));
            t10 += Vector128.Sum(Vector128.WidenLower(s10)) + Vector128.Sum(Vector128.WidenUpper(s10));
            t11 += Vector128.Sum(Vector128.WidenLower(s11)) + Vector128.Sum(Vector128.WidenUpper(s11));
            s00 = s01 = s10 = s11 = Vector128<ushort>.Zero;
        }
        return (t00, t01, t10, t11);
    }

    /// <summary>ONNX Sign: 1 for x &gt; 0, −1 for x &lt; 0, x itself for ±0 and NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sign(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length < x.Length) throw new ArgumentException($"Sign: expected a destination of {x.Length} floats, got {destination.Length}.");
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            destination[i] = v > 0f ? 1f : v < 0f ? -1f : v;
        }
    }
}
