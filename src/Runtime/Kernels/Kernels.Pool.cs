using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

/// <summary>
/// The window of a pooling op over (D)HW planes: 1-D and 2-D pools use depth (and height) 1, kernel 1, stride 1,
/// dilation 1 and pad 0 on the unused axes. Leading and trailing pads are both given: AveragePool (opset 19+) counts the
/// window positions inside the padded extent when count_include_pad is set.
/// </summary>
public readonly struct PoolGeometry
{
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
    /// <summary>Max over each window of each of <paramref name="planes"/> (batch × channels) planes; padding never wins.</summary>
    public static void MaxPool(ReadOnlySpan<float> x, Span<float> y, int planes, in PoolGeometry g) =>
        Pool<MaxPooling>(x, y, planes, g, PoolDivisor.Valid);

    /// <summary>Average over each window of each of <paramref name="planes"/> planes, divided as <paramref name="divisor"/> says.</summary>
    public static void AveragePool(ReadOnlySpan<float> x, Span<float> y, int planes, in PoolGeometry g, PoolDivisor divisor) =>
        Pool<AveragePooling>(x, y, planes, g, divisor);

    private interface IPooling
    {
        static abstract float Identity { get; }
        static abstract float Combine(float acc, float x);
        static abstract Vector512<float> Combine(Vector512<float> acc, Vector512<float> x);
        static abstract Vector256<float> Combine(Vector256<float> acc, Vector256<float> x);
        static abstract Vector128<float> Combine(Vector128<float> acc, Vector128<float> x);
        static abstract bool Averages { get; }
    }

    private readonly struct MaxPooling : IPooling
    {
        public static float Identity => float.MinValue;
        public static float Combine(float acc, float x) => x > acc ? x : acc;
        public static Vector512<float> Combine(Vector512<float> acc, Vector512<float> x) => Vector512.Max(acc, x);
        public static Vector256<float> Combine(Vector256<float> acc, Vector256<float> x) => Vector256.Max(acc, x);
        public static Vector128<float> Combine(Vector128<float> acc, Vector128<float> x) => Vector128.Max(acc, x);
        public static bool Averages => false;
    }

    private readonly struct AveragePooling : IPooling
    {
        public static float Identity => 0f;
        public static float Combine(float acc, float x) => acc + x;
        public static Vector512<float> Combine(Vector512<float> acc, Vector512<float> x) => acc + x;
        public static Vector256<float> Combine(Vector256<float> acc, Vector256<float> x) => acc + x;
        public static Vector128<float> Combine(Vector128<float> acc, Vector128<float> x) => acc + x;
        public static bool Averages => true;
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

    /// <summary>Taps of one axis inside the padded extent [−padBegin, size + padEnd), ONNX Runtime's opset-19 divisor.</summary>
    private static int PaddedTaps(int start, int kernel, int dilation, int size, int padEnd)
    {
        int end = Math.Min(start + kernel * dilation, size + padEnd);
        return end <= start ? 0 : 1 + (end - start - 1) / dilation;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pool<TOp>(ReadOnlySpan<float> x, Span<float> y, int planes, in PoolGeometry g, PoolDivisor divisor) where TOp : struct, IPooling
    {
        int inPixels = g.InputPixels, outPixels = g.OutputPixels;
        if (x.Length < planes * inPixels || y.Length < planes * outPixels) throw new ArgumentException("Pool operand too short.");
        int D = g.Depth, H = g.Height, W = g.Width, OW = g.OutWidth, KW = g.KernelW, sw = g.StrideW, dw = g.DilationW;
        // Rows (kd, ky) of the current window that lie inside the input, as offsets into the plane.
        Span<int> rows = stackalloc int[g.KernelD * g.KernelH];
        // Output columns whose whole window row lies inside the input.
        var (cxLo, cxHi) = InteriorColumns(W, OW, KW, sw, dw, g.PadLeft);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        for (int p = 0; p < planes; p++)
        {
            ref float xp = ref Unsafe.Add(ref xr, p * inPixels);
            ref float yp = ref Unsafe.Add(ref yr, p * outPixels);
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
                    int rowTaps = (kdHi - kdLo) * (kyHi - kyLo);
                    int paddedRows = divisor == PoolDivisor.Padded
                        ? PaddedTaps(dStart, g.KernelD, g.DilationD, D, g.PadBack) * PaddedTaps(yStart, g.KernelH, g.DilationH, H, g.PadBottom)
                        : 0;
                    ref float yo = ref Unsafe.Add(ref yp, (od * g.OutHeight + oy) * OW);
                    var window = rows.Slice(0, count);

                    // Interior columns: every tap of a window row is inside; the divisor is the same for all of them.
                    float scale = 1f;
                    if (TOp.Averages)
                    {
                        int taps = divisor switch
                        {
                            PoolDivisor.Padded => paddedRows * KW,
                            _ => rowTaps * KW,
                        };
                        scale = 1f / taps;
                    }
                    int ox = cxLo;
                    if (sw == 1 && count > 0)
                        ox = PoolRowVector<TOp>(ref xp, window, KW, dw, g.PadLeft, ref yo, cxLo, cxHi, scale);
                    for (; ox < cxHi; ox++)
                    {
                        int xStart = ox * sw - g.PadLeft;
                        float acc = TOp.Identity;
                        foreach (int r in window)
                        {
                            ref float src = ref Unsafe.Add(ref xp, r + xStart);
                            for (int kx = 0; kx < KW; kx++) acc = TOp.Combine(acc, Unsafe.Add(ref src, kx * dw));
                        }
                        Unsafe.Add(ref yo, ox) = TOp.Averages ? acc * scale : acc;
                    }

                    // Edge columns: only some taps of each window row are inside.
                    for (int e = 0; e < OW; e++)
                    {
                        if (e == cxLo && cxHi > cxLo) e = cxHi;
                        if (e >= OW) break;
                        int xStart = e * sw - g.PadLeft;
                        var (kxLo, kxHi) = ValidTaps(xStart, KW, dw, W);
                        float acc = TOp.Identity;
                        foreach (int r in window)
                        {
                            ref float src = ref Unsafe.Add(ref xp, r + xStart);
                            for (int kx = kxLo; kx < kxHi; kx++) acc = TOp.Combine(acc, Unsafe.Add(ref src, kx * dw));
                        }
                        if (TOp.Averages)
                        {
                            int taps = divisor switch
                            {
                                PoolDivisor.Padded => paddedRows * PaddedTaps(xStart, KW, dw, W, g.PadRight),
                                _ => rowTaps * (kxHi - kxLo),
                            };
                            // A window with nothing inside the input averages to 0.
                            acc = divisor == PoolDivisor.Padded && rowTaps * (kxHi - kxLo) == 0 ? 0f : acc / taps;
                        }
                        Unsafe.Add(ref yo, e) = acc;
                    }
                }
            }
        }
    }

    /// <summary>Output columns [lo, hi) whose window row lies entirely inside the input.</summary>
    private static (int Lo, int Hi) InteriorColumns(int w, int ow, int kw, int sw, int dw, int padLeft)
    {
        int lo = padLeft <= 0 ? 0 : (padLeft + sw - 1) / sw;
        int last = w - 1 + padLeft - (kw - 1) * dw;
        int hi = last < 0 ? 0 : Math.Min(ow, last / sw + 1);
        lo = Math.Min(lo, ow);
        return (lo, Math.Max(lo, hi));
    }

    /// <summary>Stride-1 interior columns, a vector of outputs at a time; returns the first column left for scalar code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PoolRowVector<TOp>(ref float xp, ReadOnlySpan<int> window, int kw, int dw, int padLeft, ref float yo, int lo, int hi, float scale)
        where TOp : struct, IPooling
    {
        int ox = lo;
        if (Vector512.IsHardwareAccelerated)
        {
            var vs = Vector512.Create(scale);
            for (; ox <= hi - 16; ox += 16)
            {
                var acc = Vector512.Create(TOp.Identity);
                foreach (int r in window)
                {
                    ref float src = ref Unsafe.Add(ref xp, r + ox - padLeft);
                    for (int kx = 0; kx < kw; kx++) acc = TOp.Combine(acc, Vector512.LoadUnsafe(ref src, (nuint)(kx * dw)));
                }
                (TOp.Averages ? acc * vs : acc).StoreUnsafe(ref yo, (nuint)ox);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vs = Vector256.Create(scale);
            for (; ox <= hi - 8; ox += 8)
            {
                var acc = Vector256.Create(TOp.Identity);
                foreach (int r in window)
                {
                    ref float src = ref Unsafe.Add(ref xp, r + ox - padLeft);
                    for (int kx = 0; kx < kw; kx++) acc = TOp.Combine(acc, Vector256.LoadUnsafe(ref src, (nuint)(kx * dw)));
                }
                (TOp.Averages ? acc * vs : acc).StoreUnsafe(ref yo, (nuint)ox);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var vs = Vector128.Create(scale);
            for (; ox <= hi - 4; ox += 4)
            {
                var acc = Vector128.Create(TOp.Identity);
                foreach (int r in window)
                {
                    ref float src = ref Unsafe.Add(ref xp, r + ox - padLeft);
                    for (int kx = 0; kx < kw; kx++) acc = TOp.Combine(acc, Vector128.LoadUnsafe(ref src, (nuint)(kx * dw)));
                }
                (TOp.Averages ? acc * vs : acc).StoreUnsafe(ref yo, (nuint)ox);
            }
        }
        return ox;
    }

    /// <summary>y[p] = mean (or max) of the <paramref name="pixels"/> values of plane p.</summary>
    public static void GlobalAveragePool(ReadOnlySpan<float> x, Span<float> y, int planes, int pixels) => GlobalPool<AveragePooling>(x, y, planes, pixels);

    /// <summary>y[p] = max of the <paramref name="pixels"/> values of plane p.</summary>
    public static void GlobalMaxPool(ReadOnlySpan<float> x, Span<float> y, int planes, int pixels) => GlobalPool<MaxPooling>(x, y, planes, pixels);

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
                var a0 = Vector512.Create(TOp.Identity); var a1 = a0;
                for (; i <= pixels - 32; i += 32)
                {
                    a0 = TOp.Combine(a0, Vector512.LoadUnsafe(ref src, (nuint)i));
                    a1 = TOp.Combine(a1, Vector512.LoadUnsafe(ref src, (nuint)(i + 16)));
                }
                for (; i <= pixels - 16; i += 16) a0 = TOp.Combine(a0, Vector512.LoadUnsafe(ref src, (nuint)i));
                a0 = TOp.Combine(a0, a1);
                for (int l = 0; l < 16; l++) acc = TOp.Combine(acc, a0.GetElement(l));
            }
            else if (Vector256.IsHardwareAccelerated && pixels >= 8)
            {
                var a0 = Vector256.Create(TOp.Identity);
                for (; i <= pixels - 8; i += 8) a0 = TOp.Combine(a0, Vector256.LoadUnsafe(ref src, (nuint)i));
                for (int l = 0; l < 8; l++) acc = TOp.Combine(acc, a0.GetElement(l));
            }
            else if (Vector128.IsHardwareAccelerated && pixels >= 4)
            {
                var a0 = Vector128.Create(TOp.Identity);
                for (; i <= pixels - 4; i += 4) a0 = TOp.Combine(a0, Vector128.LoadUnsafe(ref src, (nuint)i));
                for (int l = 0; l < 4; l++) acc = TOp.Combine(acc, a0.GetElement(l));
            }
            for (; i < pixels; i++) acc = TOp.Combine(acc, Unsafe.Add(ref src, i));
            y[p] = TOp.Averages ? acc / pixels : acc;
        }
    }
}
