using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime.Operators;

/// <summary>x·y as a reduction: identity 1 (ReduceProd, CumProd).</summary>
public readonly struct ProductOperator : IAggregationOperator
{
    public static float Invoke(float x, float y) => x * y;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x * y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x * y;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x * y;
    public static float Identity => 1f;
    public static float Aggregate(ReadOnlySpan<float> x) => TensorPrimitives.Product(x);
}

/// <summary>A reduction on any numeric element type: its identity and combining step (scalar kernels).</summary>
public interface INumericAggregationOperator
{
    static abstract T Identity<T>() where T : INumber<T>;
    static abstract T Invoke<T>(T accumulator, T x) where T : INumber<T>;
}

public readonly struct SumAggregation : INumericAggregationOperator
{
    public static T Identity<T>() where T : INumber<T> => T.Zero;
    public static T Invoke<T>(T accumulator, T x) where T : INumber<T> => accumulator + x;
}

public readonly struct ProductAggregation : INumericAggregationOperator
{
    public static T Identity<T>() where T : INumber<T> => T.One;
    public static T Invoke<T>(T accumulator, T x) where T : INumber<T> => accumulator * x;
}

/// <summary>Maximum (NaN propagates); empty: -∞, or the type's minimum for integers.</summary>
public readonly struct MaxAggregation : INumericAggregationOperator
{
    public static T Identity<T>() where T : INumber<T> => T.CreateSaturating(double.NegativeInfinity);
    public static T Invoke<T>(T accumulator, T x) where T : INumber<T> => T.Max(accumulator, x);
}

/// <summary>Minimum (NaN propagates); empty: +∞, or the type's maximum for integers.</summary>
public readonly struct MinAggregation : INumericAggregationOperator
{
    public static T Identity<T>() where T : INumber<T> => T.CreateSaturating(double.PositiveInfinity);
    public static T Invoke<T>(T accumulator, T x) where T : INumber<T> => T.Min(accumulator, x);
}
