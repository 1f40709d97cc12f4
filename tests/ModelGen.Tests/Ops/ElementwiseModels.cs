using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Ops;

/// <summary>Seeded random broadcasting models and input data shared by the elementwise op tests.</summary>
internal static class ElementwiseModels
{
    private static readonly long[] Dims = { 1, 2, 3, 4, 5, 7, 16, 17, 33 };

    /// <summary>A shape of the given rank whose size stays under 4096 (odd sizes so vector remainders run).</summary>
    public static long[] RandomShape(Random random, int rank)
    {
        while (true)
        {
            var shape = Enumerable.Range(0, rank).Select(_ => Dims[random.Next(Dims.Length)]).ToArray();
            if (shape.Aggregate(1L, (p, d) => p * d) <= 4096) return shape;
        }
    }

    /// <summary>A shape that broadcasts to <paramref name="full"/>: some leading axes dropped, some axes set to 1.</summary>
    public static long[] BroadcastingTo(Random random, long[] full)
    {
        int drop = random.Next(3) == 0 ? random.Next(full.Length + 1) : 0;
        return full.Skip(drop).Select(d => random.Next(3) == 0 ? 1 : d).ToArray();
    }

    /// <summary>
    /// One model holding <paramref name="cases"/> independent nodes of <paramref name="op"/>, each on its own inputs with
    /// random broadcast shapes (ranks 0..4), so one compilation and one ONNX Runtime session cover many shapes.
    /// With <paramref name="unidirectional"/> the first input keeps the full shape (PRelu's X).
    /// </summary>
    public static ModelBuilder RandomBroadcast(string op, int seed, int cases, int opset = 17, int inputs = 2,
        TensorProto.Types.DataType type = TensorProto.Types.DataType.Float, bool unidirectional = false, params (string Name, object Value)[] attributes)
    {
        var random = new Random(seed);
        var builder = new ModelBuilder(opset);
        for (int c = 0; c < cases; c++)
        {
            var full = RandomShape(random, random.Next(0, 5));
            var names = new string[inputs];
            for (int i = 0; i < inputs; i++)
            {
                names[i] = $"in{c}_{i}";
                builder.Input(names[i], type, unidirectional && i == 0 ? full : BroadcastingTo(random, full));
            }
            builder.Node(op, names, new[] { $"out{c}" }, attributes).Output($"out{c}", type);
        }
        return builder;
    }

    /// <summary>A single-node model on inputs of the given shapes.</summary>
    public static ModelBuilder Single(string op, int opset, long[][] shapes, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float, params (string Name, object Value)[] attributes)
    {
        var builder = new ModelBuilder(opset);
        var names = shapes.Select((s, i) => $"x{i}").ToArray();
        for (int i = 0; i < shapes.Length; i++) builder.Input(names[i], type, shapes[i]);
        return builder.Node(op, names, new[] { "y" }, attributes).Output("y", type);
    }

    /// <summary>Seeded floats in [lo, hi].</summary>
    public static float[] Floats(int seed, int n, float lo = -1f, float hi = 1f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => lo + (float)random.NextDouble() * (hi - lo)).ToArray();
    }

    /// <summary>Floats with NaN, ±∞ and ±0 scattered in.</summary>
    public static float[] WithSpecials(int seed, int n, float scale = 4f)
    {
        var data = Floats(seed, n, -scale, scale);
        float[] special = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f };
        var random = new Random(seed + 1);
        for (int i = 0; i < n; i += 5) data[random.Next(i, Math.Min(i + 5, n))] = special[random.Next(special.Length)];
        return data;
    }

    public static Dictionary<string, Array> Inputs(params (string Name, Array Data)[] inputs) =>
        inputs.ToDictionary(i => i.Name, i => i.Data, StringComparer.Ordinal);
}
