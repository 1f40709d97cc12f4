using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ModelGen.Runtime;

/// <summary>Argument checks for generated Predict methods; the throw paths stay out of line.</summary>
public static class Guard
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Length(int actual, int expected, string parameter)
    {
        if (actual != expected) ThrowLength(actual, expected, parameter);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Scratch(int actual, int required, string parameter)
    {
        if (actual < required) ThrowScratch(actual, required, parameter);
    }

    public static void Count(int actual, int expected, string parameter)
    {
        if (actual != expected)
            throw new ArgumentException($"Expected {expected} tensors but got {actual}.", parameter);
    }

    [DoesNotReturn]
    private static void ThrowLength(int actual, int expected, string parameter) =>
        throw new ArgumentException($"Expected a span of {expected} elements for '{parameter}', but its length is {actual}.", parameter);

    [DoesNotReturn]
    private static void ThrowScratch(int actual, int required, string parameter) =>
        throw new ArgumentException($"Expected at least {required} bytes of scratch memory for '{parameter}', but its length is {actual}.", parameter);
}
