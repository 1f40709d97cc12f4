using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelGen.Runtime.Operators;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// Reduces the middle axis of x viewed as [outer, reduce, inner] into destination [outer, inner]. inner = 1 aggregates
    /// each contiguous row (TensorPrimitives); inner &gt; 1 combines whole rows of inner elements vectorized. An empty
    /// reduction (reduce = 0) gives the operator's identity. destination may start where x starts (in place), which the
    /// generator uses to reduce several separate axis groups one after another.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reduce<TOp>(ReadOnlySpan<float> x, Span<float> destination, int outer, int reduce, int inner) where TOp : struct, IAggregationOperator
    {
        if (outer < 0 || reduce < 0 || inner < 0) throw new ArgumentException("Negative dimension.");
        if (x.Length < (long)outer * reduce * inner || destination.Length < (long)outer * inner) throw new ArgumentException("A span is too short for [outer, reduce, inner].");
        if (reduce == 0)
        {
            destination.Slice(0, outer * inner).Fill(TOp.Identity);
            return;
        }
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
                destination[o] = TOp.Aggregate(x.Slice(o * reduce, reduce));
            return;
        }
        ref float dst = ref MemoryMarshal.GetReference(destination);
        for (int o = 0; o < outer; o++)
        {
            var block = x.Slice(o * reduce * inner, reduce * inner);
            ref float row = ref Unsafe.Add(ref dst, o * inner);
            block.Slice(0, inner).CopyTo(MemoryMarshal.CreateSpan(ref row, inner));
            ref float src = ref MemoryMarshal.GetReference(block);
            for (int k = 1; k < reduce; k++)
                BinaryVectorVector<TOp>(ref row, ref Unsafe.Add(ref src, k * inner), ref row, inner);
        }
    }

    public static void ReduceSum(ReadOnlySpan<float> x, Span<float> destination, int outer, int reduce, int inner) =>
        Reduce<AddOperator>(x, destination, outer, reduce, inner);

    public static void ReduceMax(ReadOnlySpan<float> x, Span<float> destination, int outer, int reduce, int inner) =>
        Reduce<MaxOperator>(x, destination, outer, reduce, inner);

    public static void ReduceMin(ReadOnlySpan<float> x, Span<float> destination, int outer, int reduce, int inner) =>
        Reduce<MinOperator>(x, destination, outer, reduce, inner);

    /// <summary>The sum times 1/reduce; an empty reduction gives 0, as in ONNX Runtime.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReduceMean(ReadOnlySpan<float> x, Span<float> destination, int outer, int reduce, int inner)
    {
        Reduce<AddOperator>(x, destination, outer, reduce, inner);
        var y = destination.Slice(0, outer * inner);
        Scale(y, y, reduce == 0 ? 0f : 1f / reduce);
    }
}

public static partial class Kernels
{
    /// <summary>The product over the middle axis of [outer, reduce, inner]; an empty product is 1.</summary>
    public static void ReduceProd(ReadOnlySpan<float> x, Span<float> destination, int outer, int reduce, int inner) =>
        Reduce<ProductOperator>(x, destination, outer, reduce, inner);

    /// <summary>
    /// <see cref="Reduce{TOp}"/> for any numeric element type (double, integers, Half), scalar: one accumulator per output
    /// element, combined in axis order. destination may start where x starts.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Reduce<T, TOp>(ReadOnlySpan<T> x, Span<T> destination, int outer, int reduce, int inner)
        where T : unmanaged, INumber<T> where TOp : struct, INumericAggregationOperator
    {
        if (outer < 0 || reduce < 0 || inner < 0) throw new ArgumentException("Negative dimension.");
        if (x.Length < (long)outer * reduce * inner || destination.Length < (long)outer * inner) throw new ArgumentException("A span is too short for [outer, reduce, inner].");
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                T acc = TOp.Identity<T>();
                int at = o * reduce * inner + j;
                for (int k = 0; k < reduce; k++, at += inner) acc = TOp.Invoke(acc, x[at]);
                destination[o * inner + j] = acc;
            }
    }

    /// <summary>y / count in place (ReduceMean on a non-float type after its sum; integers truncate); count 0 gives 0.</summary>
    public static void DivideByCount<T>(Span<T> y, long count) where T : unmanaged, INumber<T>
    {
        if (count == 0) { y.Clear(); return; }
        T c = T.CreateTruncating(count);
        for (int i = 0; i < y.Length; i++) y[i] /= c;
    }
}

public static partial class Kernels
{
    /// <summary>ReduceMax on bool: true where any element along the middle axis of [outer, reduce, inner] is; empty: false.</summary>
    public static void ReduceAny(ReadOnlySpan<bool> x, Span<bool> destination, int outer, int reduce, int inner) =>
        ReduceBool(x, destination, outer, reduce, inner, any: true);

    /// <summary>ReduceMin on bool: true where every element along the middle axis is; empty: true.</summary>
    public static void ReduceAll(ReadOnlySpan<bool> x, Span<bool> destination, int outer, int reduce, int inner) =>
        ReduceBool(x, destination, outer, reduce, inner, any: false);

    private static void ReduceBool(ReadOnlySpan<bool> x, Span<bool> destination, int outer, int reduce, int inner, bool any)
    {
        if (outer < 0 || reduce < 0 || inner < 0) throw new ArgumentException("Negative dimension.");
        if (x.Length < (long)outer * reduce * inner || destination.Length < (long)outer * inner) throw new ArgumentException("A span is too short for [outer, reduce, inner].");
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                // any: stop at the first true; all: stop at the first false.
                bool result = !any;
                for (int k = 0, at = o * reduce * inner + j; k < reduce; k++, at += inner)
                    if (x[at] == any) { result = any; break; }
                destination[o * inner + j] = result;
            }
    }
}
