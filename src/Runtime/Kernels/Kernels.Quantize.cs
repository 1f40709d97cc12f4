using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    // Linear (de)quantization as ONNX Runtime's CPU provider computes it, bit for bit:
    //   quantize:   q = x / scale (a true division, not a multiplication by 1/scale), NaN -> the type's minimum,
    //               clamped to [qmin - zp, qmax - zp] in float, rounded half to even, plus zp.
    //   dequantize: y = (float)(x - zp) * scale (x - zp is exact in float for every supported type).
    // Layouts: per-tensor (one scale), per-axis (scale[a] for axis index a) and blocked (the scale tensor has x's shape
    // with the axis divided into ceil(axisLength / blockSize) blocks). axisLength and inner describe x as
    // [outer, axisLength, inner] around the quantization axis.

    /// <summary>
    /// ONNX QuantizeLinear to uint8, int8, uint16 or int16: y = saturate(round_half_even(x / scale) + zeroPoint).
    /// <paramref name="zeroPoint"/> empty means 0. <paramref name="scale"/> has one element (per-tensor), axisLength
    /// elements (per-axis, <paramref name="blockSize"/> 0) or outer * ceil(axisLength / blockSize) * inner (blocked).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QuantizeLinear<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<T> zeroPoint, Span<T> y,
        int axisLength = 1, int inner = 1, int blockSize = 0) where T : unmanaged
    {
        CheckQuantizedType<T>();
        if (y.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(y));
        int outer = CheckQuantizationLayout(x.Length, scale.Length, zeroPoint.Length, axisLength, inner, blockSize);
        ref float src = ref MemoryMarshal.GetReference(x);
        ref T dst = ref MemoryMarshal.GetReference(y);
        if (blockSize == 0 && scale.Length == 1)
        {
            QuantizeRun(ref src, ref dst, x.Length, scale[0], ZeroPointAt(zeroPoint, 0));
            return;
        }
        if (blockSize == 0)
        {
            for (int o = 0; o < outer; o++)
                for (int a = 0; a < axisLength; a++)
                {
                    int start = (o * axisLength + a) * inner;
                    if (inner < Vector128<float>.Count)
                    {
                        // Short rows (a per-axis scale on the innermost axes): element by element, no vector set-up.
                        float sa = scale[a];
                        int za = ZeroPointAt(zeroPoint, a);
                        for (int i = start; i < start + inner; i++) Unsafe.Add(ref dst, i) = QuantizeOne<T>(Unsafe.Add(ref src, i), sa, za);
                        continue;
                    }
                    QuantizeRun(ref Unsafe.Add(ref src, start), ref Unsafe.Add(ref dst, start), inner, scale[a], ZeroPointAt(zeroPoint, a));
                }
            return;
        }
        int blocks = (axisLength + blockSize - 1) / blockSize;
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                // Blocks along the innermost axis: contiguous runs sharing one scale.
                for (int b = 0; b < blocks; b++)
                {
                    int start = o * axisLength + b * blockSize, count = Math.Min(blockSize, axisLength - b * blockSize), k = o * blocks + b;
                    QuantizeRun(ref Unsafe.Add(ref src, start), ref Unsafe.Add(ref dst, start), count, scale[k], ZeroPointAt(zeroPoint, k));
                }
                continue;
            }
            for (int a = 0; a < axisLength; a++)
            {
                int start = (o * axisLength + a) * inner, row = (o * blocks + a / blockSize) * inner;
                for (int i = 0; i < inner; i++)
                    Unsafe.Add(ref dst, start + i) = QuantizeOne<T>(Unsafe.Add(ref src, start + i), scale[row + i], ZeroPointAt(zeroPoint, row + i));
            }
        }
    }

    /// <summary>
    /// ONNX DequantizeLinear from uint8, int8, uint16, int16 or int32: y = (x - zeroPoint) * scale. Layout as in
    /// <see cref="QuantizeLinear{T}"/>; <paramref name="zeroPoint"/> empty means 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DequantizeLinear<T>(ReadOnlySpan<T> x, ReadOnlySpan<float> scale, ReadOnlySpan<T> zeroPoint, Span<float> y,
        int axisLength = 1, int inner = 1, int blockSize = 0) where T : unmanaged
    {
        if (typeof(T) != typeof(int)) CheckQuantizedType<T>();
        if (y.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(y));
        int outer = CheckQuantizationLayout(x.Length, scale.Length, zeroPoint.Length, axisLength, inner, blockSize);
        // Widen to float first (exact for every supported type but int32, where it rounds as C++ does), then
        // (v - zp) * scale in place: v - zp is exact, so this equals (float)(x - zp) * scale.
        Cast(x, y);
        ref float dst = ref MemoryMarshal.GetReference(y);
        if (blockSize == 0 && scale.Length == 1)
        {
            AffineRun(ref dst, x.Length, ZeroPointAt(zeroPoint, 0), scale[0]);
            return;
        }
        if (blockSize == 0)
        {
            if (inner == 1)
            {
                // A per-axis scale on the innermost axis: element-wise scale and zero point along each row.
                for (int o = 0; o < outer; o++)
                    for (int a = 0; a < axisLength; a++)
                    {
                        ref float v = ref Unsafe.Add(ref dst, o * axisLength + a);
                        v = (v - ZeroPointAt(zeroPoint, a)) * scale[a];
                    }
                return;
            }
            for (int o = 0; o < outer; o++)
                for (int a = 0; a < axisLength; a++)
                    AffineRun(ref Unsafe.Add(ref dst, (o * axisLength + a) * inner), inner, ZeroPointAt(zeroPoint, a), scale[a]);
            return;
        }
        int blocks = (axisLength + blockSize - 1) / blockSize;
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                for (int b = 0; b < blocks; b++)
                {
                    int k = o * blocks + b;
                    AffineRun(ref Unsafe.Add(ref dst, o * axisLength + b * blockSize), Math.Min(blockSize, axisLength - b * blockSize), ZeroPointAt(zeroPoint, k), scale[k]);
                }
                continue;
            }
            for (int a = 0; a < axisLength; a++)
            {
                int start = (o * axisLength + a) * inner, row = (o * blocks + a / blockSize) * inner;
                for (int i = 0; i < inner; i++)
                {
                    ref float v = ref Unsafe.Add(ref dst, start + i);
                    v = (v - ZeroPointAt(zeroPoint, row + i)) * scale[row + i];
                }
            }
        }
    }

    /// <summary>
    /// ONNX DynamicQuantizeLinear (uint8) as ONNX Runtime computes it: min and max of x widened to include 0,
    /// scale = (max - min) / 255, zeroPoint = round_half_even(clamp(0 - min / scale, 0, 255)), then
    /// <see cref="QuantizeLinear{T}"/> with that scale and zero point. When x is all zeros (max == min) ONNX Runtime
    /// uses scale 1 rather than dividing by zero; so does this.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DynamicQuantizeLinear(ReadOnlySpan<float> x, Span<byte> y, Span<float> scale, Span<byte> zeroPoint)
    {
        if (y.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(y));
        if (scale.Length < 1) throw new ArgumentException("Expected one element for the scale.", nameof(scale));
        if (zeroPoint.Length < 1) throw new ArgumentException("Expected one element for the zero point.", nameof(zeroPoint));
        float min = 0, max = 0;
        if (x.Length > 0) MinMax(x, out min, out max);
        min = Math.Min(min, 0f);
        max = Math.Max(max, 0f);
        float s = max == min ? 1f : (max - min) / 255f;
        float z = 0f - min / s;
        z = MathF.Round(Math.Clamp(z, 0f, 255f), MidpointRounding.ToEven);
        byte zp = (byte)z;
        scale[0] = s;
        zeroPoint[0] = zp;
        QuantizeRun(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length, s, zp);
    }

    private static void CheckQuantizedType<T>()
    {
        if (typeof(T) != typeof(byte) && typeof(T) != typeof(sbyte) && typeof(T) != typeof(short) && typeof(T) != typeof(ushort))
            throw new ArgumentException($"Expected a quantized element type uint8, int8, uint16 or int16 (int32 also for dequantization), not {typeof(T).Name}.");
    }

    /// <summary>Validates the layout arguments; returns the outer count.</summary>
    private static int CheckQuantizationLayout(int length, int scales, int zeroPoints, int axisLength, int inner, int blockSize)
    {
        if (axisLength < 1 || inner < 1 || blockSize < 0) throw new ArgumentException($"Expected axisLength >= 1, inner >= 1 and blockSize >= 0, got {axisLength}, {inner} and {blockSize}.");
        if (length % (axisLength * inner) != 0) throw new ArgumentException($"Expected the input length {length} to be a multiple of axisLength * inner = {axisLength * inner}.");
        int outer = length / (axisLength * inner);
        int expected = blockSize > 0 ? outer * ((axisLength + blockSize - 1) / blockSize) * inner : scales == 1 ? 1 : axisLength;
        if (scales != expected) throw new ArgumentException($"Expected {expected} scale(s), got {scales}.", "scale");
        if (zeroPoints != 0 && zeroPoints != scales) throw new ArgumentException($"Expected no zero point or {scales}, got {zeroPoints}.", "zeroPoint");
        return outer;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ZeroPointAt<T>(ReadOnlySpan<T> zeroPoint, int index) where T : unmanaged =>
        zeroPoint.IsEmpty ? 0 : ToInt32(zeroPoint[index]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ToInt32<T>(T value) where T : unmanaged
    {
        if (typeof(T) == typeof(byte)) return Unsafe.As<T, byte>(ref value);
        if (typeof(T) == typeof(sbyte)) return Unsafe.As<T, sbyte>(ref value);
        if (typeof(T) == typeof(short)) return Unsafe.As<T, short>(ref value);
        if (typeof(T) == typeof(ushort)) return Unsafe.As<T, ushort>(ref value);
        if (typeof(T) == typeof(int)) return Unsafe.As<T, int>(ref value);
        throw new ArgumentException($"Unsupported quantized type {typeof(T).Name}.");
    }

    private static int QuantizedMin<T>() => typeof(T) == typeof(sbyte) ? sbyte.MinValue : typeof(T) == typeof(short) ? short.MinValue : 0;

    private static int QuantizedMax<T>() =>
        typeof(T) == typeof(byte) ? byte.MaxValue : typeof(T) == typeof(sbyte) ? sbyte.MaxValue : typeof(T) == typeof(short) ? short.MaxValue : ushort.MaxValue;

    /// <summary>One element, the scalar twin of the vector paths (also their remainder).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T QuantizeOne<T>(float x, float scale, int zeroPoint) where T : unmanaged
    {
        float lo = QuantizedMin<T>() - zeroPoint, hi = QuantizedMax<T>() - zeroPoint;
        float q = x / scale;
        q = float.IsNaN(q) ? lo : Math.Min(Math.Max(q, lo), hi);
        int v = (int)MathF.Round(q, MidpointRounding.ToEven) + zeroPoint;
        T result = default;
        if (typeof(T) == typeof(byte)) Unsafe.As<T, byte>(ref result) = (byte)v;
        else if (typeof(T) == typeof(sbyte)) Unsafe.As<T, sbyte>(ref result) = (sbyte)v;
        else if (typeof(T) == typeof(short)) Unsafe.As<T, short>(ref result) = (short)v;
        else Unsafe.As<T, ushort>(ref result) = (ushort)v;
        return result;
    }

    /// <summary>n contiguous elements sharing one scale and zero point.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QuantizeRun<T>(ref float src, ref T dst, int n, float scale, int zeroPoint) where T : unmanaged
    {
        float lo = QuantizedMin<T>() - zeroPoint, hi = QuantizedMax<T>() - zeroPoint;
        bool bytes = Unsafe.SizeOf<T>() == 1;
        ref short dst16 = ref Unsafe.As<T, short>(ref dst);
        ref sbyte dst8 = ref Unsafe.As<T, sbyte>(ref dst);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(scale); var l = Vector512.Create(lo); var h = Vector512.Create(hi); var z = Vector512.Create(zeroPoint);
            const int c = 16;
            if (bytes)
                for (; i <= n - 4 * c; i += 4 * c)
                {
                    var a = Q512(Vector512.LoadUnsafe(ref src, (nuint)i), s, l, h, z);
                    var b = Q512(Vector512.LoadUnsafe(ref src, (nuint)(i + c)), s, l, h, z);
                    var d = Q512(Vector512.LoadUnsafe(ref src, (nuint)(i + 2 * c)), s, l, h, z);
                    var e = Q512(Vector512.LoadUnsafe(ref src, (nuint)(i + 3 * c)), s, l, h, z);
                    Vector512.Narrow(Vector512.Narrow(a, b), Vector512.Narrow(d, e)).StoreUnsafe(ref dst8, (nuint)i);
                }
            else
                for (; i <= n - 2 * c; i += 2 * c)
                    Vector512.Narrow(Q512(Vector512.LoadUnsafe(ref src, (nuint)i), s, l, h, z), Q512(Vector512.LoadUnsafe(ref src, (nuint)(i + c)), s, l, h, z)).StoreUnsafe(ref dst16, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale); var l = Vector256.Create(lo); var h = Vector256.Create(hi); var z = Vector256.Create(zeroPoint);
            const int c = 8;
            if (bytes)
                for (; i <= n - 4 * c; i += 4 * c)
                {
                    var a = Q256(Vector256.LoadUnsafe(ref src, (nuint)i), s, l, h, z);
                    var b = Q256(Vector256.LoadUnsafe(ref src, (nuint)(i + c)), s, l, h, z);
                    var d = Q256(Vector256.LoadUnsafe(ref src, (nuint)(i + 2 * c)), s, l, h, z);
                    var e = Q256(Vector256.LoadUnsafe(ref src, (nuint)(i + 3 * c)), s, l, h, z);
                    Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(d, e)).StoreUnsafe(ref dst8, (nuint)i);
                }
            else
                for (; i <= n - 2 * c; i += 2 * c)
                    Vector256.Narrow(Q256(Vector256.LoadUnsafe(ref src, (nuint)i), s, l, h, z), Q256(Vector256.LoadUnsafe(ref src, (nuint)(i + c)), s, l, h, z)).StoreUnsafe(ref dst16, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var s = Vector128.Create(scale); var l = Vector128.Create(lo); var h = Vector128.Create(hi); var z = Vector128.Create(zeroPoint);
            const int c = 4;
            if (bytes)
                for (; i <= n - 4 * c; i += 4 * c)
                {
                    var a = Q128(Vector128.LoadUnsafe(ref src, (nuint)i), s, l, h, z);
                    var b = Q128(Vector128.LoadUnsafe(ref src, (nuint)(i + c)), s, l, h, z);
                    var d = Q128(Vector128.LoadUnsafe(ref src, (nuint)(i + 2 * c)), s, l, h, z);
                    var e = Q128(Vector128.LoadUnsafe(ref src, (nuint)(i + 3 * c)), s, l, h, z);
                    Vector128.Narrow(Vector128.Narrow(a, b), Vector128.Narrow(d, e)).StoreUnsafe(ref dst8, (nuint)i);
                }
            else
                for (; i <= n - 2 * c; i += 2 * c)
                    Vector128.Narrow(Q128(Vector128.LoadUnsafe(ref src, (nuint)i), s, l, h, z), Q128(Vector128.LoadUnsafe(ref src, (nuint)(i + c)), s, l, h, z)).StoreUnsafe(ref dst16, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref dst, i) = QuantizeOne<T>(Unsafe.Add(ref src, i), scale, zeroPoint);
    }

    // x / s, NaN -> lo, clamp to [lo, hi], round half to even, + zp. On x86 these are MLAS's instructions: MAXPS returns
    // its second operand (lo) for a NaN, and CVTPS2DQ rounds half to even (the default MXCSR mode, which .NET keeps).
    // Elsewhere NaN is replaced explicitly, the native min/max then see no NaN, and Round makes the conversion exact.
    // The narrowing that follows keeps the low bits, which is exact after the clamp (uint8 and uint16 included).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Q512(Vector512<float> x, Vector512<float> s, Vector512<float> lo, Vector512<float> hi, Vector512<int> zp)
    {
        if (Avx512F.IsSupported)
            return Avx512F.ConvertToVector512Int32(Avx512F.Min(Avx512F.Max(Avx512F.Divide(x, s), lo), hi)) + zp;
        var q = x / s;
        q = Vector512.ConditionalSelect(Vector512.Equals(q, q), q, lo);
        q = Vector512.MinNative(Vector512.MaxNative(q, lo), hi);
        return Vector512.ConvertToInt32(Vector512.Round(q)) + zp;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Q256(Vector256<float> x, Vector256<float> s, Vector256<float> lo, Vector256<float> hi, Vector256<int> zp)
    {
        if (Avx.IsSupported)
            return Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(Avx.Divide(x, s), lo), hi)) + zp;
        var q = x / s;
        q = Vector256.ConditionalSelect(Vector256.Equals(q, q), q, lo);
        q = Vector256.MinNative(Vector256.MaxNative(q, lo), hi);
        return Vector256.ConvertToInt32(Vector256.Round(q)) + zp;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Q128(Vector128<float> x, Vector128<float> s, Vector128<float> lo, Vector128<float> hi, Vector128<int> zp)
    {
        if (Sse2.IsSupported)
            return Sse2.ConvertToVector128Int32(Sse.Min(Sse.Max(Sse.Divide(x, s), lo), hi)) + zp;
        var q = x / s;
        q = Vector128.ConditionalSelect(Vector128.Equals(q, q), q, lo);
        q = Vector128.MinNative(Vector128.MaxNative(q, lo), hi);
        return Vector128.ConvertToInt32(Vector128.Round(q)) + zp;
    }

    /// <summary>y = (y - zeroPoint) * scale over n contiguous floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AffineRun(ref float y, int n, int zeroPoint, float scale)
    {
        float zp = zeroPoint;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var z = Vector512.Create(zp); var s = Vector512.Create(scale);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                ((Vector512.LoadUnsafe(ref y, (nuint)i) - z) * s).StoreUnsafe(ref y, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var z = Vector256.Create(zp); var s = Vector256.Create(scale);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                ((Vector256.LoadUnsafe(ref y, (nuint)i) - z) * s).StoreUnsafe(ref y, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var z = Vector128.Create(zp); var s = Vector128.Create(scale);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                ((Vector128.LoadUnsafe(ref y, (nuint)i) - z) * s).StoreUnsafe(ref y, (nuint)i);
        }
        for (; i < n; i++)
        {
            ref float v = ref Unsafe.Add(ref y, i);
            v = (v - zp) * scale;
        }
    }

    /// <summary>Minimum and maximum of a non-empty span in one pass (NaN handling unspecified, as in ONNX Runtime).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MinMax(ReadOnlySpan<float> x, out float min, out float max)
    {
        ref float src = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float lo = x[0], hi = x[0];
        if (Vector512.IsHardwareAccelerated && n >= 4 * Vector512<float>.Count)
        {
            // Four independent min/max chains: one chain waits for the previous min's latency on every vector.
            const int c = 16;
            var l0 = Vector512.LoadUnsafe(ref src); var l1 = Vector512.LoadUnsafe(ref src, c);
            var l2 = Vector512.LoadUnsafe(ref src, 2 * c); var l3 = Vector512.LoadUnsafe(ref src, 3 * c);
            Vector512<float> h0 = l0, h1 = l1, h2 = l2, h3 = l3;
            for (i = 4 * c; i <= n - 4 * c; i += 4 * c)
            {
                var a = Vector512.LoadUnsafe(ref src, (nuint)i); var b = Vector512.LoadUnsafe(ref src, (nuint)(i + c));
                var d = Vector512.LoadUnsafe(ref src, (nuint)(i + 2 * c)); var e = Vector512.LoadUnsafe(ref src, (nuint)(i + 3 * c));
                l0 = Vector512.MinNative(l0, a); h0 = Vector512.MaxNative(h0, a);
                l1 = Vector512.MinNative(l1, b); h1 = Vector512.MaxNative(h1, b);
                l2 = Vector512.MinNative(l2, d); h2 = Vector512.MaxNative(h2, d);
                l3 = Vector512.MinNative(l3, e); h3 = Vector512.MaxNative(h3, e);
            }
            var vl = Vector512.MinNative(Vector512.MinNative(l0, l1), Vector512.MinNative(l2, l3));
            var vh = Vector512.MaxNative(Vector512.MaxNative(h0, h1), Vector512.MaxNative(h2, h3));
            for (int k = 0; k < Vector512<float>.Count; k++) { lo = Math.Min(lo, vl.GetElement(k)); hi = Math.Max(hi, vh.GetElement(k)); }
        }
        else if (Vector256.IsHardwareAccelerated && n >= 4 * Vector256<float>.Count)
        {
            const int c = 8;
            var l0 = Vector256.LoadUnsafe(ref src); var l1 = Vector256.LoadUnsafe(ref src, c);
            var l2 = Vector256.LoadUnsafe(ref src, 2 * c); var l3 = Vector256.LoadUnsafe(ref src, 3 * c);
            Vector256<float> h0 = l0, h1 = l1, h2 = l2, h3 = l3;
            for (i = 4 * c; i <= n - 4 * c; i += 4 * c)
            {
                var a = Vector256.LoadUnsafe(ref src, (nuint)i); var b = Vector256.LoadUnsafe(ref src, (nuint)(i + c));
                var d = Vector256.LoadUnsafe(ref src, (nuint)(i + 2 * c)); var e = Vector256.LoadUnsafe(ref src, (nuint)(i + 3 * c));
                l0 = Vector256.MinNative(l0, a); h0 = Vector256.MaxNative(h0, a);
                l1 = Vector256.MinNative(l1, b); h1 = Vector256.MaxNative(h1, b);
                l2 = Vector256.MinNative(l2, d); h2 = Vector256.MaxNative(h2, d);
                l3 = Vector256.MinNative(l3, e); h3 = Vector256.MaxNative(h3, e);
            }
            var vl = Vector256.MinNative(Vector256.MinNative(l0, l1), Vector256.MinNative(l2, l3));
            var vh = Vector256.MaxNative(Vector256.MaxNative(h0, h1), Vector256.MaxNative(h2, h3));
            for (int k = 0; k < Vector256<float>.Count; k++) { lo = Math.Min(lo, vl.GetElement(k)); hi = Math.Max(hi, vh.GetElement(k)); }
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            var vl = Vector256.LoadUnsafe(ref src); var vh = vl;
            for (i = Vector256<float>.Count; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref src, (nuint)i);
                vl = Vector256.MinNative(vl, v);
                vh = Vector256.MaxNative(vh, v);
            }
            for (int k = 0; k < Vector256<float>.Count; k++) { lo = Math.Min(lo, vl.GetElement(k)); hi = Math.Max(hi, vh.GetElement(k)); }
        }
        else if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
        {
            var vl = Vector128.LoadUnsafe(ref src); var vh = vl;
            for (i = Vector128<float>.Count; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var v = Vector128.LoadUnsafe(ref src, (nuint)i);
                vl = Vector128.MinNative(vl, v);
                vh = Vector128.MaxNative(vh, v);
            }
            for (int k = 0; k < Vector128<float>.Count; k++) { lo = Math.Min(lo, vl.GetElement(k)); hi = Math.Max(hi, vh.GetElement(k)); }
        }
        for (; i < n; i++) { float v = Unsafe.Add(ref src, i); lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        min = lo;
        max = hi;
    }
}
