using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime.Operators;

// The elementwise math and activation operators of the unary kernels (Kernels.Neg, Kernels.Erf, Kernels.Elu, ...). As in
// ActivationOperators, each scalar Invoke performs the operations one vector lane performs, in the same order and without
// fused multiply-adds, so an element's bits do not depend on the vector width or its position in the span (the one
// exception: Softplus takes ln from MathF in the scalar form and from Vector*.Log in the vector forms, within an ulp).

/// <summary>-x.</summary>
public readonly struct NegateOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => -x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => -x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => -x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => -x;
}

/// <summary>|x|.</summary>
public readonly struct AbsOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Abs(x);
}

/// <summary>⌊x⌋.</summary>
public readonly struct FloorOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Floor(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Floor(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Floor(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Floor(x);
}

/// <summary>⌈x⌉.</summary>
public readonly struct CeilingOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Ceiling(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Ceiling(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Ceiling(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Ceiling(x);
}

/// <summary>x rounded to the nearest integer, halves to even.</summary>
public readonly struct RoundOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Round(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Round(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Round(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Round(x);
}

/// <summary>x / (1 + |x|).</summary>
public readonly struct SoftsignOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => x / (1f + MathF.Abs(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => x / (Vector128<float>.One + Vector128.Abs(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => x / (Vector256<float>.One + Vector256.Abs(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => x / (Vector512<float>.One + Vector512.Abs(x));
}

/// <summary>x when x &gt; alpha, else 0 (NaN too, as in ONNX Runtime).</summary>
public readonly struct ThresholdedReluOperator(float alpha) : IStatefulUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x > alpha ? x : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(alpha)), x, Vector128<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(alpha)), x, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(alpha)), x, Vector512<float>.Zero);
}

/// <summary>x - bias when x &gt; lambd, x + bias when x &lt; -lambd, else 0 (NaN too, as in ONNX Runtime).</summary>
public readonly struct ShrinkOperator(float bias, float lambd) : IStatefulUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x < -lambd ? x + bias : x > lambd ? x - bias : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(-lambd)), x + Vector128.Create(bias), Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(lambd)), x - Vector128.Create(bias), Vector128<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(-lambd)), x + Vector256.Create(bias), Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(lambd)), x - Vector256.Create(bias), Vector256<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(-lambd)), x + Vector512.Create(bias), Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(lambd)), x - Vector512.Create(bias), Vector512<float>.Zero));
}

/// <summary>x for x ≥ 0, alpha·(e^x - 1) for x &lt; 0.</summary>
public readonly struct EluOperator(float alpha) : IStatefulUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x < 0f ? alpha * (VectorMath.Exp(x) - 1f) : x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), Vector128.Create(alpha) * (VectorMath.Exp(x) - Vector128<float>.One), x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256.Create(alpha) * (VectorMath.Exp(x) - Vector256<float>.One), x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512.Create(alpha) * (VectorMath.Exp(x) - Vector512<float>.One), x);
}

/// <summary>gamma·x for x &gt; 0, gamma·alpha·(e^x - 1) for x ≤ 0.</summary>
public readonly struct SeluOperator(float alpha, float gamma) : IStatefulUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x > 0f ? gamma * x : (float.IsNaN(x) ? x : gamma * (alpha * (VectorMath.Exp(x) - 1f)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero) | ~Vector128.Equals(x, x), Vector128.Create(gamma) * x, Vector128.Create(gamma) * (Vector128.Create(alpha) * (VectorMath.Exp(x) - Vector128<float>.One)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero) | ~Vector256.Equals(x, x), Vector256.Create(gamma) * x, Vector256.Create(gamma) * (Vector256.Create(alpha) * (VectorMath.Exp(x) - Vector256<float>.One)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero) | ~Vector512.Equals(x, x), Vector512.Create(gamma) * x, Vector512.Create(gamma) * (Vector512.Create(alpha) * (VectorMath.Exp(x) - Vector512<float>.One)));
}

/// <summary>max(0, x) + min(0, alpha·(e^(x/alpha) - 1)).</summary>
public readonly struct CeluOperator(float alpha) : IStatefulUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x < 0f ? alpha * (VectorMath.Exp(x / alpha) - 1f) : x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), Vector128.Create(alpha) * (VectorMath.Exp(x / Vector128.Create(alpha)) - Vector128<float>.One), x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256.Create(alpha) * (VectorMath.Exp(x / Vector256.Create(alpha)) - Vector256<float>.One), x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512.Create(alpha) * (VectorMath.Exp(x / Vector512.Create(alpha)) - Vector512<float>.One), x);
}

/// <summary>x·sigmoid(alpha·x) (Swish; alpha = 1 is SiLU).</summary>
public readonly struct SwishOperator(float alpha) : IStatefulUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => x * VectorMath.Sigmoid(alpha * x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => x * VectorMath.Sigmoid(Vector128.Create(alpha) * x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => x * VectorMath.Sigmoid(Vector256.Create(alpha) * x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => x * VectorMath.Sigmoid(Vector512.Create(alpha) * x);
}

/// <summary>x·tanh(softplus(x)), without a logarithm: with e = e^x, tanh(ln(1 + e)) = e(e + 2) / (e(e + 2) + 2); beyond x = 20 that is 1 in float.</summary>
public readonly struct MishOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MishScalar(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => MishVector(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => MishVector(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => MishVector(x);

    private static float MishScalar(float x)
    {
        float e = VectorMath.Exp(MathF.Min(x, 20f));
        float n = e * (e + 2f);
        return x > 20f ? x : x * (n / (n + 2f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MishVector(Vector128<float> x)
    {
        var limit = Vector128.Create(20f);
        var e = VectorMath.Exp(Vector128.Min(x, limit));
        var n = e * (e + Vector128.Create(2f));
        return Vector128.ConditionalSelect(Vector128.GreaterThan(x, limit), x, x * (n / (n + Vector128.Create(2f))));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MishVector(Vector256<float> x)
    {
        var limit = Vector256.Create(20f);
        var e = VectorMath.Exp(Vector256.Min(x, limit));
        var n = e * (e + Vector256.Create(2f));
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, limit), x, x * (n / (n + Vector256.Create(2f))));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MishVector(Vector512<float> x)
    {
        var limit = Vector512.Create(20f);
        var e = VectorMath.Exp(Vector512.Min(x, limit));
        var n = e * (e + Vector512.Create(2f));
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, limit), x, x * (n / (n + Vector512.Create(2f))));
    }
}

/// <summary>ln(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so it neither overflows nor loses small results.</summary>
public readonly struct SoftplusOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => SoftplusScalar(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => SoftplusVector(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => SoftplusVector(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => SoftplusVector(x);

    private static float SoftplusScalar(float x)
    {
        float u = VectorMath.Exp(-MathF.Abs(x));
        float w = 1f + u;
        // log1p(u) = ln(w)·u/(w - 1) corrects the rounding of 1 + u; when w rounds to 1, log1p(u) = u.
        float log1p = w == 1f ? u : MathF.Log(w) * (u / (w - 1f));
        return MathF.Max(x, 0f) + log1p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SoftplusVector(Vector128<float> x)
    {
        var u = VectorMath.Exp(-Vector128.Abs(x));
        var w = Vector128<float>.One + u;
        var log1p = Vector128.ConditionalSelect(Vector128.Equals(w, Vector128<float>.One), u, Vector128.Log(w) * (u / (w - Vector128<float>.One)));
        return Vector128.Max(x, Vector128<float>.Zero) + log1p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SoftplusVector(Vector256<float> x)
    {
        var u = VectorMath.Exp(-Vector256.Abs(x));
        var w = Vector256<float>.One + u;
        var log1p = Vector256.ConditionalSelect(Vector256.Equals(w, Vector256<float>.One), u, Vector256.Log(w) * (u / (w - Vector256<float>.One)));
        return Vector256.Max(x, Vector256<float>.Zero) + log1p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SoftplusVector(Vector512<float> x)
    {
        var u = VectorMath.Exp(-Vector512.Abs(x));
        var w = Vector512<float>.One + u;
        var log1p = Vector512.ConditionalSelect(Vector512.Equals(w, Vector512<float>.One), u, Vector512.Log(w) * (u / (w - Vector512<float>.One)));
        return Vector512.Max(x, Vector512<float>.Zero) + log1p;
    }
}

/// <summary>erf x: an odd Taylor polynomial for |x| &lt; 0.5, 1 - erfc|x| beyond (erfc by a Chebyshev-fitted rational in t = 1/(1 + |x|/2), relative error below 1.2e-7), the sign copied back.</summary>
public readonly struct ErfOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => ErfScalar(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => ErfVector(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => ErfVector(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => ErfVector(x);

    // 2/√π times the series x - x³/3 + x⁵/10 - ..., in Horner form on x².
    private const float E1 = 1.12837917f, E3 = -0.376126389f, E5 = 0.112837917f, E7 = -0.0268661706f, E9 = 0.00522397765f, E11 = -8.54832702e-4f, E13 = 1.20553129e-4f;
    // erfc(z) ≈ t·exp(-z² + P(t)), t = 1/(1 + z/2).
    private const float P0 = -1.26551223f, P1 = 1.00002368f, P2 = 0.37409196f, P3 = 0.09678418f, P4 = -0.18628806f,
        P5 = 0.27886807f, P6 = -1.13520398f, P7 = 1.48851587f, P8 = -0.82215223f, P9 = 0.17087277f;

    private static float ErfScalar(float x)
    {
        float z = MathF.Min(MathF.Abs(x), 10f);
        float s = z * z;
        float small = z * (E1 + s * (E3 + s * (E5 + s * (E7 + s * (E9 + s * (E11 + s * E13))))));
        float t = 1f / (1f + 0.5f * z);
        float p = P0 + t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * (P5 + t * (P6 + t * (P7 + t * (P8 + t * P9))))))));
        float large = 1f - t * VectorMath.Exp(p - s);
        float r = z < 0.5f ? small : large;
        return float.IsNaN(x) ? x : MathF.CopySign(r, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ErfVector(Vector128<float> x)
    {
        var z = Vector128.Min(Vector128.Abs(x), Vector128.Create(10f));
        var s = z * z;
        var small = z * (Vector128.Create(E1) + s * (Vector128.Create(E3) + s * (Vector128.Create(E5) + s * (Vector128.Create(E7) + s * (Vector128.Create(E9) + s * (Vector128.Create(E11) + s * Vector128.Create(E13)))))));
        var t = Vector128<float>.One / (Vector128<float>.One + Vector128.Create(0.5f) * z);
        var p = Vector128.Create(P0) + t * (Vector128.Create(P1) + t * (Vector128.Create(P2) + t * (Vector128.Create(P3) + t * (Vector128.Create(P4) + t * (Vector128.Create(P5) + t * (Vector128.Create(P6) + t * (Vector128.Create(P7) + t * (Vector128.Create(P8) + t * Vector128.Create(P9)))))))));
        var large = Vector128<float>.One - t * VectorMath.Exp(p - s);
        var r = Vector128.ConditionalSelect(Vector128.LessThan(z, Vector128.Create(0.5f)), small, large);
        // Copy x's sign bit onto r; NaN lanes keep x.
        var signed = Vector128.ConditionalSelect(Vector128.Create(-0f), x, r);
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), signed, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ErfVector(Vector256<float> x)
    {
        var z = Vector256.Min(Vector256.Abs(x), Vector256.Create(10f));
        var s = z * z;
        var small = z * (Vector256.Create(E1) + s * (Vector256.Create(E3) + s * (Vector256.Create(E5) + s * (Vector256.Create(E7) + s * (Vector256.Create(E9) + s * (Vector256.Create(E11) + s * Vector256.Create(E13)))))));
        var t = Vector256<float>.One / (Vector256<float>.One + Vector256.Create(0.5f) * z);
        var p = Vector256.Create(P0) + t * (Vector256.Create(P1) + t * (Vector256.Create(P2) + t * (Vector256.Create(P3) + t * (Vector256.Create(P4) + t * (Vector256.Create(P5) + t * (Vector256.Create(P6) + t * (Vector256.Create(P7) + t * (Vector256.Create(P8) + t * Vector256.Create(P9)))))))));
        var large = Vector256<float>.One - t * VectorMath.Exp(p - s);
        var r = Vector256.ConditionalSelect(Vector256.LessThan(z, Vector256.Create(0.5f)), small, large);
        // Copy x's sign bit onto r; NaN lanes keep x.
        var signed = Vector256.ConditionalSelect(Vector256.Create(-0f), x, r);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), signed, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ErfVector(Vector512<float> x)
    {
        var z = Vector512.Min(Vector512.Abs(x), Vector512.Create(10f));
        var s = z * z;
        var small = z * (Vector512.Create(E1) + s * (Vector512.Create(E3) + s * (Vector512.Create(E5) + s * (Vector512.Create(E7) + s * (Vector512.Create(E9) + s * (Vector512.Create(E11) + s * Vector512.Create(E13)))))));
        var t = Vector512<float>.One / (Vector512<float>.One + Vector512.Create(0.5f) * z);
        var p = Vector512.Create(P0) + t * (Vector512.Create(P1) + t * (Vector512.Create(P2) + t * (Vector512.Create(P3) + t * (Vector512.Create(P4) + t * (Vector512.Create(P5) + t * (Vector512.Create(P6) + t * (Vector512.Create(P7) + t * (Vector512.Create(P8) + t * Vector512.Create(P9)))))))));
        var large = Vector512<float>.One - t * VectorMath.Exp(p - s);
        var r = Vector512.ConditionalSelect(Vector512.LessThan(z, Vector512.Create(0.5f)), small, large);
        // Copy x's sign bit onto r; NaN lanes keep x.
        var signed = Vector512.ConditionalSelect(Vector512.Create(-0f), x, r);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), signed, x);
    }
}

/// <summary>Gelu: x·(1 + erf(x/√2))/2.</summary>
public readonly struct GeluOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => 0.5f * x * (1f + ErfOperator.Invoke(x * 0.707106781f));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Create(0.5f) * x * (Vector128<float>.One + ErfOperator.Invoke(x * Vector128.Create(0.707106781f)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Create(0.5f) * x * (Vector256<float>.One + ErfOperator.Invoke(x * Vector256.Create(0.707106781f)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Create(0.5f) * x * (Vector512<float>.One + ErfOperator.Invoke(x * Vector512.Create(0.707106781f)));
}

/// <summary>Gelu with approximate = tanh: x·(1 + tanh(√(2/π)·(x + 0.044715x³)))/2.</summary>
public readonly struct GeluTanhOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => 0.5f * x * (1f + VectorMath.Tanh(0.797884561f * (x + 0.044715f * x * x * x)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Create(0.5f) * x * (Vector128<float>.One + VectorMath.Tanh(Vector128.Create(0.797884561f) * (x + Vector128.Create(0.044715f) * x * x * x)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Create(0.5f) * x * (Vector256<float>.One + VectorMath.Tanh(Vector256.Create(0.797884561f) * (x + Vector256.Create(0.044715f) * x * x * x)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Create(0.5f) * x * (Vector512<float>.One + VectorMath.Tanh(Vector512.Create(0.797884561f) * (x + Vector512.Create(0.044715f) * x * x * x)));
}
