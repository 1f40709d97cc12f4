using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime.Operators;

public readonly struct IdentityOperator : IUnaryOperator
{
    public static float Invoke(float x) => x;
    public static Vector128<float> Invoke(Vector128<float> x) => x;
    public static Vector256<float> Invoke(Vector256<float> x) => x;
    public static Vector512<float> Invoke(Vector512<float> x) => x;
}

public readonly struct AddOperator : IAggregationOperator, INumericBinaryOperator
{
    public static float Invoke(float x, float y) => x + y;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x + y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x + y;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x + y;
    public static T Invoke<T>(T x, T y) where T : INumber<T> => x + y;
    public static float Identity => 0f;
    public static float Aggregate(ReadOnlySpan<float> x) => TensorPrimitives.Sum(x);
}
