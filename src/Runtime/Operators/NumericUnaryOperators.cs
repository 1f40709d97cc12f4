using System;
using System.Numerics;

namespace ModelGen.Runtime.Operators;

/// <summary>An elementwise operation on any numeric element type (Neg, Abs, Sign on integers), scalar.</summary>
public interface INumericUnaryOperator
{
    static abstract T Invoke<T>(T x) where T : INumber<T>;
}

/// <summary>An elementwise math function computed in double: the scalar path for double and float16 inputs.</summary>
public interface IDoubleUnaryOperator
{
    static abstract double Invoke(double x);
}

/// <summary>-x (integers wrap: -MinValue = MinValue).</summary>
public readonly struct NegateNumeric : INumericUnaryOperator
{
    public static T Invoke<T>(T x) where T : INumber<T> => -x;
}

/// <summary>|x| (integers wrap: |MinValue| = MinValue, as in ONNX Runtime; -0 becomes +0).</summary>
public readonly struct AbsNumeric : INumericUnaryOperator
{
    public static T Invoke<T>(T x) where T : INumber<T> => T.IsNegative(x) ? -x : x;
}

/// <summary>1, -1 or 0 by the sign of x; ±0 and NaN stay as they are.</summary>
public readonly struct SignNumeric : INumericUnaryOperator
{
    public static T Invoke<T>(T x) where T : INumber<T> => T.IsZero(x) || T.IsNaN(x) ? x : T.IsNegative(x) ? -T.One : T.One;
}

public readonly struct LogFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Log(x);
}

public readonly struct ExpFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Exp(x);
}

public readonly struct SqrtFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Sqrt(x);
}

public readonly struct FloorFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Floor(x);
}

public readonly struct CeilFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Ceiling(x);
}

public readonly struct RoundFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Round(x, MidpointRounding.ToEven);
}

public readonly struct ReciprocalFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => 1.0 / x;
}

public readonly struct SinFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Sin(x);
}

public readonly struct CosFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Cos(x);
}

public readonly struct TanFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Tan(x);
}

public readonly struct AsinFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Asin(x);
}

public readonly struct AcosFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Acos(x);
}

public readonly struct AtanFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Atan(x);
}

public readonly struct SinhFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Sinh(x);
}

public readonly struct CoshFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Cosh(x);
}

public readonly struct AsinhFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Asinh(x);
}

public readonly struct AcoshFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Acosh(x);
}

public readonly struct AtanhFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => Math.Atanh(x);
}

public readonly struct SoftplusFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));
}

public readonly struct SoftsignFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => x / (1 + Math.Abs(x));
}

public readonly struct MishFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => x * Math.Tanh(x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x)));
}

public readonly struct ErfFunction : IDoubleUnaryOperator
{
    public static double Invoke(double x) => MathReference.Erf(x);
}
