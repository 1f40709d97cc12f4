using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Generator;

/// <summary>Tiny models for generator tests. Weights are simple fixed values so snapshots stay short and stable.</summary>
public static class TestModels
{
    private static float[] Ramp(int n, float scale) => Enumerable.Range(0, n).Select(i => ((i % 7) - 3) * scale).ToArray();

    /// <summary>x[2,5] → Gemm(W[5,3], b[3]) → Relu → y[2,3].</summary>
    public static byte[] GemmRelu(float bias = 0.5f) => new ModelBuilder(opset: 13)
        .Input("x", 2, 5)
        .Initializer("W", Ramp(15, 0.25f), 5, 3)
        .Initializer("b", new[] { bias, -bias, 0f }, 3)
        .Node("Gemm", new[] { "x", "W", "b" }, new[] { "h" })
        .Node("Relu", new[] { "h" }, new[] { "y" })
        .Output("y")
        .ToBytes();

    /// <summary>x[2,5] → Gemm(W1[5,3]) → h → Gemm(W2[3,3]) → y[2,3]: h lives in the arena (64 bytes after alignment).</summary>
    public static byte[] GemmTwice() => new ModelBuilder(opset: 13)
        .Input("x", 2, 5)
        .Initializer("W1", Ramp(15, 0.25f), 5, 3)
        .Initializer("W2", Ramp(9, 0.5f), 3, 3)
        .Node("Gemm", new[] { "x", "W1" }, new[] { "h" })
        .Node("Gemm", new[] { "h", "W2" }, new[] { "y" })
        .Output("y")
        .ToBytes();

    /// <summary>a[2,3,4] + b[3,1] → sum[2,3,4] (two runtime inputs, broadcast on both sides' trailing axes).</summary>
    public static byte[] AddBroadcast() => new ModelBuilder(opset: 14)
        .Input("a", 2, 3, 4)
        .Input("b", 3, 1)
        .Node("Add", new[] { "a", "b" }, new[] { "sum" })
        .Output("sum")
        .ToBytes();

    /// <summary>x[2,6] → Reshape[3,4] → Relu → Reshape[-1] → y[12].</summary>
    public static byte[] ReshapeChain() => new ModelBuilder(opset: 14)
        .Input("x", 2, 6)
        .Initializer("s1", new long[] { 3, 4 }, 2)
        .Initializer("s2", new long[] { -1 }, 1)
        .Node("Reshape", new[] { "x", "s1" }, new[] { "r1" })
        .Node("Relu", new[] { "r1" }, new[] { "a" })
        .Node("Reshape", new[] { "a", "s2" }, new[] { "y" })
        .Output("y")
        .ToBytes();
}
