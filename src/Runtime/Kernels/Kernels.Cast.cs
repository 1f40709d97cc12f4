using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>BitCast: the bytes of <paramref name="x"/> as elements of the same width (little endian, as .NET runs).</summary>
    public static void BitCast<TFrom, TTo>(ReadOnlySpan<TFrom> x, Span<TTo> destination) where TFrom : unmanaged where TTo : unmanaged
    {
        if (destination.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(destination));
        if (System.Runtime.CompilerServices.Unsafe.SizeOf<TFrom>() != System.Runtime.CompilerServices.Unsafe.SizeOf<TTo>())
            throw new ArgumentException("BitCast needs element types of one width.", nameof(destination));
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(x).CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination));
    }

    /// <summary>
    /// ONNX Cast between numeric and bool element types. Floating to integer truncates toward zero (to int32 with
    /// saturation, then wrapping to narrower types, as C++ static_cast does on x86); integer narrowing wraps; anything
    /// to bool is x != 0; bool is 0 or 1. The common pairs (float with int32, int64, double, uint8, int8, bool, Half)
    /// run vectorized; the JIT folds the type tests to one path per instantiation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Cast<TFrom, TTo>(ReadOnlySpan<TFrom> x, Span<TTo> destination) where TFrom : unmanaged where TTo : unmanaged
    {
        if (destination.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(destination));
        if (typeof(TFrom) == typeof(TTo)) { As<TFrom, TTo>(x).CopyTo(destination); return; }
        if (typeof(TFrom) == typeof(float))
        {
            var f = As<TFrom, float>(x);
            if (typeof(TTo) == typeof(int)) { CastFloatToInt32(f, AsSpan<TTo, int>(destination)); return; }
            if (typeof(TTo) == typeof(double)) { CastFloatToDouble(f, AsSpan<TTo, double>(destination)); return; }
            if (typeof(TTo) == typeof(byte)) { CastFloatToBytes(f, AsSpan<TTo, byte>(destination)); return; }
            if (typeof(TTo) == typeof(sbyte)) { CastFloatToBytes(f, AsSpan<TTo, byte>(destination)); return; }
            if (typeof(TTo) == typeof(bool)) { CastFloatToBool(f, AsSpan<TTo, byte>(destination)); return; }
            if (typeof(TTo) == typeof(Half)) { TensorPrimitives.ConvertToHalf(f, AsSpan<TTo, Half>(destination)); return; }
        }
        if (typeof(TTo) == typeof(float))
        {
            var y = AsSpan<TTo, float>(destination);
            if (typeof(TFrom) == typeof(int)) { CastInt32ToFloat(As<TFrom, int>(x), y); return; }
            if (typeof(TFrom) == typeof(double)) { CastDoubleToFloat(As<TFrom, double>(x), y); return; }
            if (typeof(TFrom) == typeof(byte) || typeof(TFrom) == typeof(bool)) { CastBytesToFloat<Unsigned>(As<TFrom, byte>(x), y); return; }
            if (typeof(TFrom) == typeof(sbyte)) { CastBytesToFloat<Signed>(As<TFrom, byte>(x), y); return; }
            if (typeof(TFrom) == typeof(Half)) { TensorPrimitives.ConvertToSingle(As<TFrom, Half>(x), y); return; }
        }
        if (typeof(TFrom) == typeof(int) && typeof(TTo) == typeof(long)) { CastInt32ToInt64(As<TFrom, int>(x), AsSpan<TTo, long>(destination)); return; }
        if (typeof(TFrom) == typeof(long) && typeof(TTo) == typeof(int)) { CastInt64ToInt32(As<TFrom, long>(x), AsSpan<TTo, int>(destination)); return; }
        CastScalar(x, destination, 0);
    }

    /// <summary>
    /// Cast where the source or the destination is a bits-only element type (bfloat16, float8, float4e2m1, int4/uint4,
    /// int2/uint2), held as raw bits in byte, sbyte or ushort; <paramref name="fromType"/> and <paramref name="toType"/>
    /// are the ONNX TensorProto.DataType numbers of both sides (an ordinary type's number is ignored, its C# type says
    /// it all). Values go through float (as ONNX Runtime does), except that integers reach int4/int2 by truncation to
    /// int32 and two's-complement wrapping. <paramref name="saturate"/> is Cast's attribute for float8 and
    /// <paramref name="roundMode"/> its round_mode for float8e8m0 (0 up, 1 down, 2 nearest). Scalar: these types are
    /// rare at run time and every element needs bit manipulation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CastFormat<TFrom, TTo>(ReadOnlySpan<TFrom> x, Span<TTo> destination, int fromType, int toType, bool saturate, int roundMode)
        where TFrom : unmanaged where TTo : unmanaged
    {
        if (destination.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(destination));
        bool fromFloat = ElementFormats.IsFloatFormat(fromType), fromInteger = ElementFormats.IsSmallInteger(fromType);
        bool toFloat = ElementFormats.IsFloatFormat(toType), toInteger = ElementFormats.IsSmallInteger(toType);
        for (int i = 0; i < x.Length; i++)
        {
            TFrom v = x[i];
            if (toFloat)
            {
                float f = fromFloat ? ElementFormats.Decode(fromType, RawBits(v)) : fromInteger ? RawBits(v) : CastOne<TFrom, float>(v);
                // .NET's Half to float conversion drops a NaN's sign, which float8 keeps.
                if (typeof(TFrom) == typeof(Half) && float.IsNaN(f)) f = Half.IsNegative(Unsafe.As<TFrom, Half>(ref v)) ? ElementFormats.FromBits(0xFFC00000) : ElementFormats.PositiveNaN;
                destination[i] = FromRawBits<TTo>(ElementFormats.Encode(toType, f, saturate, roundMode));
            }
            else if (toInteger)
            {
                int l = fromFloat ? CastOne<float, int>(ElementFormats.Decode(fromType, RawBits(v))) : fromInteger ? RawBits(v) : CastOne<TFrom, int>(v);
                destination[i] = FromRawBits<TTo>(ElementFormats.Wrap(l, toType));
            }
            else if (fromFloat) destination[i] = CastOne<float, TTo>(ElementFormats.Decode(fromType, RawBits(v)));
            else if (fromInteger) destination[i] = CastOne<int, TTo>(RawBits(v));
            else destination[i] = CastOne<TFrom, TTo>(v);
        }
    }

    /// <summary>The storage of a bits-only element as an int: byte and ushort zero-extended, sbyte (int4/int2 values) sign-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RawBits<T>(T value) where T : unmanaged
    {
        if (typeof(T) == typeof(byte)) return Unsafe.As<T, byte>(ref value);
        if (typeof(T) == typeof(sbyte)) return Unsafe.As<T, sbyte>(ref value);
        if (typeof(T) == typeof(ushort)) return Unsafe.As<T, ushort>(ref value);
        throw new NotSupportedException($"bits-only elements are stored as byte, sbyte or ushort, not {typeof(T)}");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T FromRawBits<T>(int bits) where T : unmanaged
    {
        T result = default;
        if (typeof(T) == typeof(byte)) Unsafe.As<T, byte>(ref result) = unchecked((byte)bits);
        else if (typeof(T) == typeof(sbyte)) Unsafe.As<T, sbyte>(ref result) = unchecked((sbyte)bits);
        else if (typeof(T) == typeof(ushort)) Unsafe.As<T, ushort>(ref result) = unchecked((ushort)bits);
        else throw new NotSupportedException($"bits-only elements are stored as byte, sbyte or ushort, not {typeof(T)}");
        return result;
    }

    private static ReadOnlySpan<TTo> As<TFrom, TTo>(ReadOnlySpan<TFrom> x) where TFrom : unmanaged where TTo : unmanaged =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(x)), x.Length);

    private static Span<TTo> AsSpan<TFrom, TTo>(Span<TFrom> x) where TFrom : unmanaged where TTo : unmanaged =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(x)), x.Length);

    /// <summary>Element-by-element cast from <paramref name="start"/>: the scalar path and every vector path's remainder.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CastScalar<TFrom, TTo>(ReadOnlySpan<TFrom> x, Span<TTo> destination, int start) where TFrom : unmanaged where TTo : unmanaged
    {
        for (int i = start; i < x.Length; i++)
            destination[i] = CastOne<TFrom, TTo>(x[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TTo CastOne<TFrom, TTo>(TFrom value) where TFrom : unmanaged where TTo : unmanaged
    {
        // Read as double (floating sources) or as long (integers, bool); ulong keeps its own path above 2^63.
        bool floating = typeof(TFrom) == typeof(float) || typeof(TFrom) == typeof(double) || typeof(TFrom) == typeof(Half);
        double d = 0;
        long l = 0;
        if (typeof(TFrom) == typeof(float)) d = Unsafe.As<TFrom, float>(ref value);
        else if (typeof(TFrom) == typeof(double)) d = Unsafe.As<TFrom, double>(ref value);
        else if (typeof(TFrom) == typeof(Half)) d = (float)Unsafe.As<TFrom, Half>(ref value);
        else if (typeof(TFrom) == typeof(long)) l = Unsafe.As<TFrom, long>(ref value);
        else if (typeof(TFrom) == typeof(int)) l = Unsafe.As<TFrom, int>(ref value);
        else if (typeof(TFrom) == typeof(short)) l = Unsafe.As<TFrom, short>(ref value);
        else if (typeof(TFrom) == typeof(sbyte)) l = Unsafe.As<TFrom, sbyte>(ref value);
        else if (typeof(TFrom) == typeof(byte)) l = Unsafe.As<TFrom, byte>(ref value);
        else if (typeof(TFrom) == typeof(ushort)) l = Unsafe.As<TFrom, ushort>(ref value);
        else if (typeof(TFrom) == typeof(uint)) l = Unsafe.As<TFrom, uint>(ref value);
        else if (typeof(TFrom) == typeof(ulong)) l = unchecked((long)Unsafe.As<TFrom, ulong>(ref value));
        else if (typeof(TFrom) == typeof(bool)) l = Unsafe.As<TFrom, bool>(ref value) ? 1 : 0;
        else throw new NotSupportedException($"Cast from {typeof(TFrom)}");

        TTo result = default;
        if (typeof(TTo) == typeof(float))
            Unsafe.As<TTo, float>(ref result) = floating ? (float)d : typeof(TFrom) == typeof(ulong) ? (float)unchecked((ulong)l) : (float)l;
        else if (typeof(TTo) == typeof(double))
            Unsafe.As<TTo, double>(ref result) = floating ? d : typeof(TFrom) == typeof(ulong) ? (double)unchecked((ulong)l) : (double)l;
        else if (typeof(TTo) == typeof(Half))
            Unsafe.As<TTo, Half>(ref result) = (Half)(floating ? (float)d : typeof(TFrom) == typeof(ulong) ? (float)unchecked((ulong)l) : (float)l);
        else if (typeof(TTo) == typeof(bool))
            Unsafe.As<TTo, bool>(ref result) = floating ? d != 0 : l != 0;
        else
        {
            // Floating to integer: truncate toward zero; wide targets directly, narrow ones through int32.
            if (floating)
                l = typeof(TTo) == typeof(long) || typeof(TTo) == typeof(ulong) || typeof(TTo) == typeof(uint)
                    ? (typeof(TTo) == typeof(ulong) && d >= 9223372036854775808.0 ? unchecked((long)(ulong)d) : (long)d)
                    : (int)d;
            unchecked
            {
                if (typeof(TTo) == typeof(long)) Unsafe.As<TTo, long>(ref result) = l;
                else if (typeof(TTo) == typeof(int)) Unsafe.As<TTo, int>(ref result) = (int)l;
                else if (typeof(TTo) == typeof(short)) Unsafe.As<TTo, short>(ref result) = (short)l;
                else if (typeof(TTo) == typeof(sbyte)) Unsafe.As<TTo, sbyte>(ref result) = (sbyte)l;
                else if (typeof(TTo) == typeof(byte)) Unsafe.As<TTo, byte>(ref result) = (byte)l;
                else if (typeof(TTo) == typeof(ushort)) Unsafe.As<TTo, ushort>(ref result) = (ushort)l;
                else if (typeof(TTo) == typeof(uint)) Unsafe.As<TTo, uint>(ref result) = (uint)l;
                else if (typeof(TTo) == typeof(ulong)) Unsafe.As<TTo, ulong>(ref result) = (ulong)l;
                else throw new NotSupportedException($"Cast to {typeof(TTo)}");
            }
        }
        return result;
    }

    // Same width: 4 bytes to 4 bytes.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CastFloatToInt32(ReadOnlySpan<float> x, Span<int> y)
    {
        ref float src = ref MemoryMarshal.GetReference(x);
        ref int dst = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                Vector512.ConvertToInt32(Vector512.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.ConvertToInt32(Vector256.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                Vector128.ConvertToInt32(Vector128.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dst, i) = (int)Unsafe.Add(ref src, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CastInt32ToFloat(ReadOnlySpan<int> x, Span<float> y)
    {
        ref int src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<int>.Count; i += Vector512<int>.Count)
                Vector512.ConvertToSingle(Vector512.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<int>.Count; i += Vector256<int>.Count)
                Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - Vector128<int>.Count; i += Vector128<int>.Count)
                Vector128.ConvertToSingle(Vector128.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i);
    }

    // Widening and narrowing by two.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CastFloatToDouble(ReadOnlySpan<float> x, Span<double> y)
    {
        ref float src = ref MemoryMarshal.GetReference(x);
        ref double dst = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref src, (nuint)i);
                Vector512.WidenLower(v).StoreUnsafe(ref dst, (nuint)i);
                Vector512.WidenUpper(v).StoreUnsafe(ref dst, (nuint)(i + Vector512<double>.Count));
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref src, (nuint)i);
                Vector256.WidenLower(v).StoreUnsafe(ref dst, (nuint)i);
                Vector256.WidenUpper(v).StoreUnsafe(ref dst, (nuint)(i + Vector256<double>.Count));
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var v = Vector128.LoadUnsafe(ref src, (nuint)i);
                Vector128.WidenLower(v).StoreUnsafe(ref dst, (nuint)i);
                Vector128.WidenUpper(v).StoreUnsafe(ref dst, (nuint)(i + Vector128<double>.Count));
            }
        for (; i < n; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CastDoubleToFloat(ReadOnlySpan<double> x, Span<float> y)
    {
        ref double src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                Vector512.Narrow(Vector512.LoadUnsafe(ref src, (nuint)i), Vector512.LoadUnsafe(ref src, (nuint)(i + Vector512<double>.Count))).StoreUnsafe(ref dst, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.Narrow(Vector256.LoadUnsafe(ref src, (nuint)i), Vector256.LoadUnsafe(ref src, (nuint)(i + Vector256<double>.Count))).StoreUnsafe(ref dst, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                Vector128.Narrow(Vector128.LoadUnsafe(ref src, (nuint)i), Vector128.LoadUnsafe(ref src, (nuint)(i + Vector128<double>.Count))).StoreUnsafe(ref dst, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dst, i) = (float)Unsafe.Add(ref src, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CastInt32ToInt64(ReadOnlySpan<int> x, Span<long> y)
    {
        ref int src = ref MemoryMarshal.GetReference(x);
        ref long dst = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<int>.Count; i += Vector512<int>.Count)
            {
                var v = Vector512.LoadUnsafe(ref src, (nuint)i);
                Vector512.WidenLower(v).StoreUnsafe(ref dst, (nuint)i);
                Vector512.WidenUpper(v).StoreUnsafe(ref dst, (nuint)(i + Vector512<long>.Count));
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<int>.Count; i += Vector256<int>.Count)
            {
                var v = Vector256.LoadUnsafe(ref src, (nuint)i);
                Vector256.WidenLower(v).StoreUnsafe(ref dst, (nuint)i);
                Vector256.WidenUpper(v).StoreUnsafe(ref dst, (nuint)(i + Vector256<long>.Count));
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - Vector128<int>.Count; i += Vector128<int>.Count)
            {
                var v = Vector128.LoadUnsafe(ref src, (nuint)i);
                Vector128.WidenLower(v).StoreUnsafe(ref dst, (nuint)i);
                Vector128.WidenUpper(v).StoreUnsafe(ref dst, (nuint)(i + Vector128<long>.Count));
            }
        for (; i < n; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CastInt64ToInt32(ReadOnlySpan<long> x, Span<int> y)
    {
        ref long src = ref MemoryMarshal.GetReference(x);
        ref int dst = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<int>.Count; i += Vector512<int>.Count)
                Vector512.Narrow(Vector512.LoadUnsafe(ref src, (nuint)i), Vector512.LoadUnsafe(ref src, (nuint)(i + Vector512<long>.Count))).StoreUnsafe(ref dst, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<int>.Count; i += Vector256<int>.Count)
                Vector256.Narrow(Vector256.LoadUnsafe(ref src, (nuint)i), Vector256.LoadUnsafe(ref src, (nuint)(i + Vector256<long>.Count))).StoreUnsafe(ref dst, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - Vector128<int>.Count; i += Vector128<int>.Count)
                Vector128.Narrow(Vector128.LoadUnsafe(ref src, (nuint)i), Vector128.LoadUnsafe(ref src, (nuint)(i + Vector128<long>.Count))).StoreUnsafe(ref dst, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dst, i) = unchecked((int)Unsafe.Add(ref src, i));
    }

    // Bytes (uint8, int8, bool) and float: four floats per byte lane.

    private interface IByteSign { static abstract bool IsSigned { get; } }
    private readonly struct Signed : IByteSign { public static bool IsSigned => true; }
    private readonly struct Unsigned : IByteSign { public static bool IsSigned => false; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CastBytesToFloat<TSign>(ReadOnlySpan<byte> x, Span<float> y) where TSign : struct, IByteSign
    {
        ref byte src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<byte>.Count; i += Vector512<byte>.Count)
            {
                var v = Vector512.LoadUnsafe(ref src, (nuint)i);
                Vector512<short> lo, hi;
                if (TSign.IsSigned) { lo = Vector512.WidenLower(v.AsSByte()); hi = Vector512.WidenUpper(v.AsSByte()); }
                else { lo = Vector512.WidenLower(v).AsInt16(); hi = Vector512.WidenUpper(v).AsInt16(); }
                const int c = 16;
                Vector512.ConvertToSingle(Vector512.WidenLower(lo)).StoreUnsafe(ref dst, (nuint)i);
                Vector512.ConvertToSingle(Vector512.WidenUpper(lo)).StoreUnsafe(ref dst, (nuint)(i + c));
                Vector512.ConvertToSingle(Vector512.WidenLower(hi)).StoreUnsafe(ref dst, (nuint)(i + 2 * c));
                Vector512.ConvertToSingle(Vector512.WidenUpper(hi)).StoreUnsafe(ref dst, (nuint)(i + 3 * c));
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                var v = Vector256.LoadUnsafe(ref src, (nuint)i);
                Vector256<short> lo, hi;
                if (TSign.IsSigned) { lo = Vector256.WidenLower(v.AsSByte()); hi = Vector256.WidenUpper(v.AsSByte()); }
                else { lo = Vector256.WidenLower(v).AsInt16(); hi = Vector256.WidenUpper(v).AsInt16(); }
                const int c = 8;
                Vector256.ConvertToSingle(Vector256.WidenLower(lo)).StoreUnsafe(ref dst, (nuint)i);
                Vector256.ConvertToSingle(Vector256.WidenUpper(lo)).StoreUnsafe(ref dst, (nuint)(i + c));
                Vector256.ConvertToSingle(Vector256.WidenLower(hi)).StoreUnsafe(ref dst, (nuint)(i + 2 * c));
                Vector256.ConvertToSingle(Vector256.WidenUpper(hi)).StoreUnsafe(ref dst, (nuint)(i + 3 * c));
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var v = Vector128.LoadUnsafe(ref src, (nuint)i);
                Vector128<short> lo, hi;
                if (TSign.IsSigned) { lo = Vector128.WidenLower(v.AsSByte()); hi = Vector128.WidenUpper(v.AsSByte()); }
                else { lo = Vector128.WidenLower(v).AsInt16(); hi = Vector128.WidenUpper(v).AsInt16(); }
                const int c = 4;
                Vector128.ConvertToSingle(Vector128.WidenLower(lo)).StoreUnsafe(ref dst, (nuint)i);
                Vector128.ConvertToSingle(Vector128.WidenUpper(lo)).StoreUnsafe(ref dst, (nuint)(i + c));
                Vector128.ConvertToSingle(Vector128.WidenLower(hi)).StoreUnsafe(ref dst, (nuint)(i + 2 * c));
                Vector128.ConvertToSingle(Vector128.WidenUpper(hi)).StoreUnsafe(ref dst, (nuint)(i + 3 * c));
            }
        for (; i < n; i++) Unsafe.Add(ref dst, i) = TSign.IsSigned ? (sbyte)Unsafe.Add(ref src, i) : Unsafe.Add(ref src, i);
    }

    /// <summary>float to uint8 or int8: truncate to int32 (saturating), keep the low byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CastFloatToBytes(ReadOnlySpan<float> x, Span<byte> y)
    {
        ref float src = ref MemoryMarshal.GetReference(x);
        ref byte dst = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<byte>.Count; i += Vector512<byte>.Count)
            {
                const int c = 16;
                var a = Vector512.ConvertToInt32(Vector512.LoadUnsafe(ref src, (nuint)i));
                var b = Vector512.ConvertToInt32(Vector512.LoadUnsafe(ref src, (nuint)(i + c)));
                var e = Vector512.ConvertToInt32(Vector512.LoadUnsafe(ref src, (nuint)(i + 2 * c)));
                var f = Vector512.ConvertToInt32(Vector512.LoadUnsafe(ref src, (nuint)(i + 3 * c)));
                Vector512.Narrow(Vector512.Narrow(a, b), Vector512.Narrow(e, f)).AsByte().StoreUnsafe(ref dst, (nuint)i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                const int c = 8;
                var a = Vector256.ConvertToInt32(Vector256.LoadUnsafe(ref src, (nuint)i));
                var b = Vector256.ConvertToInt32(Vector256.LoadUnsafe(ref src, (nuint)(i + c)));
                var e = Vector256.ConvertToInt32(Vector256.LoadUnsafe(ref src, (nuint)(i + 2 * c)));
                var f = Vector256.ConvertToInt32(Vector256.LoadUnsafe(ref src, (nuint)(i + 3 * c)));
                Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(e, f)).AsByte().StoreUnsafe(ref dst, (nuint)i);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                const int c = 4;
                var a = Vector128.ConvertToInt32(Vector128.LoadUnsafe(ref src, (nuint)i));
                var b = Vector128.ConvertToInt32(Vector128.LoadUnsafe(ref src, (nuint)(i + c)));
                var e = Vector128.ConvertToInt32(Vector128.LoadUnsafe(ref src, (nuint)(i + 2 * c)));
                var f = Vector128.ConvertToInt32(Vector128.LoadUnsafe(ref src, (nuint)(i + 3 * c)));
                Vector128.Narrow(Vector128.Narrow(a, b), Vector128.Narrow(e, f)).AsByte().StoreUnsafe(ref dst, (nuint)i);
            }
        for (; i < n; i++) Unsafe.Add(ref dst, i) = unchecked((byte)(int)Unsafe.Add(ref src, i));
    }

    /// <summary>float to bool: 1 where x != 0 (NaN included), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CastFloatToBool(ReadOnlySpan<float> x, Span<byte> y)
    {
        ref float src = ref MemoryMarshal.GetReference(x);
        ref byte dst = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<byte>.Count; i += Vector512<byte>.Count)
            {
                const int c = 16;
                var one = Vector512<int>.One;
                var a = ~Vector512.Equals(Vector512.LoadUnsafe(ref src, (nuint)i), Vector512<float>.Zero).AsInt32() & one;
                var b = ~Vector512.Equals(Vector512.LoadUnsafe(ref src, (nuint)(i + c)), Vector512<float>.Zero).AsInt32() & one;
                var e = ~Vector512.Equals(Vector512.LoadUnsafe(ref src, (nuint)(i + 2 * c)), Vector512<float>.Zero).AsInt32() & one;
                var f = ~Vector512.Equals(Vector512.LoadUnsafe(ref src, (nuint)(i + 3 * c)), Vector512<float>.Zero).AsInt32() & one;
                Vector512.Narrow(Vector512.Narrow(a, b), Vector512.Narrow(e, f)).AsByte().StoreUnsafe(ref dst, (nuint)i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                const int c = 8;
                var one = Vector256<int>.One;
                var a = ~Vector256.Equals(Vector256.LoadUnsafe(ref src, (nuint)i), Vector256<float>.Zero).AsInt32() & one;
                var b = ~Vector256.Equals(Vector256.LoadUnsafe(ref src, (nuint)(i + c)), Vector256<float>.Zero).AsInt32() & one;
                var e = ~Vector256.Equals(Vector256.LoadUnsafe(ref src, (nuint)(i + 2 * c)), Vector256<float>.Zero).AsInt32() & one;
                var f = ~Vector256.Equals(Vector256.LoadUnsafe(ref src, (nuint)(i + 3 * c)), Vector256<float>.Zero).AsInt32() & one;
                Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(e, f)).AsByte().StoreUnsafe(ref dst, (nuint)i);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; i <= n - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                const int c = 4;
                var one = Vector128<int>.One;
                var a = ~Vector128.Equals(Vector128.LoadUnsafe(ref src, (nuint)i), Vector128<float>.Zero).AsInt32() & one;
                var b = ~Vector128.Equals(Vector128.LoadUnsafe(ref src, (nuint)(i + c)), Vector128<float>.Zero).AsInt32() & one;
                var e = ~Vector128.Equals(Vector128.LoadUnsafe(ref src, (nuint)(i + 2 * c)), Vector128<float>.Zero).AsInt32() & one;
                var f = ~Vector128.Equals(Vector128.LoadUnsafe(ref src, (nuint)(i + 3 * c)), Vector128<float>.Zero).AsInt32() & one;
                Vector128.Narrow(Vector128.Narrow(a, b), Vector128.Narrow(e, f)).AsByte().StoreUnsafe(ref dst, (nuint)i);
            }
        for (; i < n; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i) != 0 ? (byte)1 : (byte)0;
    }
}
