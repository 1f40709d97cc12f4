using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime.Operators;

/// <summary>
/// Float transcendental functions evaluated in double precision and rounded once, so results are correctly rounded in
/// practice. Measured here (.NET 10, AVX-512): Vector512.Exp on float has errors up to 1.76 ulp and gives e^0 = 1.0000001,
/// TensorPrimitives.Exp up to 1.76 ulp, and TensorPrimitives.Tanh returns ±6e-8 for ±0 in its vector path; widening to
/// double costs about the same as TensorPrimitives.Exp (≈1 ns per element) and removes all three problems.
/// </summary>
public static class VectorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        var (lo, hi) = Vector128.Widen(x);
        return Vector128.Narrow(Vector128.Exp(lo), Vector128.Exp(hi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var (lo, hi) = Vector256.Widen(x);
        return Vector256.Narrow(Vector256.Exp(lo), Vector256.Exp(hi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var (lo, hi) = Vector512.Widen(x);
        return Vector512.Narrow(Vector512.Exp(lo), Vector512.Exp(hi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Log(Vector128<float> x)
    {
        var (lo, hi) = Vector128.Widen(x);
        return Vector128.Narrow(Vector128.Log(lo), Vector128.Log(hi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x)
    {
        var (lo, hi) = Vector256.Widen(x);
        return Vector256.Narrow(Vector256.Log(lo), Vector256.Log(hi));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log(Vector512<float> x)
    {
        var (lo, hi) = Vector512.Widen(x);
        return Vector512.Narrow(Vector512.Log(lo), Vector512.Log(hi));
    }

    /// <summary>Below this magnitude tanh x rounds to x in float (the x³/3 term is under half an ulp).</summary>
    private const float TanhLinear = 1f / 4096f;

    /// <summary>Beyond this magnitude tanh x rounds to ±1 in float; clamping keeps e^2x finite.</summary>
    private const double TanhSaturate = 20;

    /// <summary>tanh x = (e^2|x| - 1) / (e^2|x| + 1) with x's sign, in double; x itself near zero.</summary>
    public static float Tanh(float x) =>
        MathF.Abs(x) < TanhLinear ? x : MathF.CopySign((float)TanhPositive(Math.Min(Math.Abs((double)x), TanhSaturate)), x);

    private static double TanhPositive(double a)
    {
        double t = Math.Exp(2 * a);
        return (t - 1) / (t + 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        var (lo, hi) = Vector128.Widen(Vector128.Abs(x));
        var limit = Vector128.Create(TanhSaturate);
        var tl = Vector128.Exp(Vector128.Min(lo, limit) * 2.0);
        var th = Vector128.Exp(Vector128.Min(hi, limit) * 2.0);
        var magnitude = Vector128.Narrow((tl - Vector128<double>.One) / (tl + Vector128<double>.One), (th - Vector128<double>.One) / (th + Vector128<double>.One));
        var signed = Vector128.CopySign(magnitude, x);
        return Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(x), Vector128.Create(TanhLinear)), x, signed);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var (lo, hi) = Vector256.Widen(Vector256.Abs(x));
        var limit = Vector256.Create(TanhSaturate);
        var tl = Vector256.Exp(Vector256.Min(lo, limit) * 2.0);
        var th = Vector256.Exp(Vector256.Min(hi, limit) * 2.0);
        var magnitude = Vector256.Narrow((tl - Vector256<double>.One) / (tl + Vector256<double>.One), (th - Vector256<double>.One) / (th + Vector256<double>.One));
        var signed = Vector256.CopySign(magnitude, x);
        return Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(TanhLinear)), x, signed);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var (lo, hi) = Vector512.Widen(Vector512.Abs(x));
        var limit = Vector512.Create(TanhSaturate);
        var tl = Vector512.Exp(Vector512.Min(lo, limit) * 2.0);
        var th = Vector512.Exp(Vector512.Min(hi, limit) * 2.0);
        var magnitude = Vector512.Narrow((tl - Vector512<double>.One) / (tl + Vector512<double>.One), (th - Vector512<double>.One) / (th + Vector512<double>.One));
        var signed = Vector512.CopySign(magnitude, x);
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(TanhLinear)), x, signed);
    }
}
