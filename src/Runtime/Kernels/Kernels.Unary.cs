using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ModelGen.Runtime.Operators;

namespace ModelGen.Runtime;

/// <summary>The kernels generated models call. Each family lives in its own file.</summary>
public static partial class Kernels
{
    /// <summary>Applies a stateless operator elementwise (through the one driver below).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unary<TOp>(ReadOnlySpan<float> x, Span<float> destination) where TOp : struct, IUnaryOperator =>
        Unary(x, destination, default(StatelessUnary<TOp>));

    /// <summary>
    /// Applies <paramref name="op"/> elementwise. <paramref name="destination"/> may be <paramref name="x"/> itself (in
    /// place); other overlaps are not allowed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unary<TOp>(ReadOnlySpan<float> x, Span<float> destination, TOp op) where TOp : struct, IStatefulUnaryOperator
    {
        if (destination.Length < x.Length) ThrowDestinationTooShort();
        UnaryCore(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(destination), (nuint)x.Length, op);
    }

    /// <summary>
    /// The one elementwise driver (unary kernels, fused activations over a row, and the binary kernels with one operand
    /// broadcast, through <see cref="BindLeft{TOp}"/> / <see cref="BindRight{TOp}"/>): widest accelerated vector first,
    /// two vectors per step, then one, then narrower widths, then scalar. Every operator computes the same bits in every
    /// form, so where an element falls does not change its result. dst may equal src.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void UnaryCore<TOp>(ref float src, ref float dst, nuint n, TOp op) where TOp : struct, IStatefulUnaryOperator
    {
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector512<float>.Count;
            for (; i + 2 * w <= n; i += 2 * w)
            {
                var v0 = Vector512.LoadUnsafe(ref src, i);
                var v1 = Vector512.LoadUnsafe(ref src, i + w);
                op.Invoke(v0).StoreUnsafe(ref dst, i);
                op.Invoke(v1).StoreUnsafe(ref dst, i + w);
            }
            if (i + w <= n)
            {
                op.Invoke(Vector512.LoadUnsafe(ref src, i)).StoreUnsafe(ref dst, i);
                i += w;
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector256<float>.Count;
            for (; i + 2 * w <= n; i += 2 * w)
            {
                var v0 = Vector256.LoadUnsafe(ref src, i);
                var v1 = Vector256.LoadUnsafe(ref src, i + w);
                op.Invoke(v0).StoreUnsafe(ref dst, i);
                op.Invoke(v1).StoreUnsafe(ref dst, i + w);
            }
            if (i + w <= n)
            {
                op.Invoke(Vector256.LoadUnsafe(ref src, i)).StoreUnsafe(ref dst, i);
                i += w;
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector128<float>.Count;
            for (; i + w <= n; i += w)
                op.Invoke(Vector128.LoadUnsafe(ref src, i)).StoreUnsafe(ref dst, i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref dst, i) = op.Invoke(Unsafe.Add(ref src, i));
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowDestinationTooShort() => throw new ArgumentException("Destination is too short.", "destination");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu(ReadOnlySpan<float> x, Span<float> destination) => Unary<ReluOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sqrt(ReadOnlySpan<float> x, Span<float> destination) => Unary<SqrtOperator>(x, destination);

    /// <summary>e^x within 1 ulp (see <see cref="VectorMath"/>: more accurate and faster than TensorPrimitives.Exp here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Exp(ReadOnlySpan<float> x, Span<float> destination) => Unary<ExpOperator>(x, destination);

    /// <summary>1 / (1 + e^-x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination) => Unary<SigmoidOperator>(x, destination);

    /// <summary>SiLU (swish): x · sigmoid(x), the same bits as <see cref="Sigmoid"/> followed by a multiply by x.</summary>
    public static void Silu(ReadOnlySpan<float> x, Span<float> destination) => Unary<SiluOperator>(x, destination);

    /// <summary>tanh x within 2 ulp, exact near 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination) => Unary<TanhOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HardSwish(ReadOnlySpan<float> x, Span<float> destination) => Unary<HardSwishOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Square(ReadOnlySpan<float> x, Span<float> destination) => Unary<SquareOperator>(x, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyRelu(ReadOnlySpan<float> x, Span<float> destination, float alpha) =>
        Unary(x, destination, new LeakyReluOperator(alpha));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HardSigmoid(ReadOnlySpan<float> x, Span<float> destination, float alpha, float beta) =>
        Unary(x, destination, new HardSigmoidOperator(alpha, beta));

    /// <summary>min(max(x, min), max); with min &gt; max every element becomes max.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Clip(ReadOnlySpan<float> x, Span<float> destination, float min, float max) =>
        Unary(x, destination, new ClipOperator(min, max));

    /// <summary>x · scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(ReadOnlySpan<float> x, Span<float> destination, float scale) =>
        Unary(x, destination, new ScaleOperator(scale));

    /// <summary>Clip for any numeric element type (scalar path: integers and the rarer float types).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Clip<T>(ReadOnlySpan<T> x, Span<T> destination, T min, T max) where T : unmanaged, INumber<T>
    {
        if (destination.Length < x.Length) ThrowDestinationTooShort();
        for (int i = 0; i < x.Length; i++)
            destination[i] = T.Min(T.Max(x[i], min), max);
    }
}
