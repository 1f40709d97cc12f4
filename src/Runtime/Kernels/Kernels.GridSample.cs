using System;
using System.Runtime.CompilerServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>GridSample interpolation modes (the kernel's <c>mode</c> argument).</summary>
    public const int GridSampleLinear = 0, GridSampleNearest = 1, GridSampleCubic = 2;

    /// <summary>GridSample padding modes (the kernel's <c>padding</c> argument).</summary>
    public const int GridPaddingZeros = 0, GridPaddingBorder = 1, GridPaddingReflection = 2;

    /// <summary>
    /// GridSample on x [batch, channels, depth, height, width] (2-D sampling passes depth 1 and
    /// <paramref name="spatialRank"/> 2) at the normalized points of grid [batch, points, spatialRank] (last component
    /// first: x → width, y → height, z → depth) into y [batch, channels, points]. The taps and weights of a point are
    /// computed once and reused for every channel; scalar, as the taps are data-dependent gathers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GridSample(ReadOnlySpan<float> x, ReadOnlySpan<float> grid, Span<float> y, int batch, int channels,
        int depth, int height, int width, int points, int spatialRank, int mode, int padding, bool alignCorners)
    {
        if (batch < 0 || channels < 0 || depth < 1 || height < 1 || width < 1 || points < 0) throw new ArgumentException("Invalid GridSample dimensions.");
        if (spatialRank is not (2 or 3) || (spatialRank == 2 && depth != 1)) throw new ArgumentException("GridSample samples 2-D or 3-D inputs.");
        if (mode is < 0 or > 2 || padding is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(mode), "Unknown GridSample mode.");
        long plane = (long)depth * height * width;
        if (x.Length < (long)batch * channels * plane || grid.Length < (long)batch * points * spatialRank || y.Length < (long)batch * channels * points)
            throw new ArgumentException("A span is shorter than its GridSample shape.");

        // Per axis (depth, height, width): up to four taps, as an element offset (-1 = a zero sample) and a weight.
        Span<int> taps = stackalloc int[12];
        Span<float> weights = stackalloc float[12];
        Span<int> counts = stackalloc int[3];
        Span<int> sizes = stackalloc int[3] { depth, height, width };
        Span<int> strides = stackalloc int[3] { height * width, width, 1 };
        for (int b = 0; b < batch; b++)
        {
            var source = x.Slice((int)(b * channels * plane));
            for (int p = 0; p < points; p++)
            {
                var g = grid.Slice((b * points + p) * spatialRank, spatialRank);
                for (int axis = 0; axis < 3; axis++)
                {
                    int component = spatialRank - 1 - (axis - (3 - spatialRank));
                    if (axis < 3 - spatialRank) { counts[axis] = 1; taps[axis * 4] = 0; weights[axis * 4] = 1f; continue; }
                    counts[axis] = GridSampleTaps(g[component], sizes[axis], strides[axis], mode, padding, alignCorners,
                        taps.Slice(axis * 4, 4), weights.Slice(axis * 4, 4));
                }
                for (int c = 0; c < channels; c++)
                {
                    var channel = source.Slice((int)(c * plane));
                    float sum = 0f;
                    for (int i = 0; i < counts[0]; i++)
                    {
                        if (taps[i] < 0) continue;
                        float sumH = 0f;
                        for (int j = 0; j < counts[1]; j++)
                        {
                            if (taps[4 + j] < 0) continue;
                            int row = taps[i] + taps[4 + j];
                            float sumW = 0f;
                            for (int k = 0; k < counts[2]; k++)
                                if (taps[8 + k] >= 0) sumW += weights[8 + k] * channel[row + taps[8 + k]];
                            sumH += weights[4 + j] * sumW;
                        }
                        sum += weights[i] * sumH;
                    }
                    y[(b * channels + c) * points + p] = sum;
                }
            }
        }
    }

    /// <summary>The taps of one axis: element offsets (stride applied; -1 for a zero-padded tap) and weights.</summary>
    private static int GridSampleTaps(float normalized, int size, int stride, int mode, int padding, bool alignCorners,
        Span<int> taps, Span<float> weights)
    {
        float location = alignCorners ? (normalized + 1f) / 2f * (size - 1) : ((normalized + 1f) * size - 1f) / 2f;
        float low = alignCorners ? 0f : -0.5f, high = alignCorners ? size - 1 : size - 0.5f;
        if (mode == GridSampleNearest)
            // Half to even, as ONNX Runtime and the backend test data do in 2-D and 3-D alike.
            location = MathF.Round(location, MidpointRounding.ToEven);
        // Cubic pads each tap only (as ONNX Runtime and PyTorch do): clamping the location first would flatten a border
        // sample just outside the image instead of continuing the edge's cubic.
        if (mode != GridSampleCubic && (location < low || location > high))
        {
            if (padding == GridPaddingBorder) location = Math.Clamp(location, 0f, size - 1);
            else if (padding == GridPaddingReflection) location = GridReflect(location, low, high);
        }
        if (!float.IsFinite(location)) location = -2f * size - 4f; // NaN or infinite grids sample padding, never index wildly
        if (mode == GridSampleNearest)
        {
            taps[0] = GridTap((long)Math.Clamp(location, -GridFarIndex, GridFarIndex), size, stride, padding, low, high);
            weights[0] = 1f;
            return 1;
        }
        float floor = MathF.Floor(location);
        // The neighbours first - 1 … first + 2 in long, from a floor bounded in float: a grid value around 1e9 would
        // otherwise saturate the int conversion and wrap first + 1, sampling the far edge.
        long first = (long)Math.Clamp(floor, -GridFarIndex, GridFarIndex);
        float t = location - floor;
        if (mode == GridSampleLinear)
        {
            weights[0] = 1f - t; weights[1] = t;
            taps[0] = GridTap(first, size, stride, padding, low, high);
            taps[1] = GridTap(first + 1, size, stride, padding, low, high);
            return 2;
        }
        // Keys cubic convolution with a = -0.75 (PyTorch's bicubic).
        const float a = -0.75f;
        float t1 = t + 1f, u = 1f - t, u1 = 2f - t;
        weights[0] = ((a * t1 - 5f * a) * t1 + 8f * a) * t1 - 4f * a;
        weights[1] = ((a + 2f) * t - (a + 3f)) * t * t + 1f;
        weights[2] = ((a + 2f) * u - (a + 3f)) * u * u + 1f;
        weights[3] = ((a * u1 - 5f * a) * u1 + 8f * a) * u1 - 4f * a;
        for (int i = 0; i < 4; i++) taps[i] = GridTap(first - 1 + i, size, stride, padding, low, high);
        return 4;
    }

    /// <summary>Beyond this a location is far outside any image: its taps are all padding, the edge or a reflection.</summary>
    private const float GridFarIndex = 1L << 40;

    private static int GridTap(long index, int size, int stride, int padding, float low, float high)
    {
        if (padding == GridPaddingZeros) return index >= 0 && index < size ? (int)index * stride : -1;
        if (padding == GridPaddingReflection) index = (long)GridReflect(index, low, high);
        return (int)Math.Clamp(index, 0, size - 1) * stride;
    }

    /// <summary>Reflects by the nearer border until the coordinate lies within [low, high].</summary>
    private static float GridReflect(float v, float low, float high)
    {
        float range = high - low;
        if (range <= 0f) return low;
        if (v < low)
        {
            float d = low - v;
            int n = (int)(d / range);
            float r = d - n * range;
            return n % 2 == 0 ? low + r : high - r;
        }
        if (v > high)
        {
            float d = v - high;
            int n = (int)(d / range);
            float r = d - n * range;
            return n % 2 == 0 ? high - r : low + r;
        }
        return v;
    }

    /// <summary>
    /// AffineGrid: for each batch item, theta [rank, rank + 1] applied to the homogeneous normalized coordinates of every
    /// point of a depth×height×width grid (2-D passes depth 1 and <paramref name="spatialRank"/> 2), written as
    /// [batch, points, spatialRank] with x first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AffineGrid(ReadOnlySpan<float> theta, Span<float> grid, int batch, int depth, int height, int width, int spatialRank, bool alignCorners)
    {
        if (batch < 0 || depth < 1 || height < 1 || width < 1 || spatialRank is not (2 or 3)) throw new ArgumentException("Invalid AffineGrid dimensions.");
        int r = spatialRank, cols = r + 1;
        long points = (long)depth * height * width;
        if (theta.Length < batch * r * cols || grid.Length < batch * points * r) throw new ArgumentException("A span is shorter than its AffineGrid shape.");
        int o = 0;
        for (int b = 0; b < batch; b++)
        {
            var t = theta.Slice(b * r * cols, r * cols);
            for (int d = 0; d < depth; d++)
            {
                float z = AffineCoordinate(d, depth, alignCorners);
                for (int h = 0; h < height; h++)
                {
                    float yv = AffineCoordinate(h, height, alignCorners);
                    for (int w = 0; w < width; w++)
                    {
                        float xv = AffineCoordinate(w, width, alignCorners);
                        for (int i = 0; i < r; i++)
                        {
                            var row = t.Slice(i * cols, cols);
                            grid[o++] = r == 2 ? row[0] * xv + row[1] * yv + row[2] : row[0] * xv + row[1] * yv + row[2] * z + row[3];
                        }
                    }
                }
            }
        }
    }

    /// <summary>The normalized coordinate of index i of n: corner centres at ±1 with alignCorners, else pixel centres.</summary>
    public static float AffineCoordinate(int i, int n, bool alignCorners) =>
        alignCorners ? (n == 1 ? -1f : -1f + 2f * i / (n - 1)) : -1f + (2f * i + 1f) / n;
}
