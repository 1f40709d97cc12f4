using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Runtime;

public static partial class Kernels
{
    /// <summary>
    /// Gather along one axis: data viewed as [outer, axisLength, inner], destination as [outer, indices, inner].
    /// Negative indices count from the end; an index outside [-axisLength, axisLength) throws.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> indices, Span<T> destination, int outer, int axisLength, int inner) where T : unmanaged
    {
        int n = indices.Length;
        if (data.Length < (long)outer * axisLength * inner || destination.Length < (long)outer * n * inner) throw new ArgumentException("Gather operand too short.");
        for (int k = 0; k < n; k++)
        {
            long index = indices[k];
            if (index < -axisLength || index >= axisLength) throw new IndexOutOfRangeException($"Gather index {index} is outside [-{axisLength}, {axisLength}).");
        }
        ref T src = ref MemoryMarshal.GetReference(data);
        ref T dst = ref MemoryMarshal.GetReference(destination);
        for (int o = 0; o < outer; o++)
        {
            ref T block = ref Unsafe.Add(ref src, (nint)o * axisLength * inner);
            ref T row = ref Unsafe.Add(ref dst, (nint)o * n * inner);
            for (int k = 0; k < n; k++)
            {
                int index = (int)indices[k];
                if (index < 0) index += axisLength;
                GatherBlock(ref Unsafe.Add(ref block, (nint)index * inner), ref Unsafe.Add(ref row, (nint)k * inner), inner);
            }
        }
    }

    /// <inheritdoc cref="Gather{T}(ReadOnlySpan{T}, ReadOnlySpan{long}, Span{T}, int, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather<T>(ReadOnlySpan<T> data, ReadOnlySpan<int> indices, Span<T> destination, int outer, int axisLength, int inner) where T : unmanaged
    {
        int n = indices.Length;
        if (data.Length < (long)outer * axisLength * inner || destination.Length < (long)outer * n * inner) throw new ArgumentException("Gather operand too short.");
        for (int k = 0; k < n; k++)
        {
            int index = indices[k];
            if (index < -axisLength || index >= axisLength) throw new IndexOutOfRangeException($"Gather index {index} is outside [-{axisLength}, {axisLength}).");
        }
        ref T src = ref MemoryMarshal.GetReference(data);
        ref T dst = ref MemoryMarshal.GetReference(destination);
        for (int o = 0; o < outer; o++)
        {
            ref T block = ref Unsafe.Add(ref src, (nint)o * axisLength * inner);
            ref T row = ref Unsafe.Add(ref dst, (nint)o * n * inner);
            for (int k = 0; k < n; k++)
            {
                int index = indices[k];
                if (index < 0) index += axisLength;
                GatherBlock(ref Unsafe.Add(ref block, (nint)index * inner), ref Unsafe.Add(ref row, (nint)k * inner), inner);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GatherBlock<T>(ref T source, ref T destination, int inner) where T : unmanaged
    {
        if (inner == 1) destination = source;
        else MemoryMarshal.CreateReadOnlySpan(ref source, inner).CopyTo(MemoryMarshal.CreateSpan(ref destination, inner));
    }
}
