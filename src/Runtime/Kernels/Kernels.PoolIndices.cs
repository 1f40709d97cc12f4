using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// MaxPool with its Indices output: for each window the first strictly largest value in scan order (depth, height,
    /// width) and its flat position in x, plane · pixels plus the row-major offset within the plane, or with
    /// <paramref name="columnMajor"/> the column-major one (depth fastest, then height, then width), as ONNX Runtime
    /// numbers them. A window with nothing above the type's lowest value (all padding) gives that value and index -1.
    /// An empty <paramref name="indices"/> computes the maximum only (the 8-bit MaxPool).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxPoolWithIndices<T>(ReadOnlySpan<T> x, Span<T> y, Span<long> indices, int planes, in PoolGeometry g, bool columnMajor)
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        int inPixels = g.InputPixels, outPixels = g.OutputPixels;
        bool withIndices = indices.Length != 0;
        if (x.Length < (long)planes * inPixels || y.Length < (long)planes * outPixels || (withIndices && indices.Length < (long)planes * outPixels))
            throw new ArgumentException("MaxPool operand too short.");
        int D = g.Depth, H = g.Height, W = g.Width;
        for (int p = 0; p < planes; p++)
        {
            var plane = x.Slice(p * inPixels, inPixels);
            long planeBase = (long)p * inPixels;
            int o = p * outPixels;
            for (int od = 0; od < g.OutDepth; od++)
            {
                int dStart = od * g.StrideD - g.PadFront;
                var (kdLo, kdHi) = ValidTaps(dStart, g.KernelD, g.DilationD, D);
                for (int oy = 0; oy < g.OutHeight; oy++)
                {
                    int yStart = oy * g.StrideH - g.PadTop;
                    var (kyLo, kyHi) = ValidTaps(yStart, g.KernelH, g.DilationH, H);
                    for (int ox = 0; ox < g.OutWidth; ox++, o++)
                    {
                        int xStart = ox * g.StrideW - g.PadLeft;
                        var (kxLo, kxHi) = ValidTaps(xStart, g.KernelW, g.DilationW, W);
                        T best = T.MinValue;
                        int at = -1;
                        for (int kd = kdLo; kd < kdHi; kd++)
                        {
                            int d = dStart + kd * g.DilationD;
                            for (int ky = kyLo; ky < kyHi; ky++)
                            {
                                int row = (d * H + yStart + ky * g.DilationH) * W + xStart;
                                for (int kx = kxLo; kx < kxHi; kx++)
                                {
                                    int i = row + kx * g.DilationW;
                                    T v = plane[i];
                                    if (v > best) { best = v; at = i; }
                                }
                            }
                        }
                        y[o] = best;
                        if (!withIndices) continue;
                        if (at < 0) { indices[o] = -1; continue; }
                        if (columnMajor)
                        {
                            int w = at % W, rest = at / W, h = rest % H, d = rest / H;
                            at = (w * H + h) * D + d;
                        }
                        indices[o] = planeBase + at;
                    }
                }
            }
        }
    }
}
