using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// A general Einsum of one or two operands as nested loops over every index of the equation. <paramref name="plan"/>
    /// (built at compile time): the loop count L, the operand count, the L loop sizes, then for each operand and last for
    /// Y the L element strides (a repeated index sums its strides, which walks a diagonal; a summed index has Y stride 0).
    /// The innermost loop is the last index: summed indices come last so each output element is one dot product.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Einsum<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y, ReadOnlySpan<int> plan) where T : unmanaged, INumber<T>
    {
        int loops = plan[0];
        bool binary = plan[1] == 2;
        if (loops > 64 || plan.Length < 2 + (binary ? 4 : 3) * loops) throw new ArgumentException("Einsum plan too short.");
        var sizes = plan.Slice(2, loops);
        var sa = plan.Slice(2 + loops, loops);
        var sb = binary ? plan.Slice(2 + 2 * loops, loops) : sa;
        var sy = plan.Slice(2 + (binary ? 3 : 2) * loops, loops);
        // The last element each operand's strides reach must be inside it.
        long lastA = 0, lastB = 0, lastY = 0;
        for (int d = 0; d < loops; d++)
        {
            if (sizes[d] <= 0) { y.Clear(); return; }
            lastA += (long)(sizes[d] - 1) * sa[d]; lastB += (long)(sizes[d] - 1) * sb[d]; lastY += (long)(sizes[d] - 1) * sy[d];
        }
        if (lastA >= a.Length || (binary && lastB >= b.Length) || lastY >= y.Length) throw new ArgumentException("Einsum operand too short.");
        y.Clear();
        if (loops == 0)
        {
            y[0] = binary ? a[0] * b[0] : a[0];
            return;
        }
        Span<int> index = stackalloc int[loops];
        index.Clear();
        int last = loops - 1, n = sizes[last], la = sa[last], lb = sb[last], ly = sy[last];
        int ia = 0, ib = 0, iy = 0;
        while (true)
        {
            if (ly == 0)
            {
                T sum = T.Zero;
                if (binary) for (int k = 0; k < n; k++) sum += a[ia + k * la] * b[ib + k * lb];
                else for (int k = 0; k < n; k++) sum += a[ia + k * la];
                y[iy] += sum;
            }
            else if (binary) for (int k = 0; k < n; k++) y[iy + k * ly] += a[ia + k * la] * b[ib + k * lb];
            else for (int k = 0; k < n; k++) y[iy + k * ly] += a[ia + k * la];

            int d = last - 1;
            for (; d >= 0; d--)
            {
                ia += sa[d]; ib += sb[d]; iy += sy[d];
                if (++index[d] < sizes[d]) break;
                ia -= sa[d] * sizes[d]; ib -= sb[d] * sizes[d]; iy -= sy[d] * sizes[d];
                index[d] = 0;
            }
            if (d < 0) return;
        }
    }
}
