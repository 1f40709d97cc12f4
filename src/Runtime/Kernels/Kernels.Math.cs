using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using ModelGen.Runtime.Operators;

namespace ModelGen.Runtime;

/// <summary>
/// Elementwise math and activations (ONNX Neg ... Gelu). The polynomial and selection operators run through the one unary
/// driver (<see cref="UnaryCore{TOp}"/>, see Operators/MathOperators.cs); the trigonometric and hyperbolic functions and Log
/// through TensorPrimitives, which vectorizes them with scalar fallbacks. destination may be x itself.
/// </summary>
public static partial class Kernels
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Neg(ReadOnlySpan<float> x, Span<float> destination) => Unary<NegateOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Abs(ReadOnlySpan<float> x, Span<float> destination) => Unary<AbsOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Floor(ReadOnlySpan<float> x, Span<float> destination) => Unary<FloorOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Ceil(ReadOnlySpan<float> x, Span<float> destination) => Unary<CeilingOperator>(x, destination);

    /// <summary>Nearest integer, halves to even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Round(ReadOnlySpan<float> x, Span<float> destination) => Unary<RoundOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reciprocal(ReadOnlySpan<float> x, Span<float> destination) => Unary<ReciprocalOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softsign(ReadOnlySpan<float> x, Span<float> destination) => Unary<SoftsignOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softplus(ReadOnlySpan<float> x, Span<float> destination) => Unary<SoftplusOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Mish(ReadOnlySpan<float> x, Span<float> destination) => Unary<MishOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Erf(ReadOnlySpan<float> x, Span<float> destination) => Unary<ErfOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gelu(ReadOnlySpan<float> x, Span<float> destination) => Unary<GeluOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GeluTanh(ReadOnlySpan<float> x, Span<float> destination) => Unary<GeluTanhOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Elu(ReadOnlySpan<float> x, Span<float> destination, float alpha) => Unary(x, destination, new EluOperator(alpha));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Selu(ReadOnlySpan<float> x, Span<float> destination, float alpha, float gamma) => Unary(x, destination, new SeluOperator(alpha, gamma));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Celu(ReadOnlySpan<float> x, Span<float> destination, float alpha) => Unary(x, destination, new CeluOperator(alpha));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ThresholdedRelu(ReadOnlySpan<float> x, Span<float> destination, float alpha) => Unary(x, destination, new ThresholdedReluOperator(alpha));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Shrink(ReadOnlySpan<float> x, Span<float> destination, float bias, float lambd) => Unary(x, destination, new ShrinkOperator(bias, lambd));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Swish(ReadOnlySpan<float> x, Span<float> destination, float alpha) => Unary(x, destination, new SwishOperator(alpha));

    public static void Log(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Log(x, Fit(x, destination));
    public static void Sin(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Sin(x, Fit(x, destination));
    public static void Cos(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Cos(x, Fit(x, destination));
    public static void Tan(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Tan(x, Fit(x, destination));
    public static void Asin(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Asin(x, Fit(x, destination));
    public static void Acos(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Acos(x, Fit(x, destination));
    public static void Atan(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Atan(x, Fit(x, destination));
    public static void Sinh(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Sinh(x, Fit(x, destination));
    public static void Cosh(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Cosh(x, Fit(x, destination));
    public static void Asinh(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Asinh(x, Fit(x, destination));
    public static void Acosh(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Acosh(x, Fit(x, destination));
    public static void Atanh(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Atanh(x, Fit(x, destination));

    /// <summary>destination cut to x's length (TensorPrimitives allows exact overlap, so in place is fine).</summary>
    private static Span<float> Fit(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length < x.Length) ThrowDestinationTooShort();
        return destination.Slice(0, x.Length);
    }

    /// <summary>Neg, Abs or Sign on any numeric element type (integers, double, Half), scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnaryNumeric<T, TOp>(ReadOnlySpan<T> x, Span<T> destination) where T : unmanaged, INumber<T> where TOp : struct, INumericUnaryOperator
    {
        if (destination.Length < x.Length) ThrowDestinationTooShort();
        for (int i = 0; i < x.Length; i++) destination[i] = TOp.Invoke(x[i]);
    }

    /// <summary>A math function on double or Half, computed in double, scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnaryFloating<T, TOp>(ReadOnlySpan<T> x, Span<T> destination) where T : unmanaged, INumber<T> where TOp : struct, IDoubleUnaryOperator
    {
        if (destination.Length < x.Length) ThrowDestinationTooShort();
        for (int i = 0; i < x.Length; i++) destination[i] = T.CreateTruncating(TOp.Invoke(double.CreateTruncating(x[i])));
    }
}
