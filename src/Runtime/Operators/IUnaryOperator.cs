using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime.Operators;

/// <summary>An elementwise float operation with a scalar form and one form per vector width.</summary>
public interface IUnaryOperator
{
    static abstract float Invoke(float x);
    static abstract Vector128<float> Invoke(Vector128<float> x);
    static abstract Vector256<float> Invoke(Vector256<float> x);
    static abstract Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>
/// An elementwise float operation that carries parameters (LeakyRelu's alpha, Clip's bounds): the instance is passed to
/// the driver, which inlines it like a static operator. <see cref="Kernels.Unary{TOp}(System.ReadOnlySpan{float}, System.Span{float}, TOp)"/>
/// is the one driver; stateless operators reach it through <see cref="StatelessUnary{TOp}"/>.
/// </summary>
public interface IStatefulUnaryOperator
{
    float Invoke(float x);
    Vector128<float> Invoke(Vector128<float> x);
    Vector256<float> Invoke(Vector256<float> x);
    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>Adapts a stateless <see cref="IUnaryOperator"/> to the stateful shape, at no cost after inlining.</summary>
public readonly struct StatelessUnary<TOp> : IStatefulUnaryOperator where TOp : struct, IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => TOp.Invoke(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => TOp.Invoke(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => TOp.Invoke(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => TOp.Invoke(x);
}

/// <summary>op(x, b) for a fixed b: a binary operator with its right operand broadcast, for the unary driver.</summary>
internal readonly struct BindRight<TOp>(float b) : IStatefulUnaryOperator where TOp : struct, IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => TOp.Invoke(x, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => TOp.Invoke(x, Vector128.Create(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => TOp.Invoke(x, Vector256.Create(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => TOp.Invoke(x, Vector512.Create(b));
}

/// <summary>op(a, x) for a fixed a: a binary operator with its left operand broadcast, for the unary driver.</summary>
internal readonly struct BindLeft<TOp>(float a) : IStatefulUnaryOperator where TOp : struct, IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x) => TOp.Invoke(a, x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> x) => TOp.Invoke(Vector128.Create(a), x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> x) => TOp.Invoke(Vector256.Create(a), x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> x) => TOp.Invoke(Vector512.Create(a), x);
}

/// <summary>A binary float operation with a scalar form and one form per vector width.</summary>
public interface IBinaryOperator
{
    static abstract float Invoke(float x, float y);
    static abstract Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

/// <summary>
/// The same binary operation on any numeric element type (int, long, double, Half, ...), scalar only: the path for
/// shape arithmetic and the rarer types, where SIMD would not pay.
/// </summary>
public interface INumericBinaryOperator
{
    static abstract T Invoke<T>(T x, T y) where T : INumber<T>;
}

/// <summary>A binary float operation that also reduces: its identity and a whole-span aggregate.</summary>
public interface IAggregationOperator : IBinaryOperator
{
    /// <summary>The value of an empty reduction (0 for sum, -∞ for max).</summary>
    static abstract float Identity { get; }

    /// <summary>Reduces a non-empty contiguous span to one value.</summary>
    static abstract float Aggregate(System.ReadOnlySpan<float> x);
}
