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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ConvGeometry(int channels, int depth, int height, int width, int outChannels, int outDepth, int outHeight, int outWidth,
        int kernelD, int kernelH, int kernelW, int strideD, int strideH, int strideW, int dilationD, int dilationH, int dilationW,
        int padFront, int padTop, int padLeft, int groups, int chunk, int rowsPerBlock = 0, bool packedWeights = false, bool inputChannelsLast = false)
    {
        Channels = channels; Depth = depth; Height = height; Width = width;
        OutChannels = outChannels; OutDepth = outDepth; OutHeight = outHeight; OutWidth = outWidth;
        KernelD = kernelD; KernelH = kernelH; KernelW = kernelW;
        StrideD = strideD; StrideH = strideH; StrideW = strideW;
        DilationD = dilationD; DilationH = dilationH; DilationW = dilationW;
        PadFront = padFront; PadTop = padTop; PadLeft = padLeft;
        Groups = groups; Chunk = chunk; RowsPerBlock = rowsPerBlock; PackedWeights = packedWeights;
        InputChannelsLast = inputChannelsLast;
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

    /// <summary>
    /// Non-zero for the implicit-GEMM algorithm (2-D, stride 1): output rows per block. Each block copies the input rows
    /// it needs, zero-padded, and the product reads them through a table of row offsets instead of an im2col matrix.
    /// With a non-zero <see cref="Chunk"/> (a multiple of 16 holding RowsPerBlock·OutWidth) the block's im2col matrix is
    /// instead gathered from those padded rows, Chunk floats per row, so the product covers only real output columns:
    /// worth it for narrow images, where the padded columns would be a large share of the work.
    /// </summary>
    public int RowsPerBlock { get; }

    /// <summary>
    /// True when each group's weights [OutChannels/Groups, KernelSize] are packed by <see cref="Kernels.PackA"/> (at build
    /// time), one group after another, each <see cref="Kernels.PackedALength"/> floats.
    /// </summary>
    public bool PackedWeights { get; }

    /// <summary>
    /// True when the input is channels-last, [batch, height, width, channels] (an NHWC graph input whose Transpose to NCHW
    /// was folded into this convolution): only the im2col algorithm (2-D, one group, non-zero <see cref="Chunk"/>) reads it.
    /// </summary>
    public bool InputChannelsLast { get; }

    /// <summary>Floats of one group's weights as <see cref="Kernels.Conv"/> reads them.</summary>
    public int GroupWeightLength => PackedWeights ? Kernels.PackedALength(OutChannels / Groups, KernelSize) : OutChannels / Groups * KernelSize;

    /// <summary>Row length of the implicit algorithm's padded input (and of its output grid): OutWidth + (KernelW − 1)·DilationW.</summary>
    public int PaddedRowLength => OutWidth + (KernelW - 1) * DilationW;

    /// <summary>Floats of one channel's padded block in the implicit algorithm, with slack for reads past the last row.</summary>
    public int PaddedPlaneLength => (RowsPerBlock + (KernelH - 1) * DilationH) * PaddedRowLength + GemmSlack;


    /// <summary>Rows of the im2col matrix (and columns of a group's weight matrix).</summary>
    public int KernelSize => Channels / Groups * KernelD * KernelH * KernelW;

    public int InputPixels => Depth * Height * Width;

    public int OutputPixels => OutDepth * OutHeight * OutWidth;

    /// <summary>Slack floats after each padded plane (plus (KernelW − 1)·DilationW), so the last 16-column panel stays in bounds.</summary>
    private int GemmSlack => 16 + (KernelW - 1) * DilationW;

    /// <summary>True when the convolution is a plain matrix product over [C, pixels] (1×1, stride 1, no padding).</summary>
    public bool IsPointwise => KernelD == 1 && KernelH == 1 && KernelW == 1 && StrideD == 1 && StrideH == 1 && StrideW == 1
        && PadFront == 0 && PadTop == 0 && PadLeft == 0 && OutDepth == Depth && OutHeight == Height && OutWidth == Width;
}

public static partial class Kernels
{
    /// <summary>
    /// Scratch floats <see cref="Conv"/> needs: the im2col block (KernelSize × Chunk) or, for a pointwise convolution run
    /// directly on its input (Chunk 0) whose pixel count is not a multiple of 16, one edge panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ConvScratch(in ConvGeometry g) => g.RowsPerBlock > 0
        ? g.KernelSize + g.Channels / g.Groups * g.PaddedPlaneLength
            + (g.Chunk > 0 ? g.KernelSize * g.Chunk + GemmPanelWidth : g.OutChannels / g.Groups * g.RowsPerBlock * g.PaddedRowLength)
        : g.Chunk == 0
            ? GemmRowMajorScratch(g.KernelSize, g.OutputPixels)
            : g.KernelSize * g.Chunk;

    /// <summary>
    /// y = act(y + residual) in one pass (a residual Add fused into the convolution before it): the sum rounds as the Add
    /// kernel's does and the activation is the one definition, so the result has the unfused graph's bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddResidual(Span<float> y, ReadOnlySpan<float> residual, FusedActivation activation)
    {
        if (residual.Length < y.Length) throw new ArgumentException($"Residual too short: expected {y.Length} floats, got {residual.Length}.", nameof(residual));
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float rr = ref MemoryMarshal.GetReference(residual);
        int n = y.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) (Vector512.LoadUnsafe(ref yr, (nuint)i) + Vector512.LoadUnsafe(ref rr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) (Vector256.LoadUnsafe(ref yr, (nuint)i) + Vector256.LoadUnsafe(ref rr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 4; i += 4) (Vector128.LoadUnsafe(ref yr, (nuint)i) + Vector128.LoadUnsafe(ref rr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref yr, i) += Unsafe.Add(ref rr, i);
        activation.Apply(y);
    }

    /// <summary>
    /// y = act(conv(x, w) + bias [+ residual]) for <paramref name="batch"/> images. Each group is a matrix product of its weights
    /// [OutChannels/Groups, KernelSize] (row-major, as ONNX stores them) with the im2col matrix, built Chunk output pixels at
    /// a time in <paramref name="scratch"/> so it stays in cache; with Chunk 0 a pointwise convolution multiplies the input
    /// directly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Conv(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int batch, in ConvGeometry g,
        FusedActivation activation, Span<float> scratch, ReadOnlySpan<float> residual = default)
    {
        int groups = g.Groups, cg = g.Channels / groups, mg = g.OutChannels / groups, k = g.KernelSize;
        int inPixels = g.InputPixels, outPixels = g.OutputPixels;
        if (groups <= 0 || g.Channels % groups != 0 || g.OutChannels % groups != 0) throw new ArgumentException("Invalid group count.");
        if (x.Length < batch * g.Channels * inPixels || w.Length < groups * g.GroupWeightLength || y.Length < batch * g.OutChannels * outPixels)
            throw new ArgumentException("Conv operand too short.");
        if (!bias.IsEmpty && bias.Length < g.OutChannels) throw new ArgumentException("Conv bias too short.", nameof(bias));
        if (scratch.Length < ConvScratch(g)) throw new ArgumentException("Conv scratch too short.", nameof(scratch));
        bool hasResidual = !residual.IsEmpty;
        if (hasResidual && residual.Length < batch * g.OutChannels * outPixels)
            throw new ArgumentException($"Conv residual too short: expected {batch * g.OutChannels * outPixels} floats.", nameof(residual));
        if (g.InputChannelsLast && (groups != 1 || g.Depth != 1 || g.KernelD != 1 || g.RowsPerBlock > 0 || g.Chunk <= 0))
            throw new ArgumentException("A channels-last Conv input needs the im2col algorithm: 2-D, one group, a non-zero chunk and no rowsPerBlock.");
        if (g.RowsPerBlock > 0)
        {
            ConvImplicit(x, w, bias, y, batch, g, hasResidual ? default : activation, scratch);
            if (hasResidual) AddResidual(y.Slice(0, batch * g.OutChannels * outPixels), residual, activation);
            return;
        }
        int chunk = g.Chunk;
        bool direct = chunk == 0;
        if (direct ? !g.IsPointwise : chunk < 0 || chunk % GemmPanelWidth != 0)
            throw new ArgumentException("Conv chunk must be a positive multiple of 16 (or 0 for a pointwise convolution).");

        for (int n = 0; n < batch; n++)
        {
            for (int gi = 0; gi < groups; gi++)
            {
                var xs = x.Slice((n * g.Channels + gi * cg) * inPixels, cg * inPixels);
                var ws = w.Slice(gi * g.GroupWeightLength, g.GroupWeightLength);
                var ys = y.Slice((n * g.OutChannels + gi * mg) * outPixels, mg * outPixels);
                var bs = bias.IsEmpty ? default : bias.Slice(gi * mg, mg);
                var rs = hasResidual ? residual.Slice((n * g.OutChannels + gi * mg) * outPixels, mg * outPixels) : default;
                var epilogue = new GemmEpilogue(bs, default, 1f, false, activation, rs, ys);
                if (direct)
                {
                    GemmRowMajorCore(ws, k, xs, outPixels, mg, outPixels, k, ys, outPixels, scratch, epilogue, g.PackedWeights);
                    continue;
                }
                for (int q0 = 0; q0 < outPixels; q0 += chunk)
                {
                    int cols = Math.Min(chunk, outPixels - q0);
                    Im2Col(xs, scratch, g, cg, q0, cols, chunk);
                    GemmPanels(ref MemoryMarshal.GetReference(ws), k, ref MemoryMarshal.GetReference(scratch), chunk, GemmPanelWidth,
                        (cols + GemmPanelWidth - 1) / GemmPanelWidth, ref Unsafe.NullRef<float>(), mg, cols, k,
                        ref MemoryMarshal.GetReference(ys.Slice(q0)), outPixels, epilogue, g.PackedWeights);
                }
            }
        }
    }

    /// <summary>
    /// Stride-1 2-D convolution as an implicit GEMM: per block of output rows, each input channel's rows are copied with
    /// their zero padding into rows of PaddedRowLength; then row (c, kh, kw) of the virtual im2col matrix is that copy
    /// shifted by kh·dilationH rows and kw·dilationW columns, which the GEMM reads through a table of offsets. The product
    /// covers the padded row width (the last (KernelW − 1)·DilationW columns of each row are discarded), lands in scratch
    /// with bias and activation applied, and is compacted into y.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvImplicit(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int batch, in ConvGeometry g,
        FusedActivation activation, Span<float> scratch)
    {
        if (g.StrideD != 1 || g.StrideH != 1 || g.StrideW != 1 || g.KernelD != 1 || g.Depth != 1 || g.OutDepth != 1)
            throw new ArgumentException("The implicit convolution needs a 2-D, stride-1 geometry.");
        int groups = g.Groups, cg = g.Channels / groups, mg = g.OutChannels / groups, k = g.KernelSize;
        int H = g.Height, W = g.Width, OH = g.OutHeight, OW = g.OutWidth, KH = g.KernelH, KW = g.KernelW;
        int rl = g.PaddedRowLength, planeLength = g.PaddedPlaneLength, block = g.RowsPerBlock, chunk = g.Chunk;
        int inPixels = H * W, outPixels = OH * OW;
        bool gather = chunk > 0;
        if (gather && (chunk % GemmPanelWidth != 0 || chunk < block * OW)) throw new ArgumentException("Conv chunk must be a multiple of 16 holding a block of output rows.");
        var offsets = MemoryMarshal.Cast<float, int>(scratch.Slice(0, k));
        var planes = scratch.Slice(k, cg * planeLength);
        var product = scratch.Slice(k + cg * planeLength, gather ? k * chunk + GemmPanelWidth : mg * block * rl);
        for (int c = 0, row = 0; c < cg; c++)
            for (int kh = 0; kh < KH; kh++)
                for (int kw = 0; kw < KW; kw++, row++)
                    offsets[row] = c * planeLength + kh * g.DilationH * rl + kw * g.DilationW;
        int rows = block + (KH - 1) * g.DilationH;
        // PadPlane writes rows·rl floats of each plane; the slack after them is only read for discarded columns: keep it finite.
        if (!gather)
            for (int c = 0; c < cg; c++)
                planes.Slice(c * planeLength + rows * rl, planeLength - rows * rl).Clear();
        for (int n = 0; n < batch; n++)
            for (int gi = 0; gi < groups; gi++)
            {
                var xs = x.Slice((n * g.Channels + gi * cg) * inPixels, cg * inPixels);
                var ws = w.Slice(gi * g.GroupWeightLength, g.GroupWeightLength);
                var ys = y.Slice((n * g.OutChannels + gi * mg) * outPixels, mg * outPixels);
                var epilogue = new GemmEpilogue(bias.IsEmpty ? default : bias.Slice(gi * mg, mg), default, 1f, false, activation);
                for (int oy0 = 0; oy0 < OH; oy0 += block)
                {
                    int count = Math.Min(block, OH - oy0), cols = count * rl;
                    for (int c = 0; c < cg; c++)
                        PadPlane(xs.Slice(c * inPixels, inPixels), H, W, g.PadTop - oy0, g.PadLeft, 1, rows, rl, planes.Slice(c * planeLength, planeLength));
                    if (gather)
                    {
                        // Row p of the block's im2col matrix: count rows of OW floats at offsets[p], then zeros to the panel edge.
                        // Rows are written in order with whole vectors, which may spill up to 15 floats past a row's
                        // data: into the next row (rewritten after), the zeroed tail, or the 16 floats of slack.
                        int width = count * OW, padded = (width + GemmPanelWidth - 1) / GemmPanelWidth * GemmPanelWidth;
                        ref float pl = ref MemoryMarshal.GetReference(planes);
                        ref int off = ref MemoryMarshal.GetReference(offsets);
                        ref float dst = ref MemoryMarshal.GetReference(product);
                        for (int p = 0; p < k; p++, dst = ref Unsafe.Add(ref dst, chunk))
                        {
                            ref float src = ref Unsafe.Add(ref pl, Unsafe.Add(ref off, p));
                            GatherRows(ref src, rl, ref dst, OW, count);
                            ZeroSmall(ref Unsafe.Add(ref dst, width), padded - width);
                        }
                        GemmPanels(ref MemoryMarshal.GetReference(ws), k, ref MemoryMarshal.GetReference(product), chunk, GemmPanelWidth,
                            padded / GemmPanelWidth, ref Unsafe.NullRef<float>(), mg, width, k,
                            ref MemoryMarshal.GetReference(ys.Slice(oy0 * OW)), outPixels, epilogue, g.PackedWeights);
                        continue;
                    }
                    GemmPanels(ref MemoryMarshal.GetReference(ws), k, ref MemoryMarshal.GetReference(planes), 0, GemmPanelWidth,
                        (cols + GemmPanelWidth - 1) / GemmPanelWidth, ref Unsafe.NullRef<float>(), mg, cols, k,
                        ref MemoryMarshal.GetReference(product), cols, epilogue, ref MemoryMarshal.GetReference(offsets), g.PackedWeights);
                    for (int m = 0; m < mg; m++)
                        for (int r = 0; r < count; r++)
                            Copy(ref Unsafe.Add(ref MemoryMarshal.GetReference(product), m * cols + r * rl),
                                ref Unsafe.Add(ref MemoryMarshal.GetReference(ys), m * outPixels + (oy0 + r) * OW), OW);
                }
            }
    }

    /// <summary>
    /// d[r·n + j] = s[r·stride + j] for r &lt; count, j &lt; n. Rows of up to 16 floats are moved as one vector, so up to
    /// 15 floats past each row are read from s (the padded planes' slack covers them) and written to d (callers leave room).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GatherRows(ref float s, int stride, ref float d, int n, int count)
    {
        if (Vector128.IsHardwareAccelerated && n <= 4)
        {
            for (int r = 0; r < count; r++) Vector128.LoadUnsafe(ref s, (nuint)(r * stride)).StoreUnsafe(ref d, (nuint)(r * n));
        }
        else if (Vector256.IsHardwareAccelerated && n <= 8)
        {
            for (int r = 0; r < count; r++) Vector256.LoadUnsafe(ref s, (nuint)(r * stride)).StoreUnsafe(ref d, (nuint)(r * n));
        }
        else if (Vector512.IsHardwareAccelerated && n <= 16)
        {
            for (int r = 0; r < count; r++) Vector512.LoadUnsafe(ref s, (nuint)(r * stride)).StoreUnsafe(ref d, (nuint)(r * n));
        }
        else
        {
            for (int r = 0; r < count; r++) Copy(ref Unsafe.Add(ref s, r * stride), ref Unsafe.Add(ref d, r * n), n);
        }
    }

    /// <summary>
    /// Rows (c, kd, kh, kw) × output pixels [q0, q0 + cols) of the im2col matrix of one group's input, row-major with row
    /// stride <paramref name="ld"/>; columns past cols up to the next multiple of 16 are zeroed so the micro-kernels read
    /// only finite values. The pixel range is cut into runs along output rows once; each run of each row of the matrix
    /// is then a zero prefix, a (strided) copy of one input row and a zero suffix.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Im2Col(ReadOnlySpan<float> x, Span<float> dst, in ConvGeometry g, int channels, int q0, int cols, int ld)
    {
        if (g.InputChannelsLast)
        {
            Im2ColChannelsLast(x, dst, g, q0, cols, ld);
            return;
        }
        int D = g.Depth, H = g.Height, W = g.Width, OH = g.OutHeight, OW = g.OutWidth, KW = g.KernelW, sw = g.StrideW;
        int plane = D * H * W;
        int padded = (cols + GemmPanelWidth - 1) / GemmPanelWidth * GemmPanelWidth;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(dst);

        if (g.IsPointwise)
        {
            for (int c = 0; c < channels; c++)
            {
                ref float d = ref Unsafe.Add(ref dr, c * ld);
                Copy(ref Unsafe.Add(ref xr, c * plane + q0), ref d, cols);
                ZeroSmall(ref Unsafe.Add(ref d, cols), padded - cols);
            }
            return;
        }

        // Runs of the chunk along output rows: (first output column, length, input z, input y of kernel row 0).
        int maxRuns = cols / Math.Max(OW, 1) + 2;
        Span<int> runOx = stackalloc int[maxRuns], runLen = stackalloc int[maxRuns], runZ = stackalloc int[maxRuns], runY = stackalloc int[maxRuns];
        int runs = 0;
        for (int q = q0, end = q0 + cols; q < end; runs++)
        {
            int outRow = q / OW, ox0 = q - outRow * OW;
            int od = outRow / OH, oy = outRow - od * OH;
            runOx[runs] = ox0;
            runLen[runs] = Math.Min(OW - ox0, end - q);
            runZ[runs] = od * g.StrideD - g.PadFront;
            runY[runs] = oy * g.StrideH - g.PadTop;
            q += runLen[runs];
        }
        // Per kernel column: offset into the input row and the output columns whose input column is inside the image.
        Span<int> dxs = stackalloc int[KW], los = stackalloc int[KW], his = stackalloc int[KW];
        for (int kw = 0; kw < KW; kw++)
        {
            int dx = kw * g.DilationW - g.PadLeft;
            dxs[kw] = dx;
            los[kw] = dx >= 0 ? 0 : Math.Min(OW, (-dx + sw - 1) / sw);
            his[kw] = W - dx <= 0 ? 0 : Math.Min(OW, (W - 1 - dx) / sw + 1);
        }

        int row = 0;
        for (int c = 0; c < channels; c++)
            for (int kd = 0; kd < g.KernelD; kd++)
                for (int kh = 0; kh < g.KernelH; kh++)
                {
                    int dz = kd * g.DilationD, dy = kh * g.DilationH;
                    for (int kw = 0; kw < KW; kw++, row++)
                    {
                        ref float d = ref Unsafe.Add(ref dr, row * ld);
                        int dx = dxs[kw], lo = los[kw], hi = his[kw];
                        for (int r = 0; r < runs; r++)
                        {
                            int ox0 = runOx[r], len = runLen[r], iz = runZ[r] + dz, iy = runY[r] + dy;
                            if ((uint)iz >= (uint)D || (uint)iy >= (uint)H)
                            {
                                ZeroSmall(ref d, len);
                            }
                            else
                            {
                                ref float src = ref Unsafe.Add(ref xr, c * plane + (iz * H + iy) * W + dx);
                                int a = Math.Min(Math.Max(lo, ox0), ox0 + len), b = Math.Min(Math.Max(hi, a), ox0 + len);
                                ZeroSmall(ref d, a - ox0);
                                if (sw == 1) Copy(ref Unsafe.Add(ref src, a), ref Unsafe.Add(ref d, a - ox0), b - a);
                                else if (sw == 2) CopyEvens(ref Unsafe.Add(ref src, 2 * a), ref Unsafe.Add(ref d, a - ox0), b - a);
                                else
                                {
                                    ref float t = ref Unsafe.Add(ref d, a - ox0);
                                    for (int i = 0, n = b - a; i < n; i++) Unsafe.Add(ref t, i) = Unsafe.Add(ref src, (a + i) * sw);
                                }
                                ZeroSmall(ref Unsafe.Add(ref d, b - ox0), ox0 + len - b);
                            }
                            d = ref Unsafe.Add(ref d, len);
                        }
                        ZeroSmall(ref d, padded - cols);
                    }
                }
    }

    /// <summary>
    /// <see cref="Im2Col"/> for a channels-last 2-D input of one group, x[(iy·W + ix)·C + c]: the same matrix, rows
    /// (c, kh, kw) × output pixels [q0, q0 + cols). For one kernel row kh and one output pixel, the KW·C values of rows
    /// (·, kh, ·) lie side by side in x (with dilation 1, at (iy·W + ox·strideW − padLeft)·C + kw·C + c); inside the image
    /// they are moved as 8×8 transposes (8 pixels × 8 of those values), everything else (image borders, a remainder of
    /// pixels, fewer than 8 values) one float at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Im2ColChannelsLast(ReadOnlySpan<float> x, Span<float> dst, in ConvGeometry g, int q0, int cols, int ld)
    {
        int C = g.Channels, H = g.Height, W = g.Width, OW = g.OutWidth, KH = g.KernelH, KW = g.KernelW, sw = g.StrideW, dw = g.DilationW;
        int taps = KH * KW, rows = C * taps, span = KW * C, step = sw * C;
        int padded = (cols + GemmPanelWidth - 1) / GemmPanelWidth * GemmPanelWidth;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        // Pixels per transposed block: 8 with AVX, 4 with SSE, none without (or with a dilated window, or too few values).
        int block = dw != 1 ? 0
            : span >= 8 && System.Runtime.Intrinsics.X86.Avx.IsSupported && Vector256.IsHardwareAccelerated ? 8
            : span >= 4 && System.Runtime.Intrinsics.X86.Sse.IsSupported && Vector128.IsHardwareAccelerated ? 4 : 0;
        // Per kernel column: offset into the input row and the output columns whose input column is inside the image.
        Span<int> dxs = stackalloc int[KW], los = stackalloc int[KW], his = stackalloc int[KW];
        for (int kw = 0; kw < KW; kw++)
        {
            int dx = kw * dw - g.PadLeft;
            dxs[kw] = dx;
            los[kw] = dx >= 0 ? 0 : Math.Min(OW, (-dx + sw - 1) / sw);
            his[kw] = W - dx <= 0 ? 0 : Math.Min(OW, (W - 1 - dx) / sw + 1);
        }
        // Row offsets in dst of value t = kw·C + c of kernel row 0 (kernel row kh adds kh·KW·ld).
        Span<int> rowOf = stackalloc int[span];
        for (int kw = 0; kw < KW; kw++)
            for (int c = 0; c < C; c++)
                rowOf[kw * C + c] = (c * taps + kw) * ld;
        // Output columns where every kernel column is inside the image.
        int innerLo = los[0], innerHi = his[KW - 1];

        int done = 0;
        for (int q = q0, end = q0 + cols; q < end;)
        {
            int oy = q / OW, ox0 = q - oy * OW, len = Math.Min(OW - ox0, end - q), ox1 = ox0 + len;
            for (int kh = 0; kh < KH; kh++)
            {
                int iy = oy * g.StrideH - g.PadTop + kh * g.DilationH;
                bool inside = (uint)iy < (uint)H;
                ref float dk = ref Unsafe.Add(ref dr, kh * KW * ld + done);
                // The transposed pixels [va, vb), inside every kernel column's range: blocks, the last one overlapping
                // the one before it (when there are at least block pixels).
                int va = Math.Min(Math.Max(innerLo, ox0), ox1), vb = va;
                if (block > 0 && inside && Math.Min(innerHi, ox1) - va >= block) vb = Math.Min(innerHi, ox1);
                for (int kw = 0; kw < KW; kw++)
                {
                    int a = Math.Min(Math.Max(los[kw], ox0), ox1), b = Math.Min(Math.Max(his[kw], a), ox1);
                    if (!inside) a = b = ox1;
                    for (int c = 0; c < C; c++)
                    {
                        ref float d = ref Unsafe.Add(ref dk, rowOf[kw * C + c] - ox0);
                        ZeroSmall(ref Unsafe.Add(ref d, ox0), a - ox0);
                        if (a < b)
                        {
                            ref float s = ref Unsafe.Add(ref xr, (iy * W + a * sw + dxs[kw]) * C + c);
                            // [a, b) less the transposed block [va, vb).
                            int split = vb > va ? va - a : b - a, resume = vb > va ? vb - a : b - a;
                            for (int i = 0; i < split; i++) Unsafe.Add(ref d, a + i) = Unsafe.Add(ref s, i * step);
                            for (int i = resume; i < b - a; i++) Unsafe.Add(ref d, a + i) = Unsafe.Add(ref s, i * step);
                        }
                        ZeroSmall(ref Unsafe.Add(ref d, b), ox1 - b);
                    }
                }
                if (vb > va && block == 8)
                    TransposeBlocks8(ref Unsafe.Add(ref xr, (iy * W + va * sw - g.PadLeft) * C), step, span, vb - va, ref Unsafe.Add(ref dk, va - ox0), rowOf);
                else if (vb > va)
                    TransposeBlocks4(ref Unsafe.Add(ref xr, (iy * W + va * sw - g.PadLeft) * C), step, span, vb - va, ref Unsafe.Add(ref dk, va - ox0), rowOf);
            }
            done += len;
            q += len;
        }
        for (int row = 0; row < rows; row++) ZeroSmall(ref Unsafe.Add(ref dr, row * ld + cols), padded - cols);
    }

    /// <summary>
    /// d[rowOf[t] + j] = s[j·step + t] for t &lt; span and j &lt; count (both at least 8): 8×8 transposes in AVX
    /// registers; a last partial group of 8 values, or of 8 pixels, overlaps the one before it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeBlocks8(ref float s, int step, int span, int count, ref float d, ReadOnlySpan<int> rowOf)
    {
        for (int t0 = 0; t0 < span; t0 += 8)
        {
            int t = Math.Min(t0, span - 8);
            int o0 = rowOf[t], o1 = rowOf[t + 1], o2 = rowOf[t + 2], o3 = rowOf[t + 3], o4 = rowOf[t + 4], o5 = rowOf[t + 5], o6 = rowOf[t + 6], o7 = rowOf[t + 7];
            for (int j0 = 0; j0 < count; j0 += 8)
            {
                int j = Math.Min(j0, count - 8);
                ref float b = ref Unsafe.Add(ref s, j * step + t);
                Transpose8x8(
                    Vector256.LoadUnsafe(ref b), Vector256.LoadUnsafe(ref b, (nuint)step), Vector256.LoadUnsafe(ref b, (nuint)(2 * step)), Vector256.LoadUnsafe(ref b, (nuint)(3 * step)),
                    Vector256.LoadUnsafe(ref b, (nuint)(4 * step)), Vector256.LoadUnsafe(ref b, (nuint)(5 * step)), Vector256.LoadUnsafe(ref b, (nuint)(6 * step)), Vector256.LoadUnsafe(ref b, (nuint)(7 * step)),
                    out var c0, out var c1, out var c2, out var c3, out var c4, out var c5, out var c6, out var c7);
                ref float dj = ref Unsafe.Add(ref d, j);
                c0.StoreUnsafe(ref Unsafe.Add(ref dj, o0)); c1.StoreUnsafe(ref Unsafe.Add(ref dj, o1));
                c2.StoreUnsafe(ref Unsafe.Add(ref dj, o2)); c3.StoreUnsafe(ref Unsafe.Add(ref dj, o3));
                c4.StoreUnsafe(ref Unsafe.Add(ref dj, o4)); c5.StoreUnsafe(ref Unsafe.Add(ref dj, o5));
                c6.StoreUnsafe(ref Unsafe.Add(ref dj, o6)); c7.StoreUnsafe(ref Unsafe.Add(ref dj, o7));
            }
        }
    }

    /// <summary><see cref="TransposeBlocks8"/> with 4×4 transposes in SSE registers: span and count at least 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeBlocks4(ref float s, int step, int span, int count, ref float d, ReadOnlySpan<int> rowOf)
    {
        for (int t0 = 0; t0 < span; t0 += 4)
        {
            int t = Math.Min(t0, span - 4);
            int o0 = rowOf[t], o1 = rowOf[t + 1], o2 = rowOf[t + 2], o3 = rowOf[t + 3];
            for (int j0 = 0; j0 < count; j0 += 4)
            {
                int j = Math.Min(j0, count - 4);
                ref float b = ref Unsafe.Add(ref s, j * step + t);
                var r0 = Vector128.LoadUnsafe(ref b); var r1 = Vector128.LoadUnsafe(ref b, (nuint)step);
                var r2 = Vector128.LoadUnsafe(ref b, (nuint)(2 * step)); var r3 = Vector128.LoadUnsafe(ref b, (nuint)(3 * step));
                var lo01 = System.Runtime.Intrinsics.X86.Sse.UnpackLow(r0, r1); var lo23 = System.Runtime.Intrinsics.X86.Sse.UnpackLow(r2, r3);
                var hi01 = System.Runtime.Intrinsics.X86.Sse.UnpackHigh(r0, r1); var hi23 = System.Runtime.Intrinsics.X86.Sse.UnpackHigh(r2, r3);
                ref float dj = ref Unsafe.Add(ref d, j);
                System.Runtime.Intrinsics.X86.Sse.MoveLowToHigh(lo01, lo23).StoreUnsafe(ref Unsafe.Add(ref dj, o0));
                System.Runtime.Intrinsics.X86.Sse.MoveHighToLow(lo23, lo01).StoreUnsafe(ref Unsafe.Add(ref dj, o1));
                System.Runtime.Intrinsics.X86.Sse.MoveLowToHigh(hi01, hi23).StoreUnsafe(ref Unsafe.Add(ref dj, o2));
                System.Runtime.Intrinsics.X86.Sse.MoveHighToLow(hi23, hi01).StoreUnsafe(ref Unsafe.Add(ref dj, o3));
            }
        }
    }

    /// <summary>The 8×8 transpose of rows r0..r7: c_i[j] = r_j[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7,
        out Vector256<float> c0, out Vector256<float> c1, out Vector256<float> c2, out Vector256<float> c3,
        out Vector256<float> c4, out Vector256<float> c5, out Vector256<float> c6, out Vector256<float> c7)
    {
        var t0 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r0, r1); var t1 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r0, r1);
        var t2 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r2, r3); var t3 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r2, r3);
        var t4 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r4, r5); var t5 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r4, r5);
        var t6 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r6, r7); var t7 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r6, r7);
        var u0 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t0, t2, 0x44); var u1 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t0, t2, 0xEE);
        var u2 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t1, t3, 0x44); var u3 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t1, t3, 0xEE);
        var u4 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t4, t6, 0x44); var u5 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t4, t6, 0xEE);
        var u6 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t5, t7, 0x44); var u7 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t5, t7, 0xEE);
        c0 = System.Runtime.Intrinsics.X86.Avx.Permute2x128(u0, u4, 0x20); c1 = System.Runtime.Intrinsics.X86.Avx.Permute2x128(u1, u5, 0x20);
        c2 = System.Runtime.Intrinsics.X86.Avx.Permute2x128(u2, u6, 0x20); c3 = System.Runtime.Intrinsics.X86.Avx.Permute2x128(u3, u7, 0x20);
        c4 = System.Runtime.Intrinsics.X86.Avx.Permute2x128(u0, u4, 0x31); c5 = System.Runtime.Intrinsics.X86.Avx.Permute2x128(u1, u5, 0x31);
        c6 = System.Runtime.Intrinsics.X86.Avx.Permute2x128(u2, u6, 0x31); c7 = System.Runtime.Intrinsics.X86.Avx.Permute2x128(u3, u7, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ZeroSmall(ref float d, int n)
    {
        if (n <= 0) return;
        if (n > 32) { MemoryMarshal.CreateSpan(ref d, n).Clear(); return; }
        for (int i = 0; i < n; i++) Unsafe.Add(ref d, i) = 0f;
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

    /// <summary>
    /// Copies one [height, width] plane into <paramref name="dst"/> with zero padding, split by column phase for a strided
    /// window: dst[phase, r, j] = plane[r − padTop, j·stride + phase − padLeft], or 0 outside the plane, for r &lt; rows and
    /// j &lt; rowLength. A depthwise kernel then reads every tap of every output column with unit-stride vector loads and no
    /// bounds checks: tap column kx·dilation of output ox is phase (kx·dilation) % stride, index ox + (kx·dilation) / stride.
    /// With bordersAreZero, dst already holds zeros outside the plane's data (as an earlier call with the same geometry
    /// leaves it), so only the data is written. A rowStride above 1 splits the rows by phase as well:
    /// dst[rowPhase, phase, r, j] holds padded row r·rowStride + rowPhase, so a strided window's rows are consecutive too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PadPlane(ReadOnlySpan<float> plane, int height, int width, int padTop, int padLeft, int stride, int rows, int rowLength, Span<float> dst,
        bool bordersAreZero = false, int rowStride = 1)
    {
        if (plane.Length < height * width || dst.Length < rowStride * stride * rows * rowLength || stride <= 0 || rowStride <= 0)
            throw new ArgumentException("PadPlane operand too short.");
        ref float src = ref MemoryMarshal.GetReference(plane);
        ref float d0 = ref MemoryMarshal.GetReference(dst);
        for (int rowPhase = 0; rowPhase < rowStride; rowPhase++)
        for (int phase = 0; phase < stride; phase++)
        {
            ref float d = ref Unsafe.Add(ref d0, rowPhase * stride * rows * rowLength);
            // Columns j whose source column j·stride + phase − padLeft lies in [0, width).
            int first = phase - padLeft;
            int lo = first >= 0 ? 0 : (-first + stride - 1) / stride;
            int hi = width - 1 - first < 0 ? 0 : Math.Min(rowLength, (width - 1 - first) / stride + 1);
            lo = Math.Min(lo, rowLength);
            hi = Math.Max(hi, lo);
            for (int r = 0; r < rows; r++)
            {
                ref float row = ref Unsafe.Add(ref d, (phase * rows + r) * rowLength);
                int iy = r * rowStride + rowPhase - padTop;
                if ((uint)iy >= (uint)height)
                {
                    if (!bordersAreZero) ZeroSmall(ref row, rowLength);
                    continue;
                }
                if (!bordersAreZero) ZeroSmall(ref row, lo);
                ref float s = ref Unsafe.Add(ref src, iy * width + lo * stride + first);
                if (stride == 1) Copy(ref s, ref Unsafe.Add(ref row, lo), hi - lo);
                else if (stride == 2) CopyEvens(ref s, ref Unsafe.Add(ref row, lo), hi - lo);
                else for (int j = 0; j < hi - lo; j++) Unsafe.Add(ref row, lo + j) = Unsafe.Add(ref s, j * stride);
                if (!bordersAreZero) ZeroSmall(ref Unsafe.Add(ref row, hi), rowLength - hi);
            }
        }
    }

    /// <summary>d[j] = s[2j] for j &lt; n, vectorized with a deinterleaving permute; never reads past s[2(n−1)].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyEvens(ref float s, ref float d, int n)
    {
        int j = 0;
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
        {
            var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            // 2j + 31 must stay below 2n − 1: the last pair of vectors would read one element past the end.
            for (; j + 16 < n; j += 16)
                System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(Vector512.LoadUnsafe(ref s, (nuint)(2 * j)), even, Vector512.LoadUnsafe(ref s, (nuint)(2 * j + 16))).StoreUnsafe(ref d, (nuint)j);
        }
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && Vector256.IsHardwareAccelerated)
        {
            for (; j + 8 < n; j += 8) Evens256(ref Unsafe.Add(ref s, 2 * j)).StoreUnsafe(ref d, (nuint)j);
        }
        if ((System.Runtime.Intrinsics.X86.Sse.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported) && Vector128.IsHardwareAccelerated)
        {
            for (; j + 4 < n; j += 4) Evens128(ref Unsafe.Add(ref s, 2 * j)).StoreUnsafe(ref d, (nuint)j);
        }
        for (; j < n; j++) Unsafe.Add(ref d, j) = Unsafe.Add(ref s, 2 * j);
    }

    /// <summary>y[n, c, i] = x[n, c, i]·scale[c] + shift[c] over [batch, channels, inner]: BatchNormalization with folded parameters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ChannelAffine(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Span<float> y, int batch, int channels, int inner)
    {
        int total = batch * channels * inner;
        if (x.Length < total || y.Length < total || scale.Length < channels || shift.Length < channels) throw new ArgumentException("ChannelAffine operand too short.");
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
            {
                int offset = (n * channels + c) * inner;
                ScaleShift(ref Unsafe.Add(ref MemoryMarshal.GetReference(x), offset), ref Unsafe.Add(ref MemoryMarshal.GetReference(y), offset), inner, scale[c], shift[c]);
            }
    }

    /// <summary>
    /// Inference BatchNormalization with parameters known only at run time:
    /// y = (x − mean[c]) / sqrt(var[c] + epsilon) · scale[c] + bias[c].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BatchNormalization(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance,
        float epsilon, Span<float> y, int batch, int channels, int inner)
    {
        int total = batch * channels * inner;
        if (x.Length < total || y.Length < total || scale.Length < channels || bias.Length < channels || mean.Length < channels || variance.Length < channels)
            throw new ArgumentException("BatchNormalization operand too short.");
        for (int c = 0; c < channels; c++)
        {
            float a = scale[c] / MathF.Sqrt(variance[c] + epsilon);
            float b = bias[c] - mean[c] * a;
            for (int n = 0; n < batch; n++)
            {
                int offset = (n * channels + c) * inner;
                ScaleShift(ref Unsafe.Add(ref MemoryMarshal.GetReference(x), offset), ref Unsafe.Add(ref MemoryMarshal.GetReference(y), offset), inner, a, b);
            }
        }
    }

    /// <summary>
    /// BatchNormalization with training_mode = 1: normalizes with the batch's own per-channel mean and (population)
    /// variance, and writes running_mean = mean·momentum + batch mean·(1 − momentum) (likewise running_var) when those
    /// outputs are wanted (non-empty spans).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BatchNormalizationTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance,
        float epsilon, float momentum, Span<float> y, Span<float> runningMean, Span<float> runningVar, int batch, int channels, int inner)
    {
        int total = batch * channels * inner;
        if (x.Length < total || y.Length < total || scale.Length < channels || bias.Length < channels || mean.Length < channels || variance.Length < channels
            || (!runningMean.IsEmpty && runningMean.Length < channels) || (!runningVar.IsEmpty && runningVar.Length < channels))
            throw new ArgumentException("BatchNormalization operand too short.");
        ref float xr = ref MemoryMarshal.GetReference(x);
        for (int c = 0; c < channels; c++)
        {
            // Two passes (mean, then squared deviations) in double keep the variance exact enough for large batches.
            double sum = 0;
            for (int n = 0; n < batch; n++) sum += Sum(ref Unsafe.Add(ref xr, (n * channels + c) * inner), inner);
            int count = batch * inner;
            float m = (float)(sum / count);
            double squares = 0;
            for (int n = 0; n < batch; n++) squares += SumSquaredDeviations(ref Unsafe.Add(ref xr, (n * channels + c) * inner), inner, m);
            float v = (float)(squares / count);
            float a = scale[c] / MathF.Sqrt(v + epsilon);
            float b = bias[c] - m * a;
            for (int n = 0; n < batch; n++)
            {
                int offset = (n * channels + c) * inner;
                ScaleShift(ref Unsafe.Add(ref xr, offset), ref Unsafe.Add(ref MemoryMarshal.GetReference(y), offset), inner, a, b);
            }
            if (!runningMean.IsEmpty) runningMean[c] = mean[c] * momentum + m * (1f - momentum);
            if (!runningVar.IsEmpty) runningVar[c] = variance[c] * momentum + v * (1f - momentum);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sum(ref float x, int n)
    {
        int i = 0;
        float s = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16) acc += Vector512.LoadUnsafe(ref x, (nuint)i);
            s = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8) acc += Vector256.LoadUnsafe(ref x, (nuint)i);
            s = Vector256.Sum(acc);
        }
        else if (Vector128.IsHardwareAccelerated && n >= 4)
        {
            var acc = Vector128<float>.Zero;
            for (; i <= n - 4; i += 4) acc += Vector128.LoadUnsafe(ref x, (nuint)i);
            s = Vector128.Sum(acc);
        }
        for (; i < n; i++) s += Unsafe.Add(ref x, i);
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float SumSquaredDeviations(ref float x, int n, float mean)
    {
        int i = 0;
        float s = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc = Vector512<float>.Zero; var vm = Vector512.Create(mean);
            for (; i <= n - 16; i += 16) { var d = Vector512.LoadUnsafe(ref x, (nuint)i) - vm; acc += d * d; }
            s = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc = Vector256<float>.Zero; var vm = Vector256.Create(mean);
            for (; i <= n - 8; i += 8) { var d = Vector256.LoadUnsafe(ref x, (nuint)i) - vm; acc += d * d; }
            s = Vector256.Sum(acc);
        }
        else if (Vector128.IsHardwareAccelerated && n >= 4)
        {
            var acc = Vector128<float>.Zero; var vm = Vector128.Create(mean);
            for (; i <= n - 4; i += 4) { var d = Vector128.LoadUnsafe(ref x, (nuint)i) - vm; acc += d * d; }
            s = Vector128.Sum(acc);
        }
        for (; i < n; i++) { float d = Unsafe.Add(ref x, i) - mean; s += d * d; }
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScaleShift(ref float x, ref float y, int n, float a, float b)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(a); var vb = Vector512.Create(b);
            for (; i <= n - 16; i += 16) Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)i), va, vb).StoreUnsafe(ref y, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a); var vb = Vector256.Create(b);
            for (; i <= n - 8; i += 8) Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, (nuint)i), va, vb).StoreUnsafe(ref y, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var va = Vector128.Create(a); var vb = Vector128.Create(b);
            for (; i <= n - 4; i += 4) Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, (nuint)i), va, vb).StoreUnsafe(ref y, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref y, i) = Unsafe.Add(ref x, i) * a + b;
    }
}
