using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// RoiAlign on x [batch, channels, height, width] for <paramref name="regions"/> rois [regions, 4] (x1, y1, x2, y2) of
    /// the images batchIndices [regions] into y [regions, channels, outHeight, outWidth]. Each sample's corners and
    /// weights are computed once and applied to every channel, whose accumulators live in <paramref name="scratch"/>
    /// [channels]; the float arithmetic and summation order are ONNX Runtime's. Max mode keeps the largest weighted
    /// corner of each sample (ONNX Runtime's and the reference's rule); a sample outside the image counts as 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RoiAlign(ReadOnlySpan<float> x, ReadOnlySpan<float> rois, ReadOnlySpan<long> batchIndices, Span<float> y, Span<float> scratch,
        int batch, int channels, int height, int width, int regions, int outHeight, int outWidth, int samplingRatio, float spatialScale,
        bool halfPixel, bool max)
    {
        if (batch < 0 || channels < 0 || height < 1 || width < 1 || regions < 0 || outHeight < 1 || outWidth < 1 || samplingRatio < 0)
            throw new ArgumentException("Invalid RoiAlign dimensions.");
        int plane = height * width;
        if (x.Length < (long)batch * channels * plane || rois.Length < 4L * regions || batchIndices.Length < regions
            || y.Length < (long)regions * channels * outHeight * outWidth || scratch.Length < channels)
            throw new ArgumentException("A span is shorter than its RoiAlign shape.");
        var acc = scratch.Slice(0, channels);
        int bins = outHeight * outWidth;
        float offset = halfPixel ? 0.5f : 0f;
        for (int r = 0; r < regions; r++)
        {
            long image = batchIndices[r];
            if (image < 0 || image >= batch) throw new ArgumentOutOfRangeException(nameof(batchIndices), $"batch index {image} is outside [0, {batch}).");
            var source = x.Slice((int)image * channels * plane, channels * plane);
            var output = y.Slice(r * channels * bins, channels * bins);
            float startW = rois[4 * r] * spatialScale - offset, startH = rois[4 * r + 1] * spatialScale - offset;
            float endW = rois[4 * r + 2] * spatialScale - offset, endH = rois[4 * r + 3] * spatialScale - offset;
            float roiW = endW - startW, roiH = endH - startH;
            if (!halfPixel)
            {
                // output_half_pixel forces malformed regions to 1×1.
                roiW = MathF.Max(roiW, 1f);
                roiH = MathF.Max(roiH, 1f);
            }
            float binH = roiH / outHeight, binW = roiW / outWidth;
            int gridH = samplingRatio > 0 ? samplingRatio : RoiGrid(roiH / outHeight);
            int gridW = samplingRatio > 0 ? samplingRatio : RoiGrid(roiW / outWidth);
            float count = Math.Max(gridH * gridW, 1);
            for (int ph = 0; ph < outHeight; ph++)
                for (int pw = 0; pw < outWidth; pw++)
                {
                    acc.Fill(0f);
                    bool first = true;
                    for (int iy = 0; iy < gridH; iy++)
                    {
                        float sy = startH + ph * binH + (iy + 0.5f) * binH / gridH;
                        bool insideY = RoiAxis(sy, height, out int yLow, out int yHigh, out float ly, out float hy);
                        for (int ix = 0; ix < gridW; ix++)
                        {
                            float sx = startW + pw * binW + (ix + 0.5f) * binW / gridW;
                            bool insideX = RoiAxis(sx, width, out int xLow, out int xHigh, out float lx, out float hx);
                            if (!(insideY && insideX))
                            {
                                // ONNX Runtime gives such a sample zero weights at position 0: nothing for avg, a 0 for max.
                                if (max)
                                    for (int c = 0; c < channels; c++) acc[c] = first || acc[c] < 0f ? 0f : acc[c];
                                first = false;
                                continue;
                            }
                            float w1 = hy * hx, w2 = hy * lx, w3 = ly * hx, w4 = ly * lx;
                            int p1 = yLow * width + xLow, p2 = yLow * width + xHigh, p3 = yHigh * width + xLow, p4 = yHigh * width + xHigh;
                            // The four positions lie inside the plane (RoiAxis clamps them), so the channel loops index
                            // from the image start without per-channel bounds checks.
                            ref float d = ref MemoryMarshal.GetReference(source);
                            ref float a = ref MemoryMarshal.GetReference(acc);
                            if (max)
                            {
                                for (int c = 0; c < channels; c++, d = ref Unsafe.Add(ref d, plane))
                                {
                                    float v = RoiMax(RoiMax(RoiMax(w1 * Unsafe.Add(ref d, p1), w2 * Unsafe.Add(ref d, p2)), w3 * Unsafe.Add(ref d, p3)), w4 * Unsafe.Add(ref d, p4));
                                    Unsafe.Add(ref a, c) = first ? v : RoiMax(Unsafe.Add(ref a, c), v);
                                }
                            }
                            else
                            {
                                for (int c = 0; c < channels; c++, d = ref Unsafe.Add(ref d, plane))
                                    Unsafe.Add(ref a, c) += w1 * Unsafe.Add(ref d, p1) + w2 * Unsafe.Add(ref d, p2) + w3 * Unsafe.Add(ref d, p3) + w4 * Unsafe.Add(ref d, p4);
                            }
                            first = false;
                        }
                    }
                    int bin = ph * outWidth + pw;
                    for (int c = 0; c < channels; c++) output[c * bins + bin] = max ? acc[c] : acc[c] / count;
                }
        }
    }

    /// <summary>std::max's rule: the first unless it is less than the second.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RoiMax(float a, float b) => a < b ? b : a;

    /// <summary>Adaptive samples per bin: ceil of the bin size, 0 for an empty or inverted region.</summary>
    private static int RoiGrid(float binSize)
    {
        float g = MathF.Ceiling(binSize);
        return g > 0f ? (g < 1 << 20 ? (int)g : 1 << 20) : 0;
    }

    /// <summary>The two neighbours and weights of one sample coordinate; false when it lies beyond [-1, size].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool RoiAxis(float v, int size, out int low, out int high, out float l, out float h)
    {
        if (!(v >= -1f && v <= size)) { low = high = 0; l = h = 0f; return false; }
        if (v <= 0f) v = 0f;
        low = (int)v;
        if (low >= size - 1) { low = high = size - 1; v = low; }
        else high = low + 1;
        l = v - low;
        h = 1f - l;
        return true;
    }
}
