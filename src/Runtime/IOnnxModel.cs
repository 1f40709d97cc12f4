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
}
