using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

/// <summary>
/// The shape of one convolution over NC(D)HW data: 1-D and 2-D convolutions use depth 1 (and height 1), kernel 1,
/// stride 1, dilation 1, pad 0 on the unused axes. Pads are the leading (front, top, left) pads; the trailing ones
/// follow from the output size. <see cref="Chunk"/> is how many output pixels one im2col block holds.
/// </summary>
public readonly struct ConvGeometry
{
    public ConvGeometry(int channels, int depth, int height, int width, int outChannels, int outDepth, int outHeight, int outWidth,
        int kernelD, int kernelH, int kernelW, int strideD, int strideH, int strideW, int dilationD, int dilationH, int dilationW,
        int padFront, int padTop, int padLeft, int groups, int chunk)
    {
        Channels = channels; Depth = depth; Height = height; Width = width;
        OutChannels = outChannels; OutDepth = outDepth; OutHeight = outHeight; OutWidth = outWidth;
        KernelD = kernelD; KernelH = kernelH; KernelW = kernelW;
        StrideD = strideD; StrideH = strideH; StrideW = strideW;
        DilationD = dilationD; DilationH = dilationH; DilationW = dilationW;
        PadFront = padFront; PadTop = padTop; PadLeft = padLeft;
        Groups = groups; Chunk = chunk;
    }

    public int Channels { get; }
    public int Depth { get; }
    public int Height { get; }
    public int Width { get; }
    public int OutChannels { get; }
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
    public int Groups { get; }
    public int Chunk { get; }

    /// <summary>Rows of the im2col matrix (and columns of a group's weight matrix).</summary>
    public int KernelSize => Channels / Groups * KernelD * KernelH * KernelW;

    public int InputPixels => Depth * Height * Width;

    public int OutputPixels => OutDepth * OutHeight * OutWidth;

    /// <summary>True when the convolution is a plain matrix product over [C, pixels] (1×1, stride 1, no padding).</summary>
    public bool IsPointwise => KernelD == 1 && KernelH == 1 && KernelW == 1 && StrideD == 1 && StrideH == 1 && StrideW == 1
        && PadFront == 0 && PadTop == 0 && PadLeft == 0 && OutDepth == Depth && OutHeight == Height && OutWidth == Width;
}

public static partial class Kernels
{
    /// <summary>
    /// Scratch floats <see cref="Conv"/> needs: the im2col block (KernelSize × Chunk) or, for a pointwise convolution whose
    /// pixel count is not a multiple of 16, one edge panel.
    /// </summary>
    public static int ConvScratch(in ConvGeometry g) => g.IsPointwise
        ? GemmRowMajorScratch(g.KernelSize, g.OutputPixels)
        : g.KernelSize * g.Chunk;

    /// <summary>
    /// y = act(conv(x, w) + bias) for <paramref name="batch"/> images. Each group is a matrix product of its weights
    /// [OutChannels/Groups, KernelSize] (row-major, as ONNX stores them) with the im2col matrix, built Chunk output pixels at
    /// a time in <paramref name="scratch"/> so it stays in cache; pointwise convolutions multiply the input directly.
    /// </summary>
    public static void Conv(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int batch, in ConvGeometry g,
        FusedActivation activation, Span<float> scratch)
    {
        int groups = g.Groups, cg = g.Channels / groups, mg = g.OutChannels / groups, k = g.KernelSize;
        int inPixels = g.InputPixels, outPixels = g.OutputPixels;
        if (groups <= 0 || g.Channels % groups != 0 || g.OutChannels % groups != 0) throw new ArgumentException("Invalid group count.");
        if (x.Length < batch * g.Channels * inPixels || w.Length < g.OutChannels * k || y.Length < batch * g.OutChannels * outPixels)
            throw new ArgumentException("Conv operand too short.");
        if (!bias.IsEmpty && bias.Length < g.OutChannels) throw new ArgumentException("Conv bias too short.", nameof(bias));
        if (scratch.Length < ConvScratch(g)) throw new ArgumentException("Conv scratch too short.", nameof(scratch));
        bool pointwise = g.IsPointwise;
        int chunk = g.Chunk;
        if (!pointwise && (chunk <= 0 || chunk % GemmPanelWidth != 0)) throw new ArgumentException("Conv chunk must be a positive multiple of 16.");

        for (int n = 0; n < batch; n++)
        {
            for (int gi = 0; gi < groups; gi++)
            {
                var xs = x.Slice((n * g.Channels + gi * cg) * inPixels, cg * inPixels);
                var ws = w.Slice(gi * mg * k, mg * k);
                var ys = y.Slice((n * g.OutChannels + gi * mg) * outPixels, mg * outPixels);
                var bs = bias.IsEmpty ? default : bias.Slice(gi * mg, mg);
                var epilogue = new GemmEpilogue(bs, default, 1f, false, activation);
                if (pointwise)
                {
                    GemmRowMajorCore(ws, k, xs, outPixels, mg, outPixels, k, ys, outPixels, scratch, epilogue);
                    continue;
                }
                for (int q0 = 0; q0 < outPixels; q0 += chunk)
                {
                    int cols = Math.Min(chunk, outPixels - q0);
                    Im2Col(xs, scratch, g, cg, q0, cols, chunk);
                    GemmPanels(ref MemoryMarshal.GetReference(ws), k, ref MemoryMarshal.GetReference(scratch), chunk, GemmPanelWidth,
                        (cols + GemmPanelWidth - 1) / GemmPanelWidth, ref Unsafe.NullRef<float>(), mg, cols, k,
                        ref MemoryMarshal.GetReference(ys.Slice(q0)), outPixels, epilogue);
                }
            }
        }
    }

    /// <summary>
    /// Rows (c, kd, kh, kw) × output pixels [q0, q0 + cols) of the im2col matrix of one group's input, row-major with row
    /// stride <paramref name="ld"/>; columns past cols up to the next multiple of 16 are zeroed so the micro-kernels read
    /// only finite values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Im2Col(ReadOnlySpan<float> x, Span<float> dst, in ConvGeometry g, int channels, int q0, int cols, int ld)
    {
        int D = g.Depth, H = g.Height, W = g.Width, OH = g.OutHeight, OW = g.OutWidth;
        int plane = D * H * W, rowPixels = OW;
        int padded = (cols + GemmPanelWidth - 1) / GemmPanelWidth * GemmPanelWidth;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        int row = 0;
        for (int c = 0; c < channels; c++)
            for (int kd = 0; kd < g.KernelD; kd++)
                for (int kh = 0; kh < g.KernelH; kh++)
                    for (int kw = 0; kw < g.KernelW; kw++, row++)
                    {
                        ref float d = ref Unsafe.Add(ref dr, row * ld);
                        int dx = kw * g.DilationW - g.PadLeft;
                        // Output columns whose input column is inside the image: ox·sw + dx ∈ [0, W).
                        int oxLo = dx >= 0 ? 0 : (-dx + g.StrideW - 1) / g.StrideW;
                        int oxHi = W - dx <= 0 ? 0 : Math.Min(OW, (W - 1 - dx) / g.StrideW + 1);
                        int q = q0, end = q0 + cols, j = 0;
                        while (q < end)
                        {
                            int outRow = q / rowPixels, ox0 = q - outRow * rowPixels;
                            int len = Math.Min(rowPixels - ox0, end - q);
                            int od = outRow / OH, oy = outRow - od * OH;
                            int iz = od * g.StrideD + kd * g.DilationD - g.PadFront;
                            int iy = oy * g.StrideH + kh * g.DilationH - g.PadTop;
                            ref float seg = ref Unsafe.Add(ref d, j);
                            if ((uint)iz >= (uint)D || (uint)iy >= (uint)H)
                            {
                                Clear(ref seg, len);
                            }
                            else
                            {
                                ref float src = ref Unsafe.Add(ref xr, c * plane + (iz * H + iy) * W);
                                int a = Math.Clamp(oxLo, ox0, ox0 + len), b = Math.Clamp(oxHi, a, ox0 + len);
                                Clear(ref seg, a - ox0);
                                if (g.StrideW == 1) Copy(ref Unsafe.Add(ref src, a + dx), ref Unsafe.Add(ref seg, a - ox0), b - a);
                                else
                                {
                                    ref float s = ref Unsafe.Add(ref src, a * g.StrideW + dx);
                                    ref float t = ref Unsafe.Add(ref seg, a - ox0);
                                    for (int i = 0; i < b - a; i++) Unsafe.Add(ref t, i) = Unsafe.Add(ref s, i * g.StrideW);
                                }
                                Clear(ref Unsafe.Add(ref seg, b - ox0), ox0 + len - b);
                            }
                            q += len;
                            j += len;
                        }
                        Clear(ref Unsafe.Add(ref d, cols), padded - cols);
                    }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Clear(ref float d, int n)
    {
        if (n > 0) MemoryMarshal.CreateSpan(ref d, n).Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(ref float s, ref float d, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Vector512.LoadUnsafe(ref s, (nuint)i).StoreUnsafe(ref d, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.LoadUnsafe(ref s, (nuint)i).StoreUnsafe(ref d, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 4; i += 4) Vector128.LoadUnsafe(ref s, (nuint)i).StoreUnsafe(ref d, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
    }
}
