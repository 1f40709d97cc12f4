using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime.Operators;

public readonly struct SubtractOperator : IBinaryOperator, INumericBinaryOperator
{
    public static float Invoke(float x, float y) => x - y;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x - y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x - y;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x - y;
    public static T Invoke<T>(T x, T y) where T : INumber<T> => x - y;
}

public readonly struct MultiplyOperator : IBinaryOperator, INumericBinaryOperator
{
    public static float Invoke(float x, float y) => x * y;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x * y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x * y;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x * y;
    public static T Invoke<T>(T x, T y) where T : INumber<T> => x * y;
}

/// <summary>x / y: IEEE for floats (x/0 is ±∞ or NaN); integers truncate toward zero and throw on a zero divisor.</summary>
public readonly struct DivideOperator : IBinaryOperator, INumericBinaryOperator
{
    public static float Invoke(float x, float y) => x / y;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x / y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x / y;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x / y;
    public static T Invoke<T>(T x, T y) where T : INumber<T> => x / y;
}

/// <summary>max(x, y), propagating NaN from either side as ONNX Runtime does.</summary>
public readonly struct MaxOperator : IAggregationOperator, INumericBinaryOperator
{
    public static float Invoke(float x, float y) => MathF.Max(x, y);
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.Max(x, y);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.Max(x, y);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.Max(x, y);
    public static T Invoke<T>(T x, T y) where T : INumber<T> => T.Max(x, y);
    public static float Identity => float.NegativeInfinity;
    public static float Aggregate(ReadOnlySpan<float> x) => TensorPrimitives.Max(x);
}

/// <summary>min(x, y), propagating NaN from either side as ONNX Runtime does.</summary>
public readonly struct MinOperator : IAggregationOperator, INumericBinaryOperator
{
    public static float Invoke(float x, float y) => MathF.Min(x, y);
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.Min(x, y);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.Min(x, y);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.Min(x, y);
    public static T Invoke<T>(T x, T y) where T : INumber<T> => T.Min(x, y);
    public static float Identity => float.PositiveInfinity;
    public static float Aggregate(ReadOnlySpan<float> x) => TensorPrimitives.Min(x);
}

/// <summary>PRelu: x when x ≥ 0 (or NaN), slope·x when x &lt; 0; y is the slope.</summary>
public readonly struct PReluOperator : IBinaryOperator, INumericBinaryOperator
{
    public static float Invoke(float x, float y) => x < 0f ? x * y : x;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), x * y, x);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), x * y, x);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), x * y, x);
    public static T Invoke<T>(T x, T y) where T : INumber<T> => x < T.Zero ? x * y : x;
}

/// <summary>x * x: Pow with a constant exponent of 2, exact and cheap.</summary>
public readonly struct SquareOperator : IUnaryOperator
{
    public static float Invoke(float x) => x * x;
    public static Vector128<float> Invoke(Vector128<float> x) => x * x;
    public static Vector256<float> Invoke(Vector256<float> x) => x * x;
    public static Vector512<float> Invoke(Vector512<float> x) => x * x;
}

/// <summary>
/// x^y with C pow semantics. Vector lanes compute exp(y·ln|x|) in double precision (so the float result is rounded once
/// from an almost exact value) and fix the sign for a negative base: NaN for a non-integer exponent, negative for an odd one.
/// A vector holding a zero or non-finite operand falls back to <see cref="MathF.Pow"/> lane by lane, which handles
/// pow's special cases (0^-1 = ∞, 1^NaN = 1, (-∞)^0.5 = ∞, ...).
/// Integer types use exact repeated squaring (wrapping like the C++ types), a negative exponent truncating to 0 unless |x| = 1.
/// </summary>
public readonly struct PowOperator : IBinaryOperator, INumericBinaryOperator
{
    public static float Invoke(float x, float y) => MathF.Pow(x, y);

    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y)
    {
        var inf = Vector128.Create(float.PositiveInfinity);
        var regular = ~Vector128.Equals(x, Vector128<float>.Zero) & Vector128.LessThan(Vector128.Abs(x), inf) & Vector128.LessThan(Vector128.Abs(y), inf);
        if (regular != Vector128<float>.AllBitsSet) return PerLane(x, y);
        var (xl, xu) = Vector128.Widen(Vector128.Abs(x));
        var (yl, yu) = Vector128.Widen(y);
        var r = Vector128.Narrow(Vector128.Exp(yl * Vector128.Log(xl)), Vector128.Exp(yu * Vector128.Log(xu)));
        var negative = Vector128.LessThan(x, Vector128<float>.Zero);
        if (negative == Vector128<float>.Zero) return r;
        var half = y * Vector128.Create(0.5f);
        var integer = Vector128.Equals(Vector128.Truncate(y), y);
        var odd = integer & ~Vector128.Equals(Vector128.Truncate(half), half);
        var signed = Vector128.ConditionalSelect(odd, -r, Vector128.ConditionalSelect(integer, r, Vector128.Create(float.NaN)));
        return Vector128.ConditionalSelect(negative, signed, r);
    }

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y)
    {
        var inf = Vector256.Create(float.PositiveInfinity);
        var regular = ~Vector256.Equals(x, Vector256<float>.Zero) & Vector256.LessThan(Vector256.Abs(x), inf) & Vector256.LessThan(Vector256.Abs(y), inf);
        if (regular != Vector256<float>.AllBitsSet) return PerLane(x, y);
        var (xl, xu) = Vector256.Widen(Vector256.Abs(x));
        var (yl, yu) = Vector256.Widen(y);
        var r = Vector256.Narrow(Vector256.Exp(yl * Vector256.Log(xl)), Vector256.Exp(yu * Vector256.Log(xu)));
        var negative = Vector256.LessThan(x, Vector256<float>.Zero);
        if (negative == Vector256<float>.Zero) return r;
        var half = y * Vector256.Create(0.5f);
        var integer = Vector256.Equals(Vector256.Truncate(y), y);
        var odd = integer & ~Vector256.Equals(Vector256.Truncate(half), half);
        var signed = Vector256.ConditionalSelect(odd, -r, Vector256.ConditionalSelect(integer, r, Vector256.Create(float.NaN)));
        return Vector256.ConditionalSelect(negative, signed, r);
    }

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y)
    {
        var inf = Vector512.Create(float.PositiveInfinity);
        var regular = ~Vector512.Equals(x, Vector512<float>.Zero) & Vector512.LessThan(Vector512.Abs(x), inf) & Vector512.LessThan(Vector512.Abs(y), inf);
        if (regular != Vector512<float>.AllBitsSet) return PerLane(x, y);
        var (xl, xu) = Vector512.Widen(Vector512.Abs(x));
        var (yl, yu) = Vector512.Widen(y);
        var r = Vector512.Narrow(Vector512.Exp(yl * Vector512.Log(xl)), Vector512.Exp(yu * Vector512.Log(xu)));
        var negative = Vector512.LessThan(x, Vector512<float>.Zero);
        if (negative == Vector512<float>.Zero) return r;
        var half = y * Vector512.Create(0.5f);
        var integer = Vector512.Equals(Vector512.Truncate(y), y);
        var odd = integer & ~Vector512.Equals(Vector512.Truncate(half), half);
        var signed = Vector512.ConditionalSelect(odd, -r, Vector512.ConditionalSelect(integer, r, Vector512.Create(float.NaN)));
        return Vector512.ConditionalSelect(negative, signed, r);
    }

    public static T Invoke<T>(T x, T y) where T : INumber<T>
    {
        if (typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half))
            return T.CreateTruncating(Math.Pow(double.CreateTruncating(x), double.CreateTruncating(y)));
        long e = long.CreateTruncating(y);
        if (e < 0)
        {
            if (x == T.One) return T.One;
            if (x == -T.One) return (e & 1) != 0 ? x : T.One;
            return T.Zero;
        }
        T result = T.One, b = x;
        while (e > 0)
        {
            if ((e & 1) != 0) result *= b;
            b *= b;
            e >>= 1;
        }
        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<float> PerLane(Vector128<float> x, Vector128<float> y)
    {
        Span<float> r = stackalloc float[Vector128<float>.Count];
        for (int i = 0; i < r.Length; i++) r[i] = MathF.Pow(x.GetElement(i), y.GetElement(i));
        return Vector128.Create((ReadOnlySpan<float>)r);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> PerLane(Vector256<float> x, Vector256<float> y)
    {
        Span<float> r = stackalloc float[Vector256<float>.Count];
        for (int i = 0; i < r.Length; i++) r[i] = MathF.Pow(x.GetElement(i), y.GetElement(i));
        return Vector256.Create((ReadOnlySpan<float>)r);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> PerLane(Vector512<float> x, Vector512<float> y)
    {
        Span<float> r = stackalloc float[Vector512<float>.Count];
        for (int i = 0; i < r.Length; i++) r[i] = MathF.Pow(x.GetElement(i), y.GetElement(i));
        return Vector512.Create((ReadOnlySpan<float>)r);
    }
}
