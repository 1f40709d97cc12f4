using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelGen.Compression;
using ModelGen.Onnx.Proto;

namespace ModelGen.Cli;

/// <summary>
/// The calibration of `modelgen compress --int8-static`: runs the float model with ONNX Runtime, every tensor to be
/// quantized added as an extra graph output, and keeps each tensor's min and max over the calibration inputs (ONNX
/// Runtime's MinMax calibrator; the quantizer widens the range to hold 0).
/// </summary>
public static class Calibration
{
    /// <summary>One calibration example: a value per graph input, in graph-input order.</summary>
    public sealed record Sample(IReadOnlyList<(string Name, Array Data, long[] Shape)> Inputs);

    /// <summary>min/max per tensor over the samples; graph inputs are measured from the samples themselves.</summary>
    public static Dictionary<string, (float Min, float Max)> Ranges(ModelProto model, IReadOnlyList<string> tensors, IReadOnlyList<Sample> samples,
        Action<string, double>? progress = null)
    {
        var ranges = new Dictionary<string, (float Min, float Max)>(StringComparer.Ordinal);
        var inputs = new HashSet<string>(model.Graph.Input.Select(i => i.Name), StringComparer.Ordinal);
        var observed = tensors.Where(t => !inputs.Contains(t)).ToList();
        var augmented = model.Clone();
        var existing = new HashSet<string>(augmented.Graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        foreach (var t in observed.Where(t => !existing.Contains(t)))
            augmented.Graph.Output.Add(new ValueInfoProto
            {
                Name = t,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(augmented.ToByteArray(), options);
        using var runOptions = new RunOptions();
        for (int s = 0; s < samples.Count; s++)
        {
            var sample = samples[s];
            var values = new List<OrtValue>();
            try
            {
                foreach (var (name, data, shape) in sample.Inputs)
                {
                    values.Add(Create(data, shape));
                    if (tensors.Contains(name) && data is float[] f) Widen(ranges, name, f);
                }
                using var results = session.Run(runOptions, sample.Inputs.Select(i => i.Name).ToList(), values, observed);
                for (int i = 0; i < observed.Count; i++)
                    Widen(ranges, observed[i], results[i].GetTensorDataAsSpan<float>());
            }
            finally
            {
                foreach (var v in values) v.Dispose();
            }
            progress?.Invoke("calibration", (s + 1.0) / samples.Count);
        }
        return ranges;
    }

    private static void Widen(Dictionary<string, (float Min, float Max)> ranges, string name, ReadOnlySpan<float> values)
    {
        var (min, max) = ranges.TryGetValue(name, out var r) ? r : (float.PositiveInfinity, float.NegativeInfinity);
        foreach (float v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        ranges[name] = (min, max);
    }

    private static OrtValue Create(Array data, long[] shape) => data switch
    {
        float[] f => OrtValue.CreateTensorValueFromMemory(f, shape),
        long[] l => OrtValue.CreateTensorValueFromMemory(l, shape),
        int[] i => OrtValue.CreateTensorValueFromMemory(i, shape),
        _ => throw new CliException($"calibration input of type {data.GetType().GetElementType()?.Name} is not supported"),
    };

    /// <summary>The graph's real inputs (not initializers) with their element type and shape (unknown dimensions → 1, or --shape).</summary>
    public static List<(string Name, Type Type, long[] Shape)> InputsOf(ModelProto model, IReadOnlyDictionary<string, long[]> shapes)
    {
        var initializers = new HashSet<string>(model.Graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        var result = new List<(string, Type, long[])>();
        foreach (var input in model.Graph.Input)
        {
            if (initializers.Contains(input.Name)) continue;
            var tensor = input.Type?.TensorType ?? throw new CliException($"input '{input.Name}' is not a tensor");
            var shape = shapes.TryGetValue(input.Name, out var given) ? given
                : (tensor.Shape?.Dim ?? new Google.Protobuf.Collections.RepeatedField<TensorShapeProto.Types.Dimension>()).Select(d => d.DimValue > 0 ? d.DimValue : 1L).ToArray();
            Type type = tensor.ElemType switch
            {
                (int)TensorProto.Types.DataType.Float => typeof(float),
                (int)TensorProto.Types.DataType.Int64 => typeof(long),
                (int)TensorProto.Types.DataType.Int32 => typeof(int),
                _ => throw new CliException($"input '{input.Name}' has element type {tensor.ElemType}: calibration feeds float, int64 and int32 inputs"),
            };
            result.Add((input.Name, type, shape));
        }
        return result;
    }

    /// <summary>
    /// N seeded random examples: float inputs standard normal (Box–Muller on SplitMix64: the scale of normalized images),
    /// integer inputs zero.
    /// </summary>
    public static List<Sample> Random(IReadOnlyList<(string Name, Type Type, long[] Shape)> inputs, int count, int seed)
    {
        var random = new SeededRandom(seed);
        var samples = new List<Sample>();
        for (int s = 0; s < count; s++)
        {
            var values = new List<(string, Array, long[])>();
            foreach (var (name, type, shape) in inputs)
            {
                int n = checked((int)shape.Aggregate(1L, (a, b) => a * b));
                Array data;
                if (type == typeof(float))
                {
                    var f = new float[n];
                    for (int i = 0; i < n; i += 2)
                    {
                        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
                        double radius = Math.Sqrt(-2 * Math.Log(u1));
                        f[i] = (float)(radius * Math.Cos(2 * Math.PI * u2));
                        if (i + 1 < n) f[i + 1] = (float)(radius * Math.Sin(2 * Math.PI * u2));
                    }
                    data = f;
                }
                else data = Array.CreateInstance(type, n);
                values.Add((name, data, shape));
            }
            samples.Add(new Sample(values));
        }
        return samples;
    }

    /// <summary>
    /// Examples from a CSV file, one per line: the values of the model's one float input in row-major order ('#' starts a
    /// comment). A line with one value more (modelgen evaluate's files: the label first) drops its first value.
    /// </summary>
    public static List<Sample> FromCsv(IReadOnlyList<(string Name, Type Type, long[] Shape)> inputs, IEnumerable<string> lines, string path, int limit)
    {
        if (inputs.Count != 1 || inputs[0].Type != typeof(float))
            throw new CliException($"--calibration {path}: a CSV feeds models with one float input; this one has {inputs.Count} input(s)");
        var (name, _, shape) = inputs[0];
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var samples = new List<Sample>();
        int lineNumber = 0;
        foreach (var raw in lines)
        {
            lineNumber++;
            int hash = raw.IndexOf('#');
            string line = (hash >= 0 ? raw.Substring(0, hash) : raw).Trim();
            if (line.Length == 0) continue;
            var cells = line.Split(new[] { ',', ';', ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (cells.Length != n && cells.Length != n + 1)
                throw new CliException($"{path}:{lineNumber}: {cells.Length} values, expected {n} (input '{name}' [{string.Join(",", shape)}]) or {n + 1} with a label first");
            var values = new float[n];
            int offset = cells.Length == n ? 0 : 1;
            for (long i = 0; i < n; i++)
                if (!float.TryParse(cells[i + offset], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                    throw new CliException($"{path}:{lineNumber}: '{cells[i + offset]}' is not a number");
            samples.Add(new Sample(new (string, Array, long[])[] { (name, values, shape) }));
            if (samples.Count == limit) break;
        }
        if (samples.Count == 0) throw new CliException($"{path}: no calibration examples");
        return samples;
    }

    /// <summary>Reads the lines of a calibration file, with the CLI's error for a missing one.</summary>
    public static IEnumerable<string> Lines(string path)
    {
        if (!File.Exists(path)) throw new CliException($"calibration file '{path}' does not exist");
        return File.ReadLines(path);
    }
}
