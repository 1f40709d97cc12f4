using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>Scratch floats <see cref="ConvTranspose"/> needs: one column block, the GEMM edge panel and (for weights not transposed at build time) Wᵀ.</summary>
    public static int ConvTransposeScratch(in ConvGeometry g)
    {
        int cg = g.Channels / g.Groups, mg = g.OutChannels / g.Groups, taps = g.KernelD * g.KernelH * g.KernelW;
        int columns = g.Chunk * g.Width;
        return mg * taps * columns + cg * GemmPanelWidth + (g.PackedWeights ? 0 : g.Channels * mg * taps);
    }

    /// <summary>
    /// ConvTranspose (1-D to 3-D, spatial axes padded to depth, height, width; Channels/Depth/Height/Width describe X and
    /// Out* describe Y): per image and group, a GEMM of Wᵀ [M/g·taps, C/g] with a block of <c>g.Chunk</c> input rows gives
    /// every tap's contribution of those pixels, which col2im then adds at its output position. Y starts as the bias and
    /// gets the activation at the end. With <c>g.PackedWeights</c> w is already Wᵀ per group (transposed at build time);
    /// otherwise w is ONNX's [C, M/g, taps] and is transposed into scratch first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ConvTranspose(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int batch,
        in ConvGeometry g, FusedActivation activation, Span<float> scratch)
    {
        int groups = g.Groups, cg = g.Channels / groups, mg = g.OutChannels / groups;
        int taps = g.KernelD * g.KernelH * g.KernelW, rows = mg * taps;
        int inRows = g.Depth * g.Height, inPixels = inRows * g.Width;
        int outPixels = g.OutDepth * g.OutHeight * g.OutWidth;
        if (x.Length < batch * g.Channels * inPixels || y.Length < batch * g.OutChannels * outPixels || w.Length < g.Channels * rows
            || scratch.Length < ConvTransposeScratch(g) || g.Chunk <= 0 || (!bias.IsEmpty && bias.Length < g.OutChannels))
            throw new ArgumentException("ConvTranspose operand too short.");

        int columnFloats = rows * g.Chunk * g.Width;
        var columns = scratch.Slice(0, columnFloats);
        var edge = scratch.Slice(columnFloats, cg * GemmPanelWidth);
        ReadOnlySpan<float> wt = w;
        if (!g.PackedWeights)
        {
            // Wᵀ per group: [C/g, M/g·taps] → [M/g·taps, C/g].
            var t = scratch.Slice(columnFloats + cg * GemmPanelWidth, g.Channels * rows);
            for (int gi = 0; gi < groups; gi++)
                Transpose2D(w.Slice(gi * cg * rows, cg * rows), t.Slice(gi * cg * rows, cg * rows), cg, rows);
            wt = t;
        }

        for (int n = 0; n < batch; n++)
        {
            var yn = y.Slice(n * g.OutChannels * outPixels, g.OutChannels * outPixels);
            if (bias.IsEmpty) yn.Clear();
            else for (int m = 0; m < g.OutChannels; m++) yn.Slice(m * outPixels, outPixels).Fill(bias[m]);
            for (int gi = 0; gi < groups; gi++)
            {
                var xg = x.Slice((n * g.Channels + gi * cg) * inPixels, cg * inPixels);
                var yg = yn.Slice(gi * mg * outPixels, mg * outPixels);
                var a = wt.Slice(gi * cg * rows, cg * rows);
                for (int r0 = 0; r0 < inRows; r0 += g.Chunk)
                {
                    int count = Math.Min(g.Chunk, inRows - r0), width = count * g.Width;
                    GemmRowMajorB(a, cg, xg.Slice(r0 * g.Width), inPixels, columns, width, rows, width, cg,
                        default, default, 1f, false, default, edge);
                    Col2Im(columns, width, yg, mg, r0, count, g);
                }
            }
            if (activation.Kind != ActivationKind.None) activation.Apply(yn);
        }
    }

    /// <summary>Adds column block [M/g·taps, rows·W] (input rows r0..r0+count) into the group's output planes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Col2Im(ReadOnlySpan<float> columns, int ldc, Span<float> y, int channels, int r0, int count, in ConvGeometry g)
    {
        int outPlane = g.OutDepth * g.OutHeight * g.OutWidth, sw = g.StrideW;
        int row = 0;
        for (int m = 0; m < channels; m++)
        {
            var plane = y.Slice(m * outPlane, outPlane);
            for (int kd = 0; kd < g.KernelD; kd++)
                for (int kh = 0; kh < g.KernelH; kh++)
                    for (int kw = 0; kw < g.KernelW; kw++, row++)
                    {
                        var src = columns.Slice(row * ldc, ldc);
                        // Input column iw lands on output column iw·sw + shift; keep those inside [0, OutWidth).
                        int shift = kw * g.DilationW - g.PadLeft;
                        int lo = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
                        int hi = g.OutWidth - 1 - shift < 0 ? -1 : Math.Min(g.Width - 1, (g.OutWidth - 1 - shift) / sw);
                        if (hi < lo) continue;
                        for (int r = 0; r < count; r++)
                        {
                            int ir = r0 + r, id = ir / g.Height, ih = ir - id * g.Height;
                            int od = id * g.StrideD - g.PadFront + kd * g.DilationD;
                            int oh = ih * g.StrideH - g.PadTop + kh * g.DilationH;
                            if ((uint)od >= (uint)g.OutDepth || (uint)oh >= (uint)g.OutHeight) continue;
                            var dst = plane.Slice((od * g.OutHeight + oh) * g.OutWidth, g.OutWidth);
                            var s = src.Slice(r * g.Width, g.Width);
                            if (sw == 1)
                            {
                                var d = dst.Slice(lo + shift, hi - lo + 1);
                                TensorPrimitives.Add(d, s.Slice(lo, hi - lo + 1), d);
                            }
                            else
                            {
                                for (int iw = lo; iw <= hi; iw++) dst[iw * sw + shift] += s[iw];
                            }
                        }
                    }
        }
    }
}
