using System;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Packaging;

/// <summary>Large models for the weights-storage tests, built in C# with fixed seeds.</summary>
public static class WeightsModels
{
    /// <summary>
    /// x[1, width] → (Gemm with bias → Relu) × (layers - 1) → Gemm with bias → y[1, width]. Weights uniform in
    /// ±sqrt(6 / width) (He), so activations keep their scale through the chain. Float weights: about
    /// layers × width² × 4 bytes (11 × 1024² × 4 = 46 MB, the size of ResNet18).
    /// </summary>
    public static byte[] GemmChain(int layers, int width, int seed = 1234)
    {
        var random = new Random(seed);
        float scale = MathF.Sqrt(6f / width);
        var builder = new ModelBuilder(opset: 13).Input("x", 1, width);
        string previous = "x";
        for (int i = 0; i < layers; i++)
        {
            var w = new float[width * width];
            for (int j = 0; j < w.Length; j++) w[j] = (float)(random.NextDouble() * 2 - 1) * scale;
            var b = new float[width];
            for (int j = 0; j < b.Length; j++) b[j] = (float)(random.NextDouble() * 0.2 - 0.1);
            builder.Initializer($"W{i}", w, width, width).Initializer($"b{i}", b, width);
            bool last = i == layers - 1;
            string h = last ? "y" : $"h{i}";
            builder.Node("Gemm", new[] { previous, $"W{i}", $"b{i}" }, new[] { h });
            if (!last)
            {
                builder.Node("Relu", new[] { h }, new[] { $"r{i}" });
                previous = $"r{i}";
            }
        }
        return builder.Output("y").ToBytes();
    }

    /// <summary>A fixed input for <see cref="GemmChain"/>.</summary>
    public static float[] Input(int width)
    {
        var x = new float[width];
        for (int i = 0; i < width; i++) x[i] = MathF.Sin(i * 0.1f);
        return x;
    }
}
