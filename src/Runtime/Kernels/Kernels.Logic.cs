using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelGen.Runtime.Operators;

namespace ModelGen.Runtime;

/// <summary>
/// Comparisons, logic, bitwise ops, Where, Mod, BitShift, IsNaN and IsInf. Bool is one byte (0 or 1), so bool results
/// are written as bytes and the logical ops run as bitwise ops on bytes. The vector paths use the hardware-width
/// <see cref="Vector{T}"/> (512, 256 or 128 bits, whichever the machine has) behind <see cref="Vector.IsHardwareAccelerated"/>;
/// each has a scalar loop for the tail and for machines without SIMD.
/// </summary>
public static partial class Kernels
{
    /// <summary>destination = a ⋄ b as bool (Equal, Less, LessOrEqual, Greater, GreaterOrEqual), broadcast.</summary>
    public static void Compare<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        where T : unmanaged, INumber<T> where TOp : struct, IComparisonOperator
        => Broadcast<T, T, bool, CompareRow<T, TOp>>(a, b, destination, shape, aStrides, bStrides);

    /// <summary>Equal on bool: the bytes compared as integers.</summary>
    public static void Compare<TOp>(ReadOnlySpan<bool> a, ReadOnlySpan<bool> b, Span<bool> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides) where TOp : struct, IComparisonOperator
        => Compare<byte, TOp>(MemoryMarshal.Cast<bool, byte>(a), MemoryMarshal.Cast<bool, byte>(b), destination, shape, aStrides, bStrides);

    /// <summary>BitwiseAnd, BitwiseOr, BitwiseXor on an integer type, broadcast.</summary>
    public static void Bitwise<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        where T : unmanaged, IBinaryInteger<T> where TOp : struct, IBitwiseOperator
        => Broadcast<T, T, T, BitwiseRow<T, TOp>>(a, b, destination, shape, aStrides, bStrides);

    /// <summary>And, Or, Xor on bool: the bitwise operation on bytes 0/1 keeps them 0/1.</summary>
    public static void Logical<TOp>(ReadOnlySpan<bool> a, ReadOnlySpan<bool> b, Span<bool> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides) where TOp : struct, IBitwiseOperator
        => Bitwise<byte, TOp>(MemoryMarshal.Cast<bool, byte>(a), MemoryMarshal.Cast<bool, byte>(b), MemoryMarshal.Cast<bool, byte>(destination), shape, aStrides, bStrides);

    /// <summary>
    /// BitShift on an unsigned type: a shifted left or right by b bits; a shift of the type's width or more gives 0
    /// (numpy's rule; C# would shift by b modulo the width).
    /// </summary>
    public static void BitShift<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides, bool left)
        where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        if (left) Broadcast<T, T, T, ShiftRow<T, ShiftLeft>>(a, b, destination, shape, aStrides, bStrides);
        else Broadcast<T, T, T, ShiftRow<T, ShiftRight>>(a, b, destination, shape, aStrides, bStrides);
    }

    /// <summary>Mod (fmod = 0: sign of the divisor; fmod = 1: C fmod) on any numeric type, broadcast, scalar.</summary>
    public static void Mod<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides, bool fmod) where T : unmanaged, INumber<T>
    {
        if (fmod) Binary<T, FmodOperator>(a, b, destination, shape, aStrides, bStrides);
        else Binary<T, ModOperator>(a, b, destination, shape, aStrides, bStrides);
    }

    /// <summary>Not on bool: x ^ 1 on bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Not(ReadOnlySpan<bool> x, Span<bool> destination)
    {
        if (destination.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(destination));
        ref byte xr = ref Unsafe.As<bool, byte>(ref MemoryMarshal.GetReference(x));
        ref byte dr = ref Unsafe.As<bool, byte>(ref MemoryMarshal.GetReference(destination));
        nuint n = (nuint)x.Length, i = 0;
        if (Vector.IsHardwareAccelerated)
            for (nuint w = (nuint)Vector<byte>.Count; i + w <= n; i += w)
                (Vector.LoadUnsafe(ref xr, i) ^ Vector<byte>.One).StoreUnsafe(ref dr, i);
        for (; i < n; i++) Unsafe.Add(ref dr, i) = (byte)(Unsafe.Add(ref xr, i) ^ 1);
    }

    /// <summary>BitwiseNot: ~x on an integer type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BitwiseNot<T>(ReadOnlySpan<T> x, Span<T> destination) where T : unmanaged, IBinaryInteger<T>
    {
        if (destination.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(destination));
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            for (nuint w = (nuint)Vector<T>.Count; i + w <= n; i += w)
                Vector.OnesComplement(Vector.LoadUnsafe(ref xr, i)).StoreUnsafe(ref dr, i);
        for (; i < n; i++) Unsafe.Add(ref dr, i) = ~Unsafe.Add(ref xr, i);
    }

    /// <summary>IsNaN on a floating type.</summary>
    public static void IsNaN<T>(ReadOnlySpan<T> x, Span<bool> destination) where T : unmanaged, IFloatingPointIeee754<T>
        => Classify(x, destination, new NaNPredicate<T>());

    /// <summary>IsInf on a floating type: +∞ when <paramref name="detectPositive"/>, −∞ when <paramref name="detectNegative"/>.</summary>
    public static void IsInf<T>(ReadOnlySpan<T> x, Span<bool> destination, bool detectNegative, bool detectPositive) where T : unmanaged, IFloatingPointIeee754<T>
        => Classify(x, destination, new InfinityPredicate<T>(detectNegative, detectPositive));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Classify<T, TPredicate>(ReadOnlySpan<T> x, Span<bool> destination, TPredicate predicate)
        where T : unmanaged where TPredicate : struct, IPredicate<T>
    {
        if (destination.Length < x.Length) throw new ArgumentException("Destination is too short.", nameof(destination));
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref bool dr = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && Unsafe.SizeOf<T>() is 4 or 8)
        {
            ref byte db = ref Unsafe.As<bool, byte>(ref dr);
            int w = Vector<T>.Count;
            if (Unsafe.SizeOf<T>() == 4)
                for (; i + 4 * w <= n; i += 4 * w)
                    LogicVectors.Pack(predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)i)), predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)(i + w))),
                        predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)(i + 2 * w))), predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)(i + 3 * w)))).StoreUnsafe(ref db, (nuint)i);
            else
                for (; i + 8 * w <= n; i += 8 * w)
                {
                    var lo = LogicVectors.Pack(predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)i)), predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)(i + w))),
                        predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)(i + 2 * w))), predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)(i + 3 * w))));
                    var hi = LogicVectors.Pack(predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)(i + 4 * w))), predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)(i + 5 * w))),
                        predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)(i + 6 * w))), predicate.Invoke(Vector.LoadUnsafe(ref xr, (nuint)(i + 7 * w))));
                    LogicVectors.Join(lo, hi).StoreUnsafe(ref db, (nuint)i);
                }
        }
        for (; i < n; i++) Unsafe.Add(ref dr, i) = predicate.Invoke(Unsafe.Add(ref xr, i));
    }

    /// <summary>
    /// Where: destination = condition ? x : y, the three broadcast to the output (strides per operand, 0 on broadcast
    /// axes). Selection only moves bits, so every element type runs as the unsigned integer of its size, vectorized.
    /// </summary>
    public static void Where<T>(ReadOnlySpan<bool> condition, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> conditionStrides, ReadOnlySpan<int> xStrides, ReadOnlySpan<int> yStrides) where T : unmanaged
    {
        var c = MemoryMarshal.Cast<bool, byte>(condition);
        if (Unsafe.SizeOf<T>() == 1) WhereCore(c, MemoryMarshal.Cast<T, byte>(x), MemoryMarshal.Cast<T, byte>(y), MemoryMarshal.Cast<T, byte>(destination), shape, conditionStrides, xStrides, yStrides);
        else if (Unsafe.SizeOf<T>() == 2) WhereCore(c, MemoryMarshal.Cast<T, ushort>(x), MemoryMarshal.Cast<T, ushort>(y), MemoryMarshal.Cast<T, ushort>(destination), shape, conditionStrides, xStrides, yStrides);
        else if (Unsafe.SizeOf<T>() == 4) WhereCore(c, MemoryMarshal.Cast<T, uint>(x), MemoryMarshal.Cast<T, uint>(y), MemoryMarshal.Cast<T, uint>(destination), shape, conditionStrides, xStrides, yStrides);
        else if (Unsafe.SizeOf<T>() == 8) WhereCore(c, MemoryMarshal.Cast<T, ulong>(x), MemoryMarshal.Cast<T, ulong>(y), MemoryMarshal.Cast<T, ulong>(destination), shape, conditionStrides, xStrides, yStrides);
        else throw new NotSupportedException($"Where on {typeof(T).Name}");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WhereCore<T>(ReadOnlySpan<byte> condition, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination,
        ReadOnlySpan<int> shape, ReadOnlySpan<int> cStrides, ReadOnlySpan<int> xStrides, ReadOnlySpan<int> yStrides) where T : unmanaged, IBinaryInteger<T>
    {
        int rank = shape.Length;
        if (cStrides.Length != rank) throw new ArgumentException("Stride and shape ranks differ.");
        int total = CheckBroadcast(x.Length, y.Length, destination.Length, shape, xStrides, yStrides);
        // The condition against the output, with its own strides (the x/y check above covers the rest).
        CheckBroadcast(condition.Length, condition.Length, destination.Length, shape, cStrides, cStrides);
        if (total == 0) return;
        ref byte cr = ref MemoryMarshal.GetReference(condition);
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        if (rank == 0)
        {
            dr = cr != 0 ? xr : yr;
            return;
        }
        int inner = shape[rank - 1], sc = cStrides[rank - 1], sx = xStrides[rank - 1], sy = yStrides[rank - 1];
        int rows = total / inner;
        Span<int> index = stackalloc int[rank];
        index.Clear();
        int offC = 0, offX = 0, offY = 0;
        for (int row = 0; row < rows; row++)
        {
            WhereRow(ref Unsafe.Add(ref cr, offC), sc, ref Unsafe.Add(ref xr, offX), sx, ref Unsafe.Add(ref yr, offY), sy, ref Unsafe.Add(ref dr, row * inner), inner);
            NextBroadcastRow(shape, index, cStrides, ref offC, xStrides, ref offX, yStrides, ref offY);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WhereRow<T>(ref byte c, int sc, ref T x, int sx, ref T y, int sy, ref T d, int n) where T : unmanaged, IBinaryInteger<T>
    {
        int i = 0;
        if (sc == 0)
        {
            // One condition for the whole row: a copy of one side.
            if (c != 0) { for (; i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref x, i * sx); }
            else { for (; i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref y, i * sy); }
            return;
        }
        if (Vector.IsHardwareAccelerated && sc == 1 && sx <= 1 && sy <= 1)
        {
            int w = Vector<T>.Count, block = Vector<byte>.Count;
            for (; i + block <= n; i += block)
            {
                var mask = Vector.AsVectorSByte(Vector.OnesComplement(Vector.Equals(Vector.LoadUnsafe(ref c, (nuint)i), Vector<byte>.Zero)));
                if (Unsafe.SizeOf<T>() == 1)
                    Select(mask.As<sbyte, T>(), ref x, sx, ref y, sy, ref d, i);
                else if (Unsafe.SizeOf<T>() == 2)
                {
                    Vector.Widen(mask, out var m0, out var m1);
                    Select(m0.As<short, T>(), ref x, sx, ref y, sy, ref d, i);
                    Select(m1.As<short, T>(), ref x, sx, ref y, sy, ref d, i + w);
                }
                else
                {
                    Vector.Widen(mask, out var h0, out var h1);
                    Vector.Widen(h0, out var m0, out var m1);
                    Vector.Widen(h1, out var m2, out var m3);
                    if (Unsafe.SizeOf<T>() == 4)
                    {
                        Select(m0.As<int, T>(), ref x, sx, ref y, sy, ref d, i);
                        Select(m1.As<int, T>(), ref x, sx, ref y, sy, ref d, i + w);
                        Select(m2.As<int, T>(), ref x, sx, ref y, sy, ref d, i + 2 * w);
                        Select(m3.As<int, T>(), ref x, sx, ref y, sy, ref d, i + 3 * w);
                    }
                    else
                    {
                        Vector.Widen(m0, out var q0, out var q1);
                        Vector.Widen(m1, out var q2, out var q3);
                        Vector.Widen(m2, out var q4, out var q5);
                        Vector.Widen(m3, out var q6, out var q7);
                        Select(q0.As<long, T>(), ref x, sx, ref y, sy, ref d, i);
                        Select(q1.As<long, T>(), ref x, sx, ref y, sy, ref d, i + w);
                        Select(q2.As<long, T>(), ref x, sx, ref y, sy, ref d, i + 2 * w);
                        Select(q3.As<long, T>(), ref x, sx, ref y, sy, ref d, i + 3 * w);
                        Select(q4.As<long, T>(), ref x, sx, ref y, sy, ref d, i + 4 * w);
                        Select(q5.As<long, T>(), ref x, sx, ref y, sy, ref d, i + 5 * w);
                        Select(q6.As<long, T>(), ref x, sx, ref y, sy, ref d, i + 6 * w);
                        Select(q7.As<long, T>(), ref x, sx, ref y, sy, ref d, i + 7 * w);
                    }
                }
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref d, i) = Unsafe.Add(ref c, i * sc) != 0 ? Unsafe.Add(ref x, i * sx) : Unsafe.Add(ref y, i * sy);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Select<T>(Vector<T> mask, ref T x, int sx, ref T y, int sy, ref T d, int i) =>
        Vector.ConditionalSelect(mask, LogicVectors.Load(ref x, sx, i), LogicVectors.Load(ref y, sy, i)).StoreUnsafe(ref d, (nuint)i);
}

/// <summary>Helpers for the vector paths of the logic kernels.</summary>
internal static class LogicVectors
{
    /// <summary>Lanes i.. of a row: contiguous (stride 1) or one repeated element (stride 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load<T>(ref T p, int stride, int i) => stride == 0 ? new Vector<T>(p) : Vector.LoadUnsafe(ref p, (nuint)i);

    /// <summary>Four masks of 4-byte lanes (or anything viewed as such) narrowed to one vector of bytes 0/1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<byte> Pack<T>(Vector<T> m0, Vector<T> m1, Vector<T> m2, Vector<T> m3) =>
        Vector.Narrow(Vector.Narrow(m0.As<T, uint>(), m1.As<T, uint>()), Vector.Narrow(m2.As<T, uint>(), m3.As<T, uint>())) & Vector<byte>.One;

    /// <summary>Two masks of 2-byte lanes narrowed to bytes 0/1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<byte> Pack<T>(Vector<T> m0, Vector<T> m1) => Vector.Narrow(m0.As<T, ushort>(), m1.As<T, ushort>()) & Vector<byte>.One;

    /// <summary>
    /// Two results of <see cref="Pack{T}(Vector{T}, Vector{T}, Vector{T}, Vector{T})"/> taken from 8-byte lanes: each holds
    /// its bytes in pairs of lanes (every other byte significant), so narrowing the pair as ushort keeps them in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<byte> Join(Vector<byte> lo, Vector<byte> hi) => Vector.Narrow(lo.As<byte, ushort>(), hi.As<byte, ushort>());
}

internal interface IPredicate<T>
{
    bool Invoke(T x);
    Vector<T> Invoke(Vector<T> x);
}

internal readonly struct NaNPredicate<T> : IPredicate<T> where T : IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Invoke(T x) => T.IsNaN(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<T> Invoke(Vector<T> x) => Vector.OnesComplement(Vector.Equals(x, x));
}

internal readonly struct InfinityPredicate<T>(bool negative, bool positive) : IPredicate<T> where T : IFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Invoke(T x) => (positive && x == T.PositiveInfinity) || (negative && x == T.NegativeInfinity);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<T> Invoke(Vector<T> x) =>
        (positive ? Vector.Equals(x, new Vector<T>(T.PositiveInfinity)) : Vector<T>.Zero) | (negative ? Vector.Equals(x, new Vector<T>(T.NegativeInfinity)) : Vector<T>.Zero);
}

internal readonly struct CompareRow<T, TOp> : IBroadcastRow<T, T, bool> where T : unmanaged, INumber<T> where TOp : struct, IComparisonOperator
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(ref T a, int sa, ref T b, int sb, ref bool destination, int n)
    {
        int i = 0;
        // Vectorized when each side is contiguous or one repeated value (not both repeated: that is a 1-element row).
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && sa <= 1 && sb <= 1 && (sa | sb) == 1)
        {
            ref byte d = ref Unsafe.As<bool, byte>(ref destination);
            int w = Vector<T>.Count;
            switch (Unsafe.SizeOf<T>())
            {
                case 1:
                    for (; i + w <= n; i += w)
                        (M(ref a, sa, ref b, sb, i).As<T, byte>() & Vector<byte>.One).StoreUnsafe(ref d, (nuint)i);
                    break;
                case 2:
                    for (; i + 2 * w <= n; i += 2 * w)
                        LogicVectors.Pack(M(ref a, sa, ref b, sb, i), M(ref a, sa, ref b, sb, i + w)).StoreUnsafe(ref d, (nuint)i);
                    break;
                case 4:
                    for (; i + 4 * w <= n; i += 4 * w)
                        LogicVectors.Pack(M(ref a, sa, ref b, sb, i), M(ref a, sa, ref b, sb, i + w), M(ref a, sa, ref b, sb, i + 2 * w), M(ref a, sa, ref b, sb, i + 3 * w))
                            .StoreUnsafe(ref d, (nuint)i);
                    break;
                case 8:
                    for (; i + 8 * w <= n; i += 8 * w)
                    {
                        var lo = LogicVectors.Pack(M(ref a, sa, ref b, sb, i), M(ref a, sa, ref b, sb, i + w), M(ref a, sa, ref b, sb, i + 2 * w), M(ref a, sa, ref b, sb, i + 3 * w));
                        var hi = LogicVectors.Pack(M(ref a, sa, ref b, sb, i + 4 * w), M(ref a, sa, ref b, sb, i + 5 * w), M(ref a, sa, ref b, sb, i + 6 * w), M(ref a, sa, ref b, sb, i + 7 * w));
                        LogicVectors.Join(lo, hi).StoreUnsafe(ref d, (nuint)i);
                    }
                    break;
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref destination, i) = TOp.Invoke(Unsafe.Add(ref a, i * sa), Unsafe.Add(ref b, i * sb));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> M(ref T a, int sa, ref T b, int sb, int i) => TOp.Invoke(LogicVectors.Load(ref a, sa, i), LogicVectors.Load(ref b, sb, i));
}

internal readonly struct BitwiseRow<T, TOp> : IBroadcastRow<T, T, T> where T : unmanaged, IBinaryInteger<T> where TOp : struct, IBitwiseOperator
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row(ref T a, int sa, ref T b, int sb, ref T destination, int n)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && sa <= 1 && sb <= 1 && (sa | sb) == 1)
            for (int w = Vector<T>.Count; i + w <= n; i += w)
                TOp.Invoke(LogicVectors.Load(ref a, sa, i), LogicVectors.Load(ref b, sb, i)).StoreUnsafe(ref destination, (nuint)i);
        for (; i < n; i++)
            Unsafe.Add(ref destination, i) = TOp.Invoke(Unsafe.Add(ref a, i * sa), Unsafe.Add(ref b, i * sb));
    }
}

internal interface IShiftDirection
{
    static abstract T Shift<T>(T x, int bits) where T : IBinaryInteger<T>;
}

internal readonly struct ShiftLeft : IShiftDirection
{
    public static T Shift<T>(T x, int bits) where T : IBinaryInteger<T> => x << bits;
}

internal readonly struct ShiftRight : IShiftDirection
{
    public static T Shift<T>(T x, int bits) where T : IBinaryInteger<T> => x >>> bits;
}

internal readonly struct ShiftRow<T, TDirection> : IBroadcastRow<T, T, T> where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T> where TDirection : struct, IShiftDirection
{
    public static void Row(ref T a, int sa, ref T b, int sb, ref T destination, int n)
    {
        ulong width = (ulong)Unsafe.SizeOf<T>() * 8;
        for (int i = 0; i < n; i++)
        {
            ulong bits = ulong.CreateTruncating(Unsafe.Add(ref b, i * sb));
            Unsafe.Add(ref destination, i) = bits >= width ? T.Zero : TDirection.Shift(Unsafe.Add(ref a, i * sa), (int)bits);
        }
    }
}
