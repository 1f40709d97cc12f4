using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// Scratch floats <see cref="DeformConv"/> needs: the deformed im2col matrix [channels·kh·kw, pixels], a tap table of
    /// 8 values per pixel and the GEMM's edge panel.
    /// </summary>
    public static long DeformConvScratch(int channels, int group, int kernelH, int kernelW, int pixels) =>
        (long)channels * kernelH * kernelW * pixels + 8L * pixels + 16L * (channels / group) * kernelH * kernelW;

    /// <summary>
    /// DeformConv (2-D): x [batch, channels, height, width], w [outChannels, channels/group, kernelH, kernelW],
    /// offset [batch, offsetGroup·kh·kw·2, outHeight, outWidth] (dy, dx per tap), optional mask [batch, offsetGroup·kh·kw,
    /// outHeight, outWidth] and bias [outChannels] into y [batch, outChannels, outHeight, outWidth]. For each offset group
    /// and tap the four bilinear corners of every output pixel (zero outside the image) and their weights, times the mask,
    /// are computed once into a table and applied to each channel of the group to fill the deformed im2col matrix; then one
    /// GEMM per group multiplies its weights by its rows of that matrix.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DeformConv(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> offset, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> mask, Span<float> y, Span<float> scratch, int batch, int channels, int height, int width, int outChannels,
        int kernelH, int kernelW, int outHeight, int outWidth, int group, int offsetGroup, int strideH, int strideW, int padTop, int padLeft,
        int dilationH, int dilationW)
    {
        if (batch < 0 || channels < 1 || height < 1 || width < 1 || outChannels < 1 || kernelH < 1 || kernelW < 1 || outHeight < 1 || outWidth < 1
            || group < 1 || offsetGroup < 1 || channels % group != 0 || outChannels % group != 0 || channels % offsetGroup != 0)
            throw new ArgumentException("Invalid DeformConv dimensions.");
        int taps = kernelH * kernelW, pixels = outHeight * outWidth, plane = height * width;
        int groupChannels = channels / group, groupOut = outChannels / group, k = groupChannels * taps;
        int offsetChannels = channels / offsetGroup;
        if (x.Length < (long)batch * channels * plane || w.Length < (long)outChannels * k
            || offset.Length < (long)batch * offsetGroup * taps * 2 * pixels || y.Length < (long)batch * outChannels * pixels
            || (bias.Length != 0 && bias.Length < outChannels) || (mask.Length != 0 && mask.Length < (long)batch * offsetGroup * taps * pixels)
            || scratch.Length < DeformConvScratch(channels, group, kernelH, kernelW, pixels))
            throw new ArgumentException("A span is shorter than its DeformConv shape.");
        var columns = scratch.Slice(0, channels * taps * pixels);
        var corners = MemoryMarshal.Cast<float, int>(scratch.Slice(columns.Length, 4 * pixels));
        var weights = scratch.Slice(columns.Length + 4 * pixels, 4 * pixels);
        var edge = scratch.Slice(columns.Length + 8 * pixels);
        for (int n = 0; n < batch; n++)
        {
            var image = x.Slice(n * channels * plane, channels * plane);
            for (int og = 0; og < offsetGroup; og++)
                for (int kh = 0, t = 0; kh < kernelH; kh++)
                    for (int kw = 0; kw < kernelW; kw++, t++)
                    {
                        var dy = offset.Slice(((n * offsetGroup + og) * taps + t) * 2 * pixels, pixels);
                        var dx = offset.Slice((((n * offsetGroup + og) * taps + t) * 2 + 1) * pixels, pixels);
                        var scale = mask.Length == 0 ? default : mask.Slice(((n * offsetGroup + og) * taps + t) * pixels, pixels);
                        for (int oy = 0, p = 0; oy < outHeight; oy++)
                            for (int ox = 0; ox < outWidth; ox++, p++)
                            {
                                float sy = oy * strideH - padTop + kh * dilationH + dy[p];
                                float sx = ox * strideW - padLeft + kw * dilationW + dx[p];
                                float m = scale.Length == 0 ? 1f : scale[p];
                                DeformTaps(sy, sx, height, width, m, corners.Slice(4 * p, 4), weights.Slice(4 * p, 4));
                            }
                        for (int c = og * offsetChannels; c < (og + 1) * offsetChannels; c++)
                        {
                            var source = image.Slice(c * plane, plane);
                            var row = columns.Slice((c * taps + t) * pixels, pixels);
                            ref float s = ref MemoryMarshal.GetReference(source);
                            for (int p = 0; p < pixels; p++)
                            {
                                int q = 4 * p;
                                row[p] = weights[q] * Unsafe.Add(ref s, corners[q]) + weights[q + 1] * Unsafe.Add(ref s, corners[q + 1])
                                    + weights[q + 2] * Unsafe.Add(ref s, corners[q + 2]) + weights[q + 3] * Unsafe.Add(ref s, corners[q + 3]);
                            }
                        }
                    }
            for (int g = 0; g < group; g++)
            {
                var output = y.Slice((n * outChannels + g * groupOut) * pixels, groupOut * pixels);
                GemmRowMajorB(w.Slice(g * groupOut * k, groupOut * k), k, columns.Slice(g * k * pixels, k * pixels), pixels, output, pixels,
                    groupOut, pixels, k, bias.Length == 0 ? default : bias.Slice(g * groupOut, groupOut), default, 1f, false, default, edge);
            }
        }
    }

    /// <summary>
    /// The four bilinear corners of (sy, sx) as offsets into a plane, and their weights times <paramref name="m"/>; a
    /// corner outside the image gets offset 0 and weight 0, a point at or beyond one pixel outside is all zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DeformTaps(float sy, float sx, int height, int width, float m, Span<int> corners, Span<float> weights)
    {
        corners.Clear();
        weights.Clear();
        if (!(sy > -1f && sy < height && sx > -1f && sx < width)) return;
        float fy = MathF.Floor(sy), fx = MathF.Floor(sx);
        int y0 = (int)fy, x0 = (int)fx, y1 = y0 + 1, x1 = x0 + 1;
        float ly = sy - fy, lx = sx - fx, hy = 1f - ly, hx = 1f - lx;
        if (y0 >= 0 && x0 >= 0) { corners[0] = y0 * width + x0; weights[0] = hy * hx * m; }
        if (y0 >= 0 && x1 < width) { corners[1] = y0 * width + x1; weights[1] = hy * lx * m; }
        if (y1 < height && x0 >= 0) { corners[2] = y1 * width + x0; weights[2] = ly * hx * m; }
        if (y1 < height && x1 < width) { corners[3] = y1 * width + x1; weights[3] = ly * lx * m; }
    }
}
