using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ModelGen.Runtime.Operators;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// Multidirectional broadcasting: <paramref name="shape"/> is the output shape, and the strides give each input's
    /// element step per output axis (0 on a broadcast axis). The generator collapses axes at build time (drops size-1
    /// axes, merges axes that are contiguous for both inputs), so a same-shape op arrives as one axis with strides 1/1,
    /// a scalar operand as one axis with stride 0, and a per-channel operand ([N,C,H,W] op [C,1,1]) as [C, H·W] with
    /// strides 0 along H·W. Each output row is then one of three vectorized loops chosen once per row:
    /// both contiguous, or one side a repeated scalar. Any other innermost stride takes a scalar loop.
    /// </summary>
    public static void Binary<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides) where TOp : struct, IBinaryOperator
        => Broadcast<float, float, float, FloatBinaryRow<TOp>>(a, b, destination, shape, aStrides, bStrides);

    /// <summary>
    /// The one outer-axis walk of the broadcasting kernels (this file's and the logic kernels'): validates the shape and
    /// strides once, then calls <typeparamref name="TRow"/> per output row with each operand's row start and innermost
    /// stride. The row (and its vectorized loops) is specialized per TRow, so the walk adds only the per-row odometer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Broadcast<TA, TB, TD, TRow>(ReadOnlySpan<TA> a, ReadOnlySpan<TB> b, Span<TD> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides) where TRow : struct, IBroadcastRow<TA, TB, TD>
    {
        int rank = shape.Length;
        int total = CheckBroadcast(a.Length, b.Length, destination.Length, shape, aStrides, bStrides);
        if (total == 0) return;
        ref TA ar = ref MemoryMarshal.GetReference(a);
        ref TB br = ref MemoryMarshal.GetReference(b);
        ref TD dr = ref MemoryMarshal.GetReference(destination);
        if (rank == 0)
        {
            TRow.Row(ref ar, 0, ref br, 0, ref dr, 1);
            return;
        }
        int inner = shape[rank - 1], sa = aStrides[rank - 1], sb = bStrides[rank - 1];
        int rows = total / inner;
        if (rows == 1)
        {
            TRow.Row(ref ar, sa, ref br, sb, ref dr, inner);
            return;
        }
        Span<int> index = stackalloc int[rank];
        index.Clear();
        int offA = 0, offB = 0, unused = 0;
        for (int row = 0; row < rows; row++)
        {
            TRow.Row(ref Unsafe.Add(ref ar, offA), sa, ref Unsafe.Add(ref br, offB), sb, ref Unsafe.Add(ref dr, row * inner), inner);
            NextBroadcastRow(shape, index, aStrides, ref offA, bStrides, ref offB, bStrides, ref unused);
        }
    }

    /// <summary>
    /// Advances the outer index of a broadcast like an odometer (all axes but the innermost) and each operand's offset
    /// with it, incrementally. Three operands for Where; two-operand walks pass their second one again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void NextBroadcastRow(ReadOnlySpan<int> shape, Span<int> index, ReadOnlySpan<int> aStrides, ref int offA,
        ReadOnlySpan<int> bStrides, ref int offB, ReadOnlySpan<int> cStrides, ref int offC)
    {
        for (int axis = shape.Length - 2; axis >= 0; axis--)
        {
            offA += aStrides[axis];
            offB += bStrides[axis];
            offC += cStrides[axis];
            if (++index[axis] < shape[axis]) return;
            offA -= aStrides[axis] * shape[axis];
            offB -= bStrides[axis] * shape[axis];
            offC -= cStrides[axis] * shape[axis];
            index[axis] = 0;
        }
    }

    /// <summary>
    /// Validates the broadcast description once, so the loops can use unchecked access: every input offset the shape and
    /// strides reach lies inside its span. Returns the element count of the output.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CheckBroadcast(int aLength, int bLength, int destinationLength, ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
    {
        if (aStrides.Length != shape.Length || bStrides.Length != shape.Length) throw new ArgumentException("Stride and shape ranks differ.");
        long total = 1, lastA = 0, lastB = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0 || aStrides[d] < 0 || bStrides[d] < 0) throw new ArgumentException("Negative dimension or stride.");
            total *= shape[d];
            lastA += (long)(shape[d] - 1) * aStrides[d];
            lastB += (long)(shape[d] - 1) * bStrides[d];
        }
        if (total == 0) return 0;
        if (destinationLength < total) throw new ArgumentException("Destination is too short.", "destination");
        if (lastA >= aLength) throw new ArgumentException("Input a is too short for its strides.", "a");
        if (lastB >= bLength) throw new ArgumentException("Input b is too short for its strides.", "b");
        return (int)total;
    }

    /// <summary>
    /// One output row: picks the loop for the row's strides once, so no loop branches per element. A broadcast operand
    /// binds into the operator and the row runs on the unary driver; two contiguous operands run on
    /// <see cref="BinaryVectorVector{TOp}"/>, the same loop structure with two loads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void BinaryRow<TOp>(ref float a, int sa, ref float b, int sb, ref float destination, int n) where TOp : struct, IBinaryOperator
    {
        if (sa == 1 && sb == 1) BinaryVectorVector<TOp>(ref a, ref b, ref destination, n);
        else if (sa == 1 && sb == 0) BinaryVectorScalar<TOp>(ref a, b, ref destination, n);
        else if (sa == 0 && sb == 1) BinaryScalarVector<TOp>(a, ref b, ref destination, n);
        else
        {
            for (int i = 0; i < n; i++)
                Unsafe.Add(ref destination, i) = TOp.Invoke(Unsafe.Add(ref a, i * sa), Unsafe.Add(ref b, i * sb));
        }
    }

    /// <summary>
    /// dst[i] = op(a[i], b): the unary driver with b bound into the operator. Compiled on its own (not inlined into the
    /// broadcast loop), where the loop keeps its pointers in registers: inlined, they were reloaded from the stack on
    /// every step and the row ran about 1.5x slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BinaryVectorScalar<TOp>(ref float a, float b, ref float dst, int count) where TOp : struct, IBinaryOperator =>
        UnaryCore(ref a, ref dst, (nuint)count, new BindRight<TOp>(b));

    /// <summary>dst[i] = op(a, b[i]): the unary driver with a bound into the operator (compiled on its own, as above).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BinaryScalarVector<TOp>(float a, ref float b, ref float dst, int count) where TOp : struct, IBinaryOperator =>
        UnaryCore(ref b, ref dst, (nuint)count, new BindLeft<TOp>(a));

    /// <summary>
    /// dst[i] = op(a[i], b[i]): the binary twin of <see cref="UnaryCore{TOp}"/> (widest vector first, two per step, then
    /// narrower, then scalar). In place (dst = a or b) is allowed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BinaryVectorVector<TOp>(ref float a, ref float b, ref float dst, int count) where TOp : struct, IBinaryOperator
    {
        nuint n = (nuint)count, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector512<float>.Count;
            for (; i + 2 * w <= n; i += 2 * w)
            {
                var v0 = TOp.Invoke(Vector512.LoadUnsafe(ref a, i), Vector512.LoadUnsafe(ref b, i));
                var v1 = TOp.Invoke(Vector512.LoadUnsafe(ref a, i + w), Vector512.LoadUnsafe(ref b, i + w));
                v0.StoreUnsafe(ref dst, i);
                v1.StoreUnsafe(ref dst, i + w);
            }
            if (i + w <= n)
            {
                TOp.Invoke(Vector512.LoadUnsafe(ref a, i), Vector512.LoadUnsafe(ref b, i)).StoreUnsafe(ref dst, i);
                i += w;
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector256<float>.Count;
            for (; i + 2 * w <= n; i += 2 * w)
            {
                var v0 = TOp.Invoke(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i));
                var v1 = TOp.Invoke(Vector256.LoadUnsafe(ref a, i + w), Vector256.LoadUnsafe(ref b, i + w));
                v0.StoreUnsafe(ref dst, i);
                v1.StoreUnsafe(ref dst, i + w);
            }
            if (i + w <= n)
            {
                TOp.Invoke(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i)).StoreUnsafe(ref dst, i);
                i += w;
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            nuint w = (nuint)Vector128<float>.Count;
            for (; i + w <= n; i += w)
                TOp.Invoke(Vector128.LoadUnsafe(ref a, i), Vector128.LoadUnsafe(ref b, i)).StoreUnsafe(ref dst, i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref dst, i) = TOp.Invoke(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i));
    }

    /// <summary>
    /// The same broadcasting contract for any numeric element type, scalar: integer shape arithmetic, double, Half and
    /// the small integer types. Integer division by zero throws <see cref="DivideByZeroException"/>.
    /// </summary>
    public static void Binary<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        where T : unmanaged, INumber<T> where TOp : struct, INumericBinaryOperator
        => Broadcast<T, T, T, NumericBinaryRow<T, TOp>>(a, b, destination, shape, aStrides, bStrides);

    /// <summary>
    /// Pow with a base and an exponent of different element types (ONNX Pow-12+): computed in double and converted to the
    /// base type (truncating, saturating for integers), scalar.
    /// </summary>
    public static void Pow<TBase, TExponent>(ReadOnlySpan<TBase> a, ReadOnlySpan<TExponent> b, Span<TBase> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        where TBase : unmanaged, INumber<TBase> where TExponent : unmanaged, INumber<TExponent>
        => Broadcast<TBase, TExponent, TBase, MixedPowRow<TBase, TExponent>>(a, b, destination, shape, aStrides, bStrides);

    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        => Binary<AddOperator>(a, b, destination, shape, aStrides, bStrides);

    public static void Subtract(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        => Binary<SubtractOperator>(a, b, destination, shape, aStrides, bStrides);

    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        => Binary<MultiplyOperator>(a, b, destination, shape, aStrides, bStrides);

    public static void Divide(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        => Binary<DivideOperator>(a, b, destination, shape, aStrides, bStrides);

    public static void Pow(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        => Binary<PowOperator>(a, b, destination, shape, aStrides, bStrides);

    public static void Max(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        => Binary<MaxOperator>(a, b, destination, shape, aStrides, bStrides);

    public static void Min(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        => Binary<MinOperator>(a, b, destination, shape, aStrides, bStrides);

    /// <summary>PRelu: x where x ≥ 0, slope·x elsewhere; the slope broadcasts to x (often per channel).</summary>
    public static void PRelu(ReadOnlySpan<float> x, ReadOnlySpan<float> slope, Span<float> destination, ReadOnlySpan<int> shape, ReadOnlySpan<int> xStrides, ReadOnlySpan<int> slopeStrides)
        => Binary<PReluOperator>(x, slope, destination, shape, xStrides, slopeStrides);
}

/// <summary>
/// One output row of a two-operand broadcast: n elements, operand strides 0 (repeated) or any step.
/// The walk <see cref="Kernels.Broadcast{TA, TB, TD, TRow}"/> steps the outer axes and calls it per row.
/// </summary>
internal interface IBroadcastRow<TA, TB, TD>
{
    static abstract void Row(ref TA a, int sa, ref TB b, int sb, ref TD destination, int n);
}

/// <summary>A float row of <see cref="Kernels.Binary{TOp}"/>: its vectorized loops, chosen by the row's strides.</summary>
internal readonly struct FloatBinaryRow<TOp> : IBroadcastRow<float, float, float> where TOp : struct, IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(ref float a, int sa, ref float b, int sb, ref float destination, int n) =>
        Kernels.BinaryRow<TOp>(ref a, sa, ref b, sb, ref destination, n);
}

/// <summary>A row of <see cref="Kernels.Binary{T, TOp}"/>, scalar.</summary>
internal readonly struct NumericBinaryRow<T, TOp> : IBroadcastRow<T, T, T> where T : unmanaged, INumber<T> where TOp : struct, INumericBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(ref T a, int sa, ref T b, int sb, ref T destination, int n)
    {
        for (int i = 0; i < n; i++)
            Unsafe.Add(ref destination, i) = TOp.Invoke(Unsafe.Add(ref a, i * sa), Unsafe.Add(ref b, i * sb));
    }
}

/// <summary>A row of <see cref="Kernels.Pow{TBase, TExponent}"/>: in double, converted to the base type.</summary>
internal readonly struct MixedPowRow<TBase, TExponent> : IBroadcastRow<TBase, TExponent, TBase>
    where TBase : unmanaged, INumber<TBase> where TExponent : unmanaged, INumber<TExponent>
{
    public static void Row(ref TBase a, int sa, ref TExponent b, int sb, ref TBase destination, int n)
    {
        for (int i = 0; i < n; i++)
            Unsafe.Add(ref destination, i) = TBase.CreateTruncating(Math.Pow(double.CreateTruncating(Unsafe.Add(ref a, i * sa)), double.CreateTruncating(Unsafe.Add(ref b, i * sb))));
    }
}
