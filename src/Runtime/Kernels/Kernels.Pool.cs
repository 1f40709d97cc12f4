using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Runtime;

/// <summary>
/// The window of a pooling op over (D)HW planes: 1-D and 2-D pools use depth (and height) 1, kernel 1, stride 1,
/// dilation 1 and pad 0 on the unused axes. Leading and trailing pads are both given: AveragePool (opset 19+) counts the
/// window positions inside the padded extent when count_include_pad is set.
/// </summary>
public readonly struct PoolGeometry
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PoolGeometry(int depth, int height, int width, int outDepth, int outHeight, int outWidth,
        int kernelD, int kernelH, int kernelW, int strideD, int strideH, int strideW, int dilationD, int dilationH, int dilationW,
        int padFront, int padTop, int padLeft, int padBack, int padBottom, int padRight)
    {
        Depth = depth; Height = height; Width = width;
        OutDepth = outDepth; OutHeight = outHeight; OutWidth = outWidth;
        KernelD = kernelD; KernelH = kernelH; KernelW = kernelW;
        StrideD = strideD; StrideH = strideH; StrideW = strideW;
        DilationD = dilationD; DilationH = dilationH; DilationW = dilationW;
        PadFront = padFront; PadTop = padTop; PadLeft = padLeft;
        PadBack = padBack; PadBottom = padBottom; PadRight = padRight;
    }

    public int Depth { get; }
    public int Height { get; }
    public int Width { get; }
    public int OutDepth { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }
    public int KernelD { get; }
    public int KernelH { get; }
    public int KernelW { get; }
    public int StrideD { get; }
    public int StrideH { get; }
    public int StrideW { get; }
    public int DilationD { get; }
    public int DilationH { get; }
    public int DilationW { get; }
    public int PadFront { get; }
    public int PadTop { get; }
    public int PadLeft { get; }
    public int PadBack { get; }
    public int PadBottom { get; }
    public int PadRight { get; }

    public int InputPixels => Depth * Height * Width;
    public int OutputPixels => OutDepth * OutHeight * OutWidth;
}

/// <summary>How AveragePool divides a window's sum.</summary>
public enum PoolDivisor
{
    /// <summary>By the number of window positions inside the input (count_include_pad = 0).</summary>
    Valid,
    /// <summary>
    /// By the window positions inside the padded extent (count_include_pad = 1): the kernel size, except for windows
    /// that ceil_mode lets run past the trailing pad (ONNX Runtime's rule for every opset).
    /// </summary>
    Padded,
}

public static partial class Kernels
{
    /// <summary>Scratch floats <see cref="MaxPool"/> and <see cref="AveragePool"/> need: one padded row and one divisor per output column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int PoolScratch(in PoolGeometry g) => PoolRowLength(g) + g.OutWidth;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int PoolRowLength(in PoolGeometry g) =>
        Math.Max(g.PadLeft + g.Width, (g.OutWidth - 1) * g.StrideW + (g.KernelW - 1) * g.DilationW + 1) + 16;

    /// <summary>Max over each window of each of <paramref name="planes"/> (batch × channels) planes; padding never wins.</summary>
    public static void MaxPool(ReadOnlySpan<float> x, Span<float> y, int planes, in PoolGeometry g, Span<float> scratch) =>
        Pool<MaxPooling>(x, y, planes, g, PoolDivisor.Valid, scratch);

    /// <summary>Average over each window of each of <paramref name="planes"/> planes, divided as <paramref name="divisor"/> says.</summary>
    public static void AveragePool(ReadOnlySpan<float> x, Span<float> y, int planes, in PoolGeometry g, PoolDivisor divisor, Span<float> scratch) =>
        Pool<AveragePooling>(x, y, planes, g, divisor, scratch);

    private interface IPooling
    {
        static abstract float Identity { get; }
        static abstract float Combine(float acc, float x);
        static abstract Vector512<float> Combine(Vector512<float> acc, Vector512<float> x);
        static abstract Vector256<float> Combine(Vector256<float> acc, Vector256<float> x);
        static abstract Vector128<float> Combine(Vector128<float> acc, Vector128<float> x);
        static abstract bool Averages { get; }

        /// <summary>Combines the lanes of a vector into one value.</summary>
        static abstract float Reduce(Vector128<float> x);
    }

    private readonly struct MaxPooling : IPooling
    {
        public static float Identity => float.MinValue;
        public static float Combine(float acc, float x) => float.MaxNative(x, acc);
        public static Vector512<float> Combine(Vector512<float> acc, Vector512<float> x) => Vector512.MaxNative(x, acc);
        public static Vector256<float> Combine(Vector256<float> acc, Vector256<float> x) => Vector256.MaxNative(x, acc);
        public static Vector128<float> Combine(Vector128<float> acc, Vector128<float> x) => Vector128.MaxNative(x, acc);
        public static bool Averages => false;
        public static float Reduce(Vector128<float> x) => float.MaxNative(float.MaxNative(x.GetElement(0), x.GetElement(1)), float.MaxNative(x.GetElement(2), x.GetElement(3)));
    }

    private readonly struct AveragePooling : IPooling
    {
        public static float Identity => 0f;
        public static float Combine(float acc, float x) => acc + x;
        public static Vector512<float> Combine(Vector512<float> acc, Vector512<float> x) => acc + x;
        public static Vector256<float> Combine(Vector256<float> acc, Vector256<float> x) => acc + x;
        public static Vector128<float> Combine(Vector128<float> acc, Vector128<float> x) => acc + x;
        public static bool Averages => true;
        public static float Reduce(Vector128<float> x) => Vector128.Sum(x);
    }

    /// <summary>Taps of one axis that land inside [0, size): k in [lo, hi).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Lo, int Hi) ValidTaps(int start, int kernel, int dilation, int size)
    {
        int lo = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
        int last = size - 1 - start;
        int hi = last < 0 ? 0 : Math.Min(kernel, last / dilation + 1);
        return (Math.Min(lo, kernel), Math.Max(Math.Min(lo, kernel), hi));
    }

    /// <summary>Taps of one axis inside the padded extent [−padBegin, size + padEnd), ONNX Runtime's count_include_pad divisor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int PaddedTaps(int start, int kernel, int dilation, int size, int padEnd)
    {
        int end = Math.Min(start + kernel * dilation, size + padEnd);
        return end <= start ? 0 : 1 + (end - start - 1) / dilation;
    }

    /// <summary>
    /// Separable pooling: for each output row, the window's input rows are combined into one row (vectorized over the
    /// whole width) inside a buffer whose pad columns hold the identity, then each output combines its kernel columns of
    /// that row, with no bounds checks. Averages multiply by a precomputed reciprocal per row and per column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pool<TOp>(ReadOnlySpan<float> x, Span<float> y, int planes, in PoolGeometry g, PoolDivisor divisor, Span<float> scratch)
        where TOp : struct, IPooling
    {
        int inPixels = g.InputPixels, outPixels = g.OutputPixels;
        if (x.Length < planes * inPixels || y.Length < planes * outPixels) throw new ArgumentException("Pool operand too short.");
        if (scratch.Length < PoolScratch(g)) throw new ArgumentException("Pool scratch too short.", nameof(scratch));
        if (g.PadLeft < 0 || g.PadTop < 0 || g.PadFront < 0) throw new ArgumentException("Pool pads must not be negative.");
        int D = g.Depth, H = g.Height, W = g.Width, OW = g.OutWidth, KW = g.KernelW, sw = g.StrideW, dw = g.DilationW, pl = g.PadLeft;
        int rowLength = PoolRowLength(g);
        var row = scratch.Slice(0, rowLength);
        row.Fill(TOp.Identity);
        ref float rr = ref MemoryMarshal.GetReference(row);
        ref float inner = ref Unsafe.Add(ref rr, pl);
        // Per output column: the reciprocal of its share of the divisor (averages only).
        var columnScale = scratch.Slice(rowLength, OW);
        if (TOp.Averages)
        {
            for (int ox = 0; ox < OW; ox++)
            {
                int start = ox * sw - pl;
                var (lo, hi) = ValidTaps(start, KW, dw, W);
                int taps = divisor == PoolDivisor.Padded ? PaddedTaps(start, KW, dw, W, g.PadRight) : hi - lo;
                columnScale[ox] = hi > lo && taps > 0 ? 1f / taps : 0f;
            }
        }
        Span<int> rows = stackalloc int[g.KernelD * g.KernelH];
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        for (int p = 0; p < planes; p++)
        {
            ref float xp = ref Unsafe.Add(ref xr, p * inPixels);
            for (int od = 0; od < g.OutDepth; od++)
            {
                int dStart = od * g.StrideD - g.PadFront;
                var (kdLo, kdHi) = ValidTaps(dStart, g.KernelD, g.DilationD, D);
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    int yStart = oy * g.StrideH - g.PadTop;
                    var (kyLo, kyHi) = ValidTaps(yStart, g.KernelH, g.DilationH, H);
                    int count = 0;
                    for (int kd = kdLo; kd < kdHi; kd++)
                        for (int ky = kyLo; ky < kyHi; ky++)
                            rows[count++] = ((dStart + kd * g.DilationD) * H + yStart + ky * g.DilationH) * W;
                    var yo = y.Slice(p * outPixels + (od * g.OutHeight + oy) * OW, OW);
                    if (count == 0)
                    {
                        // Nothing of the window is inside: ONNX Runtime gives the lowest float for max, 0 for average.
                        yo.Fill(TOp.Averages ? 0f : float.MinValue);
                        continue;
                    }
                    float rowScale = 1f;
                    if (TOp.Averages)
                    {
                        int taps = divisor == PoolDivisor.Padded
                            ? PaddedTaps(dStart, g.KernelD, g.DilationD, D, g.PadBack) * PaddedTaps(yStart, g.KernelH, g.DilationH, H, g.PadBottom)
                            : count;
                        rowScale = taps > 0 ? 1f / taps : 0f;
                    }
                    CombineRows<TOp>(ref xp, rows.Slice(0, count), ref inner, W);
                    CombineColumns<TOp>(ref rr, ref MemoryMarshal.GetReference(yo), OW, KW, sw, dw, rowScale, columnScale);
                }
            }
        }
    }

    /// <summary>dst[i] = op over the listed input rows of row[i], for i in [0, width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CombineRows<TOp>(ref float xp, ReadOnlySpan<int> rows, ref float dst, int width) where TOp : struct, IPooling
    {
        ref float first = ref Unsafe.Add(ref xp, rows[0]);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= width - 16; i += 16)
            {
                var acc = Vector512.LoadUnsafe(ref first, (nuint)i);
                for (int r = 1; r < rows.Length; r++) acc = TOp.Combine(acc, Vector512.LoadUnsafe(ref Unsafe.Add(ref xp, rows[r]), (nuint)i));
                acc.StoreUnsafe(ref dst, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= width - 8; i += 8)
            {
                var acc = Vector256.LoadUnsafe(ref first, (nuint)i);
                for (int r = 1; r < rows.Length; r++) acc = TOp.Combine(acc, Vector256.LoadUnsafe(ref Unsafe.Add(ref xp, rows[r]), (nuint)i));
                acc.StoreUnsafe(ref dst, (nuint)i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= width - 4; i += 4)
            {
                var acc = Vector128.LoadUnsafe(ref first, (nuint)i);
                for (int r = 1; r < rows.Length; r++) acc = TOp.Combine(acc, Vector128.LoadUnsafe(ref Unsafe.Add(ref xp, rows[r]), (nuint)i));
                acc.StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < width; i++)
        {
            float acc = Unsafe.Add(ref first, i);
            for (int r = 1; r < rows.Length; r++) acc = TOp.Combine(acc, Unsafe.Add(ref xp, rows[r] + i));
            Unsafe.Add(ref dst, i) = acc;
        }
    }

    /// <summary>y[ox] = op over k of row[ox·stride + k·dilation] (the row starts with the leading pad), then scaled for averages.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CombineColumns<TOp>(ref float row, ref float y, int ow, int kw, int stride, int dilation, float rowScale, ReadOnlySpan<float> columnScale)
        where TOp : struct, IPooling
    {
        ref float cs = ref MemoryMarshal.GetReference(columnScale);
        int ox = 0;
        if (stride == 1)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; ox <= ow - 16; ox += 16)
                {
                    var acc = Vector512.LoadUnsafe(ref row, (nuint)ox);
                    for (int k = 1; k < kw; k++) acc = TOp.Combine(acc, Vector512.LoadUnsafe(ref row, (nuint)(ox + k * dilation)));
                    if (TOp.Averages) acc *= Vector512.LoadUnsafe(ref cs, (nuint)ox) * rowScale;
                    acc.StoreUnsafe(ref y, (nuint)ox);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; ox <= ow - 8; ox += 8)
                {
                    var acc = Vector256.LoadUnsafe(ref row, (nuint)ox);
                    for (int k = 1; k < kw; k++) acc = TOp.Combine(acc, Vector256.LoadUnsafe(ref row, (nuint)(ox + k * dilation)));
                    if (TOp.Averages) acc *= Vector256.LoadUnsafe(ref cs, (nuint)ox) * rowScale;
                    acc.StoreUnsafe(ref y, (nuint)ox);
                }
            }
            if (Vector128.IsHardwareAccelerated)
            {
                for (; ox <= ow - 4; ox += 4)
                {
                    var acc = Vector128.LoadUnsafe(ref row, (nuint)ox);
                    for (int k = 1; k < kw; k++) acc = TOp.Combine(acc, Vector128.LoadUnsafe(ref row, (nuint)(ox + k * dilation)));
                    if (TOp.Averages) acc *= Vector128.LoadUnsafe(ref cs, (nuint)ox) * rowScale;
                    acc.StoreUnsafe(ref y, (nuint)ox);
                }
            }
        }
        else if (stride == 2)
        {
            // Stride 2: deinterleave the even positions with one permute (AVX-512, AVX2, SSE, ARM64 unzip).
            if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
            {
                var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                for (; ox <= ow - 16; ox += 16)
                {
                    ref float w = ref Unsafe.Add(ref row, 2 * ox);
                    var acc = Avx512F.PermuteVar16x32x2(Vector512.LoadUnsafe(ref w), even, Vector512.LoadUnsafe(ref w, 16));
                    for (int k = 1; k < kw; k++)
                    {
                        ref float wk = ref Unsafe.Add(ref w, k * dilation);
                        acc = TOp.Combine(acc, Avx512F.PermuteVar16x32x2(Vector512.LoadUnsafe(ref wk), even, Vector512.LoadUnsafe(ref wk, 16)));
                    }
                    if (TOp.Averages) acc *= Vector512.LoadUnsafe(ref cs, (nuint)ox) * rowScale;
                    acc.StoreUnsafe(ref y, (nuint)ox);
                }
            }
            if (Avx2.IsSupported && Vector256.IsHardwareAccelerated)
            {
                for (; ox <= ow - 8; ox += 8)
                {
                    ref float w = ref Unsafe.Add(ref row, 2 * ox);
                    var acc = Evens256(ref w);
                    for (int k = 1; k < kw; k++) acc = TOp.Combine(acc, Evens256(ref Unsafe.Add(ref w, k * dilation)));
                    if (TOp.Averages) acc *= Vector256.LoadUnsafe(ref cs, (nuint)ox) * rowScale;
                    acc.StoreUnsafe(ref y, (nuint)ox);
                }
            }
            if ((Sse.IsSupported || AdvSimd.Arm64.IsSupported) && Vector128.IsHardwareAccelerated)
            {
                for (; ox <= ow - 4; ox += 4)
                {
                    ref float w = ref Unsafe.Add(ref row, 2 * ox);
                    var acc = Evens128(ref w);
                    for (int k = 1; k < kw; k++) acc = TOp.Combine(acc, Evens128(ref Unsafe.Add(ref w, k * dilation)));
                    if (TOp.Averages) acc *= Vector128.LoadUnsafe(ref cs, (nuint)ox) * rowScale;
                    acc.StoreUnsafe(ref y, (nuint)ox);
                }
            }
        }
        for (; ox < ow; ox++)
        {
            ref float w = ref Unsafe.Add(ref row, ox * stride);
            float acc = w;
            for (int k = 1; k < kw; k++) acc = TOp.Combine(acc, Unsafe.Add(ref w, k * dilation));
            if (TOp.Averages) acc *= Unsafe.Add(ref cs, ox) * rowScale;
            Unsafe.Add(ref y, ox) = acc;
        }
    }

    /// <summary>p[0], p[2], …, p[14] (AVX2: one in-lane shuffle and one cross-lane permute).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Evens256(ref float p)
    {
        var mixed = Avx.Shuffle(Vector256.LoadUnsafe(ref p), Vector256.LoadUnsafe(ref p, 8), 0b10_00_10_00);
        return Avx2.Permute4x64(mixed.AsDouble(), 0b11_01_10_00).AsSingle();
    }

    /// <summary>p[0], p[2], p[4], p[6].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Evens128(ref float p)
    {
        var a = Vector128.LoadUnsafe(ref p); var b = Vector128.LoadUnsafe(ref p, 4);
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.UnzipEven(a, b);
        return Sse.Shuffle(a, b, 0b10_00_10_00);
    }

    /// <summary>y[p] = mean (or max) of the <paramref name="pixels"/> values of plane p.</summary>
    public static void GlobalAveragePool(ReadOnlySpan<float> x, Span<float> y, int planes, int pixels) => GlobalPool<AveragePooling>(x, y, planes, pixels);

    /// <summary>y[p] = max of the <paramref name="pixels"/> values of plane p.</summary>
    public static void GlobalMaxPool(ReadOnlySpan<float> x, Span<float> y, int planes, int pixels) => GlobalPool<MaxPooling>(x, y, planes, pixels);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GlobalPool<TOp>(ReadOnlySpan<float> x, Span<float> y, int planes, int pixels) where TOp : struct, IPooling
    {
        if (x.Length < planes * pixels || y.Length < planes) throw new ArgumentException("GlobalPool operand too short.");
        for (int p = 0; p < planes; p++)
        {
            ref float src = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), p * pixels);
            int i = 0;
            float acc = TOp.Identity;
            if (Vector512.IsHardwareAccelerated && pixels >= 16)
            {
                var a0 = Vector512.LoadUnsafe(ref src); var a1 = Vector512.Create(TOp.Identity);
                for (i = 16; i <= pixels - 32; i += 32)
                {
                    a0 = TOp.Combine(a0, Vector512.LoadUnsafe(ref src, (nuint)i));
                    a1 = TOp.Combine(a1, Vector512.LoadUnsafe(ref src, (nuint)(i + 16)));
                }
                for (; i <= pixels - 16; i += 16) a0 = TOp.Combine(a0, Vector512.LoadUnsafe(ref src, (nuint)i));
                a0 = TOp.Combine(a0, a1);
                var half = TOp.Combine(a0.GetLower(), a0.GetUpper());
                acc = TOp.Reduce(TOp.Combine(half.GetLower(), half.GetUpper()));
            }
            else if (Vector256.IsHardwareAccelerated && pixels >= 8)
            {
                var a0 = Vector256.LoadUnsafe(ref src);
                for (i = 8; i <= pixels - 8; i += 8) a0 = TOp.Combine(a0, Vector256.LoadUnsafe(ref src, (nuint)i));
                acc = TOp.Reduce(TOp.Combine(a0.GetLower(), a0.GetUpper()));
            }
            else if (Vector128.IsHardwareAccelerated && pixels >= 4)
            {
                var a0 = Vector128.LoadUnsafe(ref src);
                for (i = 4; i <= pixels - 4; i += 4) a0 = TOp.Combine(a0, Vector128.LoadUnsafe(ref src, (nuint)i));
                acc = TOp.Reduce(a0);
            }
            for (; i < pixels; i++) acc = TOp.Combine(acc, Unsafe.Add(ref src, i));
            y[p] = TOp.Averages ? acc / pixels : acc;
        }
    }
}
