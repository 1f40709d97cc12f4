using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Runtime.Operators;

/// <summary>
/// Float exp, tanh and sigmoid for the kernels: one algorithm with a scalar form and a form per vector width, written
/// operation for operation alike, so an element's result depends neither on where it sits in the span nor on the vector
/// width (the scalar tail, a Vector128 lane and a Vector512 lane give the same bits).
/// <para>
/// Every multiply-add is written <c>fma ? FusedMultiplyAdd(a, b, c) : a * b + c</c> with <c>fma</c> =
/// <c>Fma.IsSupported || AdvSimd.IsSupported</c>: a fused multiply-add (<see cref="MathF.FusedMultiplyAdd"/> /
/// <c>Vector*.FusedMultiplyAdd</c>, one rounding) when the hardware has one (x64 FMA3, every ARM64), otherwise a
/// multiply and an add (two roundings), in the scalar and every vector form alike. The condition is a JIT-time constant,
/// so only one arm is compiled. <c>MultiplyAddEstimate</c> is not used because it leaves the choice to each form, and the
/// choice is spelled out at each use rather than in a helper method because these bodies are inlined many times into
/// one driver, where the JIT's inlining budget runs out and a helper would become a call per vector.
/// </para>
/// <para>
/// exp: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two so n·ln2 needs no FMA to be exact), e^r by its degree-7 Taylor
/// polynomial, and 2^n applied as two exponent-field factors (one vscalefps on AVX-512, which rounds the same way) so
/// overflow gives ∞ and deep underflow rounds correctly to subnormals. Measured over [-104, 89]: at most 0.93 ulp from
/// e^x with FMA, 1.19 ulp without (TensorPrimitives.Exp: 1.77 ulp; Vector512.Exp on float: 1.76 ulp and e^0 = 1.0000001).
/// </para>
/// <para>
/// tanh: odd, so computed on |x| with the sign copied back (tanh(-0) = -0): an odd Taylor polynomial to x¹⁵ for
/// |x| &lt; 0.4, else 1 - 2/(e^2|x| + 1). At most 1.77 ulp over [-10, 10] (1.87 without FMA), exact near 0, where
/// TensorPrimitives.Tanh's vector path is off by up to 131,000 ulp. Sigmoid = 1/(1 + e^-x): at most 2.5 ulp over
/// [-20, 20]; SiLU = x·sigmoid(x): at most 2.7 ulp.
/// </para>
/// </summary>
public static class VectorMath
{
    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693359375f;        // 355/512: n·Ln2Hi is exact for |n| < 2^15
    private const float Ln2Lo = -2.12194440e-4f;     // ln 2 - Ln2Hi
    private const float ExpHigh = 88.8f;             // above ln(float.MaxValue): the result overflows to ∞
    private const float ExpLow = -104f;              // below ln(float.Epsilon / 2): the result rounds to 0
    private const float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;

    public static float Exp(float x)
    {
        bool fma = Fma.IsSupported || AdvSimd.IsSupported;
        x = MathF.Min(MathF.Max(x, ExpLow), ExpHigh);
        float n = MathF.Round(x * Log2E);
        float r = (x - n * Ln2Hi) - n * Ln2Lo;
        float p = fma ? MathF.FusedMultiplyAdd(r, C7, C6) : r * C7 + C6;
        p = fma ? MathF.FusedMultiplyAdd(p, r, C5) : p * r + C5;
        p = fma ? MathF.FusedMultiplyAdd(p, r, C4) : p * r + C4;
        p = fma ? MathF.FusedMultiplyAdd(p, r, C3) : p * r + C3;
        p = fma ? MathF.FusedMultiplyAdd(p, r, C2) : p * r + C2;
        p = fma ? MathF.FusedMultiplyAdd(p, r, 1f) : p * r + 1f;
        p = fma ? MathF.FusedMultiplyAdd(p, r, 1f) : p * r + 1f;
        // n1 + n2 = n and both halves keep p·2^n1 normal, so the product rounds once (at the second factor).
        int ni = (int)n, n1 = ni >> 1, n2 = ni - n1;
        return p * BitConverter.Int32BitsToSingle((n1 + 127) << 23) * BitConverter.Int32BitsToSingle((n2 + 127) << 23);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        bool fma = Fma.IsSupported || AdvSimd.IsSupported;
        x = Vector128.Min(Vector128.Max(x, Vector128.Create(ExpLow)), Vector128.Create(ExpHigh));
        var n = Vector128.Round(x * Vector128.Create(Log2E));
        var r = (x - n * Vector128.Create(Ln2Hi)) - n * Vector128.Create(Ln2Lo);
        var p = fma ? Vector128.FusedMultiplyAdd(r, Vector128.Create(C7), Vector128.Create(C6)) : r * Vector128.Create(C7) + Vector128.Create(C6);
        p = fma ? Vector128.FusedMultiplyAdd(p, r, Vector128.Create(C5)) : p * r + Vector128.Create(C5);
        p = fma ? Vector128.FusedMultiplyAdd(p, r, Vector128.Create(C4)) : p * r + Vector128.Create(C4);
        p = fma ? Vector128.FusedMultiplyAdd(p, r, Vector128.Create(C3)) : p * r + Vector128.Create(C3);
        p = fma ? Vector128.FusedMultiplyAdd(p, r, Vector128.Create(C2)) : p * r + Vector128.Create(C2);
        p = fma ? Vector128.FusedMultiplyAdd(p, r, Vector128<float>.One) : p * r + Vector128<float>.One;
        p = fma ? Vector128.FusedMultiplyAdd(p, r, Vector128<float>.One) : p * r + Vector128<float>.One;
        var ni = Vector128.ConvertToInt32Native(n);
        var n1 = Vector128.ShiftRightArithmetic(ni, 1);
        var bias = Vector128.Create(127);
        var s1 = Vector128.ShiftLeft(n1 + bias, 23).AsSingle();
        var s2 = Vector128.ShiftLeft(ni - n1 + bias, 23).AsSingle();
        return p * s1 * s2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        bool fma = Fma.IsSupported || AdvSimd.IsSupported;
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpLow)), Vector256.Create(ExpHigh));
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = (x - n * Vector256.Create(Ln2Hi)) - n * Vector256.Create(Ln2Lo);
        var p = fma ? Vector256.FusedMultiplyAdd(r, Vector256.Create(C7), Vector256.Create(C6)) : r * Vector256.Create(C7) + Vector256.Create(C6);
        p = fma ? Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C5)) : p * r + Vector256.Create(C5);
        p = fma ? Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C4)) : p * r + Vector256.Create(C4);
        p = fma ? Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C3)) : p * r + Vector256.Create(C3);
        p = fma ? Vector256.FusedMultiplyAdd(p, r, Vector256.Create(C2)) : p * r + Vector256.Create(C2);
        p = fma ? Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One) : p * r + Vector256<float>.One;
        p = fma ? Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One) : p * r + Vector256<float>.One;
        var ni = Vector256.ConvertToInt32Native(n);
        var n1 = Vector256.ShiftRightArithmetic(ni, 1);
        var bias = Vector256.Create(127);
        var s1 = Vector256.ShiftLeft(n1 + bias, 23).AsSingle();
        var s2 = Vector256.ShiftLeft(ni - n1 + bias, 23).AsSingle();
        return p * s1 * s2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        bool fma = Fma.IsSupported || AdvSimd.IsSupported;
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpLow)), Vector512.Create(ExpHigh));
        var n = Vector512.Round(x * Vector512.Create(Log2E));
        var r = (x - n * Vector512.Create(Ln2Hi)) - n * Vector512.Create(Ln2Lo);
        var p = fma ? Vector512.FusedMultiplyAdd(r, Vector512.Create(C7), Vector512.Create(C6)) : r * Vector512.Create(C7) + Vector512.Create(C6);
        p = fma ? Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C5)) : p * r + Vector512.Create(C5);
        p = fma ? Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C4)) : p * r + Vector512.Create(C4);
        p = fma ? Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C3)) : p * r + Vector512.Create(C3);
        p = fma ? Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C2)) : p * r + Vector512.Create(C2);
        p = fma ? Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One) : p * r + Vector512<float>.One;
        p = fma ? Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One) : p * r + Vector512<float>.One;
        // AVX-512 scales by 2^n in one instruction: one rounding, the same bits as the two factors below.
        if (Avx512F.IsSupported) return Avx512F.Scale(p, n);
        var ni = Vector512.ConvertToInt32Native(n);
        var n1 = Vector512.ShiftRightArithmetic(ni, 1);
        var bias = Vector512.Create(127);
        var s1 = Vector512.ShiftLeft(n1 + bias, 23).AsSingle();
        var s2 = Vector512.ShiftLeft(ni - n1 + bias, 23).AsSingle();
        return p * s1 * s2;
    }

    /// <summary>ln x in double precision, rounded once (used once per softmax column block, so speed does not matter).</summary>
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

    private const float TanhSmall = 0.4f;
    // tanh a = a + T3·a³ + T5·a⁵ + ... (Taylor; the first omitted term is below 2^-28 relative for a < 0.4).
    private const float T3 = -1f / 3, T5 = 2f / 15, T7 = -17f / 315, T9 = 62f / 2835, T11 = -1382f / 155925, T13 = 21844f / 6081075, T15 = -929569f / 638512875;

    public static float Tanh(float x)
    {
        bool fma = Fma.IsSupported || AdvSimd.IsSupported;
        float a = MathF.Abs(x);
        float t;
        if (a >= TanhSmall) t = 1f - 2f / (Exp(a + a) + 1f);
        else
        {
            float z = a * a;
            float q = fma ? MathF.FusedMultiplyAdd(z, T15, T13) : z * T15 + T13;
            q = fma ? MathF.FusedMultiplyAdd(q, z, T11) : q * z + T11;
            q = fma ? MathF.FusedMultiplyAdd(q, z, T9) : q * z + T9;
            q = fma ? MathF.FusedMultiplyAdd(q, z, T7) : q * z + T7;
            q = fma ? MathF.FusedMultiplyAdd(q, z, T5) : q * z + T5;
            q = fma ? MathF.FusedMultiplyAdd(q, z, T3) : q * z + T3;
            t = fma ? MathF.FusedMultiplyAdd(a * z, q, a) : a * z * q + a;
        }
        return MathF.CopySign(t, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        bool fma = Fma.IsSupported || AdvSimd.IsSupported;
        var a = Vector128.Abs(x);
        var z = a * a;
        var q = fma ? Vector128.FusedMultiplyAdd(z, Vector128.Create(T15), Vector128.Create(T13)) : z * Vector128.Create(T15) + Vector128.Create(T13);
        q = fma ? Vector128.FusedMultiplyAdd(q, z, Vector128.Create(T11)) : q * z + Vector128.Create(T11);
        q = fma ? Vector128.FusedMultiplyAdd(q, z, Vector128.Create(T9)) : q * z + Vector128.Create(T9);
        q = fma ? Vector128.FusedMultiplyAdd(q, z, Vector128.Create(T7)) : q * z + Vector128.Create(T7);
        q = fma ? Vector128.FusedMultiplyAdd(q, z, Vector128.Create(T5)) : q * z + Vector128.Create(T5);
        q = fma ? Vector128.FusedMultiplyAdd(q, z, Vector128.Create(T3)) : q * z + Vector128.Create(T3);
        var small = fma ? Vector128.FusedMultiplyAdd(a * z, q, a) : a * z * q + a;
        var large = Vector128<float>.One - Vector128.Create(2f) / (Exp(a + a) + Vector128<float>.One);
        return Vector128.CopySign(Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(a, Vector128.Create(TanhSmall)), large, small), x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        bool fma = Fma.IsSupported || AdvSimd.IsSupported;
        var a = Vector256.Abs(x);
        var z = a * a;
        var q = fma ? Vector256.FusedMultiplyAdd(z, Vector256.Create(T15), Vector256.Create(T13)) : z * Vector256.Create(T15) + Vector256.Create(T13);
        q = fma ? Vector256.FusedMultiplyAdd(q, z, Vector256.Create(T11)) : q * z + Vector256.Create(T11);
        q = fma ? Vector256.FusedMultiplyAdd(q, z, Vector256.Create(T9)) : q * z + Vector256.Create(T9);
        q = fma ? Vector256.FusedMultiplyAdd(q, z, Vector256.Create(T7)) : q * z + Vector256.Create(T7);
        q = fma ? Vector256.FusedMultiplyAdd(q, z, Vector256.Create(T5)) : q * z + Vector256.Create(T5);
        q = fma ? Vector256.FusedMultiplyAdd(q, z, Vector256.Create(T3)) : q * z + Vector256.Create(T3);
        var small = fma ? Vector256.FusedMultiplyAdd(a * z, q, a) : a * z * q + a;
        var large = Vector256<float>.One - Vector256.Create(2f) / (Exp(a + a) + Vector256<float>.One);
        return Vector256.CopySign(Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(a, Vector256.Create(TanhSmall)), large, small), x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        bool fma = Fma.IsSupported || AdvSimd.IsSupported;
        var a = Vector512.Abs(x);
        var z = a * a;
        var q = fma ? Vector512.FusedMultiplyAdd(z, Vector512.Create(T15), Vector512.Create(T13)) : z * Vector512.Create(T15) + Vector512.Create(T13);
        q = fma ? Vector512.FusedMultiplyAdd(q, z, Vector512.Create(T11)) : q * z + Vector512.Create(T11);
        q = fma ? Vector512.FusedMultiplyAdd(q, z, Vector512.Create(T9)) : q * z + Vector512.Create(T9);
        q = fma ? Vector512.FusedMultiplyAdd(q, z, Vector512.Create(T7)) : q * z + Vector512.Create(T7);
        q = fma ? Vector512.FusedMultiplyAdd(q, z, Vector512.Create(T5)) : q * z + Vector512.Create(T5);
        q = fma ? Vector512.FusedMultiplyAdd(q, z, Vector512.Create(T3)) : q * z + Vector512.Create(T3);
        var small = fma ? Vector512.FusedMultiplyAdd(a * z, q, a) : a * z * q + a;
        var large = Vector512<float>.One - Vector512.Create(2f) / (Exp(a + a) + Vector512<float>.One);
        return Vector512.CopySign(Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(a, Vector512.Create(TanhSmall)), large, small), x);
    }

    /// <summary>1 / (1 + e^-x).</summary>
    public static float Sigmoid(float x) => 1f / (1f + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x) => Vector128<float>.One / (Vector128<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));
}
