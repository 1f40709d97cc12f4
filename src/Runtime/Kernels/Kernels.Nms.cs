using System;
using System.Runtime.InteropServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// NonMaxSuppression as ONNX Runtime computes it. Per batch, every box's edges and area are computed once; per class,
    /// the candidates (score &gt; scoreThreshold when given) are sorted once as 64-bit keys (descending score, then
    /// ascending index), and each is kept unless its IoU with a box already kept for the class exceeds iouThreshold.
    /// Writes rows (batch, class, box) into <paramref name="selected"/>, their number into count[0], and zeros after them.
    /// iouThreshold: one value, or empty for the default 0; scoreThreshold: one value, or empty for no score filter;
    /// scratch: 28·boxCount + 4·min(maxPerClass, boxCount) bytes or more.
    /// </summary>
    public static void NonMaxSuppression(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, ReadOnlySpan<float> iouThreshold,
        ReadOnlySpan<float> scoreThreshold, Span<long> selected, Span<int> count, Span<byte> scratch,
        int batches, int classes, int boxCount, int maxPerClass, bool centerPointBox)
    {
        float iou = iouThreshold.IsEmpty ? 0f : iouThreshold[0];
        bool filter = !scoreThreshold.IsEmpty;
        float minScore = filter ? scoreThreshold[0] : 0f;
        int n = boxCount;
        int keep = Math.Min(maxPerClass, n);
        var keys = MemoryMarshal.Cast<byte, ulong>(scratch.Slice(0, 8 * n));
        var geometry = MemoryMarshal.Cast<byte, float>(scratch.Slice(8 * n, 20 * n));
        var kept = MemoryMarshal.Cast<byte, int>(scratch.Slice(28 * n, 4 * keep));
        var xMin = geometry.Slice(0, n);
        var xMax = geometry.Slice(n, n);
        var yMin = geometry.Slice(2 * n, n);
        var yMax = geometry.Slice(3 * n, n);
        var area = geometry.Slice(4 * n, n);
        int rows = 0;
        if (keep > 0)
        {
            for (int b = 0; b < batches; b++)
            {
                var box = boxes.Slice(b * n * 4, n * 4);
                for (int i = 0; i < n; i++)
                {
                    float a0 = box[4 * i], a1 = box[4 * i + 1], a2 = box[4 * i + 2], a3 = box[4 * i + 3];
                    if (centerPointBox)
                    {
                        // [x_center, y_center, width, height]
                        float halfW = a2 / 2, halfH = a3 / 2;
                        xMin[i] = a0 - halfW; xMax[i] = a0 + halfW;
                        yMin[i] = a1 - halfH; yMax[i] = a1 + halfH;
                    }
                    else
                    {
                        // [y1, x1, y2, x2], either corner first
                        xMin[i] = Math.Min(a1, a3); xMax[i] = Math.Max(a1, a3);
                        yMin[i] = Math.Min(a0, a2); yMax[i] = Math.Max(a0, a2);
                    }
                    area[i] = (xMax[i] - xMin[i]) * (yMax[i] - yMin[i]);
                }
                for (int c = 0; c < classes; c++)
                {
                    var score = scores.Slice((b * classes + c) * n, n);
                    int candidates = 0;
                    for (int i = 0; i < n; i++)
                    {
                        float s = score[i];
                        if (filter && !(s > minScore)) continue;
                        keys[candidates++] = ((ulong)~OrderedBits(s) << 32) | (uint)i;
                    }
                    var sorted = keys.Slice(0, candidates);
                    sorted.Sort();
                    int keptCount = 0;
                    for (int k = 0; k < sorted.Length && keptCount < keep; k++)
                    {
                        int i = (int)(uint)sorted[k];
                        if (Suppressed(i, kept.Slice(0, keptCount), xMin, xMax, yMin, yMax, area, iou)) continue;
                        kept[keptCount++] = i;
                        var row = selected.Slice(3 * rows++, 3);
                        row[0] = b; row[1] = c; row[2] = i;
                    }
                }
            }
        }
        selected.Slice(3 * rows).Clear();
        count[0] = rows;
    }

    /// <summary>Float bits mapped to an unsigned key that sorts like the value (-0 as +0, so equal scores tie).</summary>
    private static uint OrderedBits(float value)
    {
        if (value == 0) value = 0;
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
    }

    /// <summary>True when box i's IoU with a kept box exceeds the threshold (ONNX Runtime's SuppressByIOU, term by term).</summary>
    private static bool Suppressed(int i, ReadOnlySpan<int> kept, ReadOnlySpan<float> xMin, ReadOnlySpan<float> xMax,
        ReadOnlySpan<float> yMin, ReadOnlySpan<float> yMax, ReadOnlySpan<float> area, float threshold)
    {
        float x0 = xMin[i], x1 = xMax[i], y0 = yMin[i], y1 = yMax[i], a = area[i];
        foreach (int j in kept)
        {
            float ix0 = Math.Max(x0, xMin[j]), ix1 = Math.Min(x1, xMax[j]);
            if (ix1 <= ix0) continue;
            float iy0 = Math.Max(y0, yMin[j]), iy1 = Math.Min(y1, yMax[j]);
            if (iy1 <= iy0) continue;
            float intersection = (ix1 - ix0) * (iy1 - iy0);
            if (intersection <= 0) continue;
            float union = a + area[j] - intersection;
            if (a <= 0 || area[j] <= 0 || union <= 0) continue;
            if (intersection / union > threshold) return true;
        }
        return false;
    }
}
