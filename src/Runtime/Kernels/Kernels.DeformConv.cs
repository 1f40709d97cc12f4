using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// Scratch floats <see cref="DeformConv"/> needs for blocks of <paramref name="chunk"/> output pixels: the deformed
    /// im2col block [channels·kh·kw, chunk], a tap table of 8 values per pixel and the GEMM's edge panel.
    /// </summary>
    public static long DeformConvScratch(int channels, int group, int kernelH, int kernelW, int chunk) =>
        (long)channels * kernelH * kernelW * chunk + 8L * chunk + 16L * (channels / group) * kernelH * kernelW;

    /// <summary>
    /// DeformConv (2-D): x [batch, channels, height, width], w [outChannels, channels/group, kernelH, kernelW],
    /// offset [batch, offsetGroup·kh·kw·2, outHeight, outWidth] (dy, dx per tap), optional mask [batch, offsetGroup·kh·kw,
    /// outHeight, outWidth] and bias [outChannels] into y [batch, outChannels, outHeight, outWidth]. Output pixels go in
    /// blocks of <paramref name="chunk"/>: for each offset group and tap the four bilinear corners of every pixel (zero
    /// outside the image) and their weights, times the mask, are computed once into a table and applied to each channel
    /// of the group to fill the block's deformed im2col matrix; then one GEMM per group writes the block's outputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DeformConv(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> offset, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> mask, Span<float> y, Span<float> scratch, int batch, int channels, int height, int width, int outChannels,
        int kernelH, int kernelW, int outHeight, int outWidth, int group, int offsetGroup, int strideH, int strideW, int padTop, int padLeft,
        int dilationH, int dilationW, int chunk)
    {
        if (batch < 0 || channels < 1 || height < 1 || width < 1 || outChannels < 1 || kernelH < 1 || kernelW < 1 || outHeight < 1 || outWidth < 1
            || group < 1 || offsetGroup < 1 || channels % group != 0 || outChannels % group != 0 || channels % offsetGroup != 0 || chunk < 1)
            throw new ArgumentException("Invalid DeformConv dimensions.");
        int taps = kernelH * kernelW, pixels = outHeight * outWidth, plane = height * width;
        int groupChannels = channels / group, groupOut = outChannels / group, k = groupChannels * taps;
        int offsetChannels = channels / offsetGroup;
        chunk = Math.Min(chunk, pixels);
        if (x.Length < (long)batch * channels * plane || w.Length < (long)outChannels * k
            || offset.Length < (long)batch * offsetGroup * taps * 2 * pixels || y.Length < (long)batch * outChannels * pixels
            || (bias.Length != 0 && bias.Length < outChannels) || (mask.Length != 0 && mask.Length < (long)batch * offsetGroup * taps * pixels)
            || scratch.Length < DeformConvScratch(channels, group, kernelH, kernelW, chunk))
            throw new ArgumentException("A span is shorter than its DeformConv shape.");
        var block = scratch.Slice(0, channels * taps * chunk);
        var corners = MemoryMarshal.Cast<float, int>(scratch.Slice(block.Length, 4 * chunk));
        var weights = scratch.Slice(block.Length + 4 * chunk, 4 * chunk);
        var edge = scratch.Slice(block.Length + 8 * chunk);
        for (int n = 0; n < batch; n++)
        {
            var image = x.Slice(n * channels * plane, channels * plane);
            for (int first = 0; first < pixels; first += chunk)
            {
                int count = Math.Min(chunk, pixels - first);
                var columns = block.Slice(0, channels * taps * count);
                for (int og = 0; og < offsetGroup; og++)
                    for (int kh = 0, t = 0; kh < kernelH; kh++)
                        for (int kw = 0; kw < kernelW; kw++, t++)
                        {
                            int tap = (n * offsetGroup + og) * taps + t;
                            var dy = offset.Slice(2 * tap * pixels + first, count);
                            var dx = offset.Slice((2 * tap + 1) * pixels + first, count);
                            var scale = mask.Length == 0 ? default : mask.Slice(tap * pixels + first, count);
                            for (int i = 0; i < count; i++)
                            {
                                int oy = (first + i) / outWidth, ox = (first + i) - oy * outWidth;
                                float sy = oy * strideH - padTop + kh * dilationH + dy[i];
                                float sx = ox * strideW - padLeft + kw * dilationW + dx[i];
                                DeformTaps(sy, sx, height, width, scale.Length == 0 ? 1f : scale[i], corners.Slice(4 * i, 4), weights.Slice(4 * i, 4));
                            }
                            for (int c = og * offsetChannels; c < (og + 1) * offsetChannels; c++)
                            {
                                ref float s = ref MemoryMarshal.GetReference(image.Slice(c * plane, plane));
                                var row = columns.Slice((c * taps + t) * count, count);
                                for (int i = 0; i < count; i++)
                                {
                                    int q = 4 * i;
                                    // Corners were clamped into the plane by DeformTaps (0 with weight 0 outside).
                                    row[i] = weights[q] * Unsafe.Add(ref s, corners[q]) + weights[q + 1] * Unsafe.Add(ref s, corners[q + 1])
                                        + weights[q + 2] * Unsafe.Add(ref s, corners[q + 2]) + weights[q + 3] * Unsafe.Add(ref s, corners[q + 3]);
                                }
                            }
                        }
                for (int g = 0; g < group; g++)
                {
                    var output = y.Slice((n * outChannels + g * groupOut) * pixels + first);
                    GemmRowMajorB(w.Slice(g * groupOut * k, groupOut * k), k, columns.Slice(g * k * count, k * count), count, output, pixels,
                        groupOut, count, k, bias.Length == 0 ? default : bias.Slice(g * groupOut, groupOut), default, 1f, false, default, edge);
                }
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
