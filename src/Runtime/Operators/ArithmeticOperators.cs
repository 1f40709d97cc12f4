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
/// x^y with C pow semantics ((-2)^3 = -8, (-2)^0.5 = NaN, 0^-1 = ∞, 1^NaN = 1), lane by lane with
/// <see cref="MathF.Pow"/>. Measured here, .NET 10's Vector512.Exp/Log on double run at about 3 ns per element, no faster
/// than MathF.Pow (3.7 ns), and a float-only exp(y·ln x) loses up to 1e-5 relative accuracy, so the general case stays
/// exact and scalar. The generator replaces the common constant exponents (1, 2, 3, 0.5, -1) with the vectorized
/// <see cref="SquareOperator"/>, <see cref="CubeOperator"/>, <see cref="SqrtPowOperator"/> and <see cref="ReciprocalOperator"/>.
/// Integer types use exact repeated squaring (wrapping like the C++ types), a negative exponent truncating to 0 unless |x| = 1.
/// </summary>
public readonly struct PowOperator : IBinaryOperator, INumericBinaryOperator
{
    public static float Invoke(float x, float y) => MathF.Pow(x, y);

    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y)
    {
        Unsafe.SkipInit(out Vector128<float> r);
        ref float rr = ref Unsafe.As<Vector128<float>, float>(ref r);
        ref float xr = ref Unsafe.As<Vector128<float>, float>(ref x);
        ref float yr = ref Unsafe.As<Vector128<float>, float>(ref y);
        for (int i = 0; i < Vector128<float>.Count; i++) Unsafe.Add(ref rr, i) = MathF.Pow(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        return r;
    }

    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y)
    {
        Unsafe.SkipInit(out Vector256<float> r);
        ref float rr = ref Unsafe.As<Vector256<float>, float>(ref r);
        ref float xr = ref Unsafe.As<Vector256<float>, float>(ref x);
        ref float yr = ref Unsafe.As<Vector256<float>, float>(ref y);
        for (int i = 0; i < Vector256<float>.Count; i++) Unsafe.Add(ref rr, i) = MathF.Pow(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        return r;
    }

    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y)
    {
        Unsafe.SkipInit(out Vector512<float> r);
        ref float rr = ref Unsafe.As<Vector512<float>, float>(ref r);
        ref float xr = ref Unsafe.As<Vector512<float>, float>(ref x);
        ref float yr = ref Unsafe.As<Vector512<float>, float>(ref y);
        for (int i = 0; i < Vector512<float>.Count; i++) Unsafe.Add(ref rr, i) = MathF.Pow(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        return r;
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
}

/// <summary>x·x·x: Pow with a constant exponent of 3 (within 1 ulp of pow).</summary>
public readonly struct CubeOperator : IUnaryOperator
{
    public static float Invoke(float x) => x * x * x;
    public static Vector128<float> Invoke(Vector128<float> x) => x * x * x;
    public static Vector256<float> Invoke(Vector256<float> x) => x * x * x;
    public static Vector512<float> Invoke(Vector512<float> x) => x * x * x;
}

/// <summary>1/x: Pow with a constant exponent of -1 (exact, as pow(x, -1) is).</summary>
public readonly struct ReciprocalOperator : IUnaryOperator
{
    public static float Invoke(float x) => 1f / x;
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128<float>.One / x;
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / x;
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / x;
}

/// <summary>pow(x, 0.5): √x, except that pow gives +0 for -0 and +∞ for -∞ (√ gives -0 and NaN).</summary>
public readonly struct SqrtPowOperator : IUnaryOperator
{
    public static float Invoke(float x) => x == float.NegativeInfinity ? float.PositiveInfinity : MathF.Sqrt(x) + 0f;
    public static Vector128<float> Invoke(Vector128<float> x) =>
        Vector128.ConditionalSelect(Vector128.Equals(x, Vector128.Create(float.NegativeInfinity)), Vector128.Create(float.PositiveInfinity), Vector128.Sqrt(x) + Vector128<float>.Zero);
    public static Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(float.NegativeInfinity)), Vector256.Create(float.PositiveInfinity), Vector256.Sqrt(x) + Vector256<float>.Zero);
    public static Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.ConditionalSelect(Vector512.Equals(x, Vector512.Create(float.NegativeInfinity)), Vector512.Create(float.PositiveInfinity), Vector512.Sqrt(x) + Vector512<float>.Zero);
}
