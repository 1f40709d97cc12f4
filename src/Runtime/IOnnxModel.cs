using System;
using System.Collections.Generic;

namespace ModelGen.Runtime;

/// <summary>Describes one input or output of a compiled model.</summary>
/// <param name="Name">The C# parameter name.</param>
/// <param name="OnnxName">The name in the ONNX graph.</param>
/// <param name="ElementType">The C# element type.</param>
/// <param name="Shape">The concrete shape, fixed at build time.</param>
public sealed record TensorInfo(string Name, string OnnxName, Type ElementType, int[] Shape)
{
    /// <summary>
    /// For an output whose length along this axis is known only at run time (NonZero, NonMaxSuppression, Unique): the
    /// axis; <see cref="Shape"/> is then its capacity. -1 for fixed shapes.
    /// </summary>
    public int DynamicAxis { get; init; } = -1;

    /// <summary>The actual shape for a run-time length <paramref name="count"/> along <see cref="DynamicAxis"/> (the shape itself for fixed shapes).</summary>
    public int[] ValidShape(int count)
    {
        if (DynamicAxis < 0) return Shape;
        var shape = (int[])Shape.Clone();
        shape[DynamicAxis] = count;
        return shape;
    }

    /// <summary>Elements of the valid data (stored densely from element 0) for a run-time length <paramref name="count"/>.</summary>
    public int ValidLength(int count)
    {
        int n = 1;
        foreach (var d in ValidShape(count)) n *= d;
        return n;
    }

    public int Length
    {
        get
        {
            int n = 1;
            foreach (var d in Shape) n *= d;
            return n;
        }
    }
}

/// <summary>
/// Untyped access to a generated model, for tools (verification, benchmarks). Application code calls the typed
/// Predict methods instead.
/// </summary>
public interface IOnnxModel
{
    IReadOnlyList<TensorInfo> Inputs { get; }
    IReadOnlyList<TensorInfo> Outputs { get; }
    int ArenaBytes { get; }

    /// <summary>Runs the model on arrays of the element types in <see cref="Inputs"/> and <see cref="Outputs"/>.</summary>
    void Run(IReadOnlyList<Array> inputs, IReadOnlyList<Array> outputs);

    /// <summary>
    /// Runs the model and writes, for each output, its run-time length along <see cref="TensorInfo.DynamicAxis"/>
    /// (-1 for outputs of fixed shape). Only the first <see cref="TensorInfo.ValidLength"/> elements of such an output
    /// are data; the rest are zeros.
    /// </summary>
    void Run(IReadOnlyList<Array> inputs, IReadOnlyList<Array> outputs, Span<int> counts)
    {
        Run(inputs, outputs);
        counts.Fill(-1);
    }
}
