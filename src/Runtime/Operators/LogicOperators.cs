using System;
using System.Numerics;

namespace ModelGen.Runtime.Operators;

/// <summary>
/// A comparison with a scalar form and a mask form (all bits set in a lane where it holds) on the hardware-width
/// <see cref="Vector{T}"/>. Ordered, as in C: every comparison with NaN is false.
/// </summary>
public interface IComparisonOperator
{
    static abstract bool Invoke<T>(T x, T y) where T : INumber<T>;
    static abstract Vector<T> Invoke<T>(Vector<T> x, Vector<T> y);
}

public readonly struct EqualOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x == y;
    public static Vector<T> Invoke<T>(Vector<T> x, Vector<T> y) => Vector.Equals(x, y);
}

public readonly struct LessOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x < y;
    public static Vector<T> Invoke<T>(Vector<T> x, Vector<T> y) => Vector.LessThan(x, y);
}

public readonly struct LessOrEqualOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x <= y;
    public static Vector<T> Invoke<T>(Vector<T> x, Vector<T> y) => Vector.LessThanOrEqual(x, y);
}

public readonly struct GreaterOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x > y;
    public static Vector<T> Invoke<T>(Vector<T> x, Vector<T> y) => Vector.GreaterThan(x, y);
}

public readonly struct GreaterOrEqualOperator : IComparisonOperator
{
    public static bool Invoke<T>(T x, T y) where T : INumber<T> => x >= y;
    public static Vector<T> Invoke<T>(Vector<T> x, Vector<T> y) => Vector.GreaterThanOrEqual(x, y);
}

/// <summary>A bitwise operation on integers (and on bool viewed as bytes 0/1, where it is the logical one).</summary>
public interface IBitwiseOperator
{
    static abstract T Invoke<T>(T x, T y) where T : IBinaryInteger<T>;
    static abstract Vector<T> Invoke<T>(Vector<T> x, Vector<T> y);
}

public readonly struct BitwiseAndOperator : IBitwiseOperator
{
    public static T Invoke<T>(T x, T y) where T : IBinaryInteger<T> => x & y;
    public static Vector<T> Invoke<T>(Vector<T> x, Vector<T> y) => x & y;
}

public readonly struct BitwiseOrOperator : IBitwiseOperator
{
    public static T Invoke<T>(T x, T y) where T : IBinaryInteger<T> => x | y;
    public static Vector<T> Invoke<T>(Vector<T> x, Vector<T> y) => x | y;
}

public readonly struct BitwiseXorOperator : IBitwiseOperator
{
    public static T Invoke<T>(T x, T y) where T : IBinaryInteger<T> => x ^ y;
    public static Vector<T> Invoke<T>(Vector<T> x, Vector<T> y) => x ^ y;
}

/// <summary>
/// ONNX Mod with fmod = 0: the remainder takes the sign of the divisor (Python's %), for integers.
/// A zero divisor throws <see cref="DivideByZeroException"/>.
/// </summary>
public readonly struct ModOperator : INumericBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : INumber<T>
    {
        // Integer MinValue % -1 overflows in C#; the remainder is 0 (Mod with fmod = 0 is integer-only).
        if (y == -T.One && T.IsNegative(y)) return T.Zero;
        T r = x % y;
        return !T.IsZero(r) && T.IsNegative(r) != T.IsNegative(y) ? r + y : r;
    }
}

/// <summary>ONNX Mod with fmod = 1: C fmod, the remainder takes the sign of the dividend (C# % on every numeric type).</summary>
public readonly struct FmodOperator : INumericBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : INumber<T> =>
        // Integer MinValue % -1 overflows in C#; its remainder is 0. Floating x % -1 is an ordinary fmod.
        y == -T.One && T.IsNegative(y) && typeof(T) != typeof(float) && typeof(T) != typeof(double) && typeof(T) != typeof(Half) ? T.Zero : x % y;
}
