using System;
using System.Runtime.CompilerServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// QuantizeLinear to a bits-only type (<paramref name="type"/>: its ONNX number), laid out as Kernels.QuantizeLinear
    /// (per-tensor, per-axis or blocked scale). float8: x / scale cast with <paramref name="saturate"/>, the zero point
    /// ignored (ONNX requires it to be 0); float4e2m1: x / scale + zero point, cast (saturating); int4/uint4/int2/uint2:
    /// x / scale in float (NaN to the minimum), clamped to the range minus the zero point, rounded half to even, plus the
    /// zero point. Scalar: the formats are rare and the conversion is bit manipulation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QuantizeLinearFormat<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<T> zeroPoint, Span<T> y,
        int axisLength, int inner, int blockSize, int type, bool saturate) where T : unmanaged
    {
        if (y.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(y));
        bool integer = ElementFormats.IsSmallInteger(type);
        var (min, max) = type switch
        {
            ElementFormats.Int4 => (-8, 7),
            ElementFormats.UInt4 => (0, 15),
            ElementFormats.Int2 => (-2, 1),
            _ => (0, 3),
        };
        for (int i = 0; i < x.Length; i++)
        {
            int k = QuantizationScaleIndex(i, axisLength, inner, blockSize);
            float q = x[i] / scale[k];
            if (integer)
            {
                int zp = zeroPoint.IsEmpty ? 0 : RawBits(zeroPoint[k]);
                float lo = min - zp, hi = max - zp;
                q = float.IsNaN(q) ? lo : Math.Min(Math.Max(q, lo), hi);
                y[i] = FromRawBits<T>(ElementFormats.Wrap((int)MathF.Round(q, MidpointRounding.ToEven) + zp, type));
            }
            else
            {
                if (type == ElementFormats.Float4E2M1 && !zeroPoint.IsEmpty) q += ElementFormats.Decode(type, RawBits(zeroPoint[k]));
                y[i] = FromRawBits<T>(ElementFormats.Encode(type, q, saturate, ElementFormats.RoundUp));
            }
        }
    }

    /// <summary>
    /// DequantizeLinear from a bits-only type: (x - zero point) · scale in float for int4/uint4/int2/uint2; the float
    /// formats' value · scale (their zero point is 0 by ONNX's rule, or ignored for float4e2m1, as the reference does).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DequantizeLinearFormat<T>(ReadOnlySpan<T> x, ReadOnlySpan<float> scale, ReadOnlySpan<T> zeroPoint, Span<float> y,
        int axisLength, int inner, int blockSize, int type) where T : unmanaged
    {
        if (y.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(y));
        bool integer = ElementFormats.IsSmallInteger(type);
        for (int i = 0; i < x.Length; i++)
        {
            int k = QuantizationScaleIndex(i, axisLength, inner, blockSize);
            float v = integer
                ? RawBits(x[i]) - (zeroPoint.IsEmpty ? 0 : RawBits(zeroPoint[k]))
                : ElementFormats.Decode(type, RawBits(x[i]));
            y[i] = v * scale[k];
        }
    }

    /// <summary>Scale index of element <paramref name="index"/> of x viewed as [outer, axisLength, inner], blocked along the axis when blockSize > 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int QuantizationScaleIndex(int index, int axisLength, int inner, int blockSize)
    {
        int a = index / inner % axisLength;
        if (blockSize == 0) return a;
        int blocks = (axisLength + blockSize - 1) / blockSize;
        int o = index / (inner * axisLength), i = index % inner;
        return (o * blocks + a / blockSize) * inner + i;
    }
}
