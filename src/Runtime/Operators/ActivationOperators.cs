using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime.Operators;

public readonly struct SqrtOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Sqrt(x);
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Sqrt(x);
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Sqrt(x);
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Sqrt(x);
}

// The activations: one definition each, shared by the elementwise kernels (Kernels.Relu, Kernels.Sigmoid, ...) and by
// the epilogue of Conv/Gemm/MatMul (FusedActivation). Each scalar Invoke performs exactly the operations one lane of the
// vector forms performs (same constants, same order, multiply-adds through VectorMath.Mad), so an element's result does
// not depend on its position in a span, on the vector width, or on whether the activation was fused.

/// <summary>max(x, 0); NaN stays NaN (the vector Max propagates NaN, like ONNX Runtime), -0 becomes +0.</summary>
public readonly struct ReluOperator : IUnaryOperator
{
    public static float Invoke(float x) => MathF.Max(x, 0f);
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Max(x, Vector128<float>.Zero);
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
}

/// <summary>LeakyRelu: x when x ≥ 0 (or NaN), alpha·x when x &lt; 0.</summary>
public readonly struct LeakyReluOperator(float alpha) : IStatefulUnaryOperator
{
    public float Invoke(float x) => x < 0f ? x * alpha : x;
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), x * Vector128.Create(alpha), x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), x * Vector256.Create(alpha), x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), x * Vector512.Create(alpha), x);
}

/// <summary>Clip: min(max(x, min), max). When min &gt; max every element becomes max (ONNX spec); NaN stays NaN.</summary>
public readonly struct ClipOperator(float min, float max) : IStatefulUnaryOperator
{
    public float Invoke(float x) => MathF.Min(MathF.Max(x, min), max);
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.Min(Vector128.Max(x, Vector128.Create(min)), Vector128.Create(max));
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Min(Vector256.Max(x, Vector256.Create(min)), Vector256.Create(max));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Min(Vector512.Max(x, Vector512.Create(min)), Vector512.Create(max));
}

/// <summary>1 / (1 + e^-x), at most 2.5 ulp (see <see cref="VectorMath"/>).</summary>
public readonly struct SigmoidOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => VectorMath.Sigmoid(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => VectorMath.Sigmoid(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Sigmoid(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => VectorMath.Sigmoid(x);
}

/// <summary>
/// SiLU (swish): x · sigmoid(x), rounded exactly as <see cref="SigmoidOperator"/> followed by a float multiply, so a fused
/// Sigmoid→Mul gives the same bits as the two kernels (and x = -∞ gives NaN, as -∞ · 0 does there).
/// </summary>
public readonly struct SiluOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => x * VectorMath.Sigmoid(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => x * VectorMath.Sigmoid(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => x * VectorMath.Sigmoid(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => x * VectorMath.Sigmoid(x);
}

/// <summary>HardSigmoid: max(0, min(1, alpha·x + beta)) (multiply, then add: never fused); NaN stays NaN.</summary>
public readonly struct HardSigmoidOperator(float alpha, float beta) : IStatefulUnaryOperator
{
    public float Invoke(float x) => MathF.Max(0f, MathF.Min(1f, x * alpha + beta));
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.Max(Vector128<float>.Zero, Vector128.Min(Vector128<float>.One, x * Vector128.Create(alpha) + Vector128.Create(beta)));
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(Vector256<float>.Zero, Vector256.Min(Vector256<float>.One, x * Vector256.Create(alpha) + Vector256.Create(beta)));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Max(Vector512<float>.Zero, Vector512.Min(Vector512<float>.One, x * Vector512.Create(alpha) + Vector512.Create(beta)));
}

/// <summary>HardSwish: x · max(0, min(1, x/6 + 1/2)) (the HardSigmoid with alpha = 1/6, beta = 1/2, times x).</summary>
public readonly struct HardSwishOperator : IUnaryOperator
{
    private const float Alpha = 1f / 6f, Beta = 0.5f;
    public static float Invoke(float x) => x * MathF.Max(0f, MathF.Min(1f, x * Alpha + Beta));
    public static Vector128<float> Invoke(Vector128<float> x) => x * Vector128.Max(Vector128<float>.Zero, Vector128.Min(Vector128<float>.One, x * Vector128.Create(Alpha) + Vector128.Create(Beta)));
    public static Vector256<float> Invoke(Vector256<float> x) => x * Vector256.Max(Vector256<float>.Zero, Vector256.Min(Vector256<float>.One, x * Vector256.Create(Alpha) + Vector256.Create(Beta)));
    public static Vector512<float> Invoke(Vector512<float> x) => x * Vector512.Max(Vector512<float>.Zero, Vector512.Min(Vector512<float>.One, x * Vector512.Create(Alpha) + Vector512.Create(Beta)));
}

/// <summary>tanh x within 2 ulp, exact near 0, odd (tanh(-0) = -0) (see <see cref="VectorMath"/>).</summary>
public readonly struct TanhOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => VectorMath.Tanh(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => VectorMath.Tanh(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Tanh(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => VectorMath.Tanh(x);
}

/// <summary>e^x within 1 ulp (see <see cref="VectorMath"/>).</summary>
public readonly struct ExpOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => VectorMath.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => VectorMath.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => VectorMath.Exp(x);
}

/// <summary>x · scale.</summary>
public readonly struct ScaleOperator(float scale) : IStatefulUnaryOperator
{
    public float Invoke(float x) => x * scale;
    public Vector128<float> Invoke(Vector128<float> x) => x * Vector128.Create(scale);
    public Vector256<float> Invoke(Vector256<float> x) => x * Vector256.Create(scale);
    public Vector512<float> Invoke(Vector512<float> x) => x * Vector512.Create(scale);
}

/// <summary>e^(x - shift): the numerator of a numerically stable softmax (shift = the row maximum).</summary>
public readonly struct ShiftedExpOperator(float shift) : IStatefulUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => VectorMath.Exp(x - shift);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => VectorMath.Exp(x - Vector128.Create(shift));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => VectorMath.Exp(x - Vector256.Create(shift));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => VectorMath.Exp(x - Vector512.Create(shift));
}

/// <summary>(x - shift) - logSum: the log-softmax of x once the row maximum and log Σe^(x-max) are known.</summary>
public readonly struct ShiftedLogOperator(float shift, float logSum) : IStatefulUnaryOperator
{
    public float Invoke(float x) => (x - shift) - logSum;
    public Vector128<float> Invoke(Vector128<float> x) => (x - Vector128.Create(shift)) - Vector128.Create(logSum);
    public Vector256<float> Invoke(Vector256<float> x) => (x - Vector256.Create(shift)) - Vector256.Create(logSum);
    public Vector512<float> Invoke(Vector512<float> x) => (x - Vector512.Create(shift)) - Vector512.Create(logSum);
}
