using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Configuration;
using ModelGen.Compiler;
using ModelGen.Diagnostics;
using ModelGen.Runtime;

namespace ModelGen.Cli.Verification;

public sealed record OutputComparison(string Name, double MaxAbsDiff, double MaxRelDiff, bool WithinTolerance);

public sealed class VerificationReport
{
    public string Model { get; init; } = "";
    public bool Supported { get; set; }
    public List<ModelDiagnostic> Diagnostics { get; } = new();
    public List<OutputComparison> Outputs { get; } = new();
    /// <summary>ModelGen's latency; the first call is always measured, the rest only with timing runs.</summary>
    public LatencyReport? Generated { get; set; }
    public LatencyReport? OnnxRuntime { get; set; }
    /// <summary>Steady-state median (0 when not timed).</summary>
    public double GeneratedMicros => Generated?.Runs > 0 ? Generated.SteadyMicros : 0;
    public double OnnxRuntimeMicros => OnnxRuntime?.Runs > 0 ? OnnxRuntime.SteadyMicros : 0;
    public bool Passed => Supported && Outputs.Count > 0 && Outputs.All(o => o.WithinTolerance);
}

/// <summary>Verification settings: seeded random inputs, fixed scalar values, tolerance and timing.</summary>
public sealed record VerifyOptions
{
    public int Seed { get; init; } = 42;
    public int IntMax { get; init; } = 1;
    public Dictionary<string, double> Values { get; init; } = new(StringComparer.Ordinal);
    /// <summary>|ours - ort| ≤ AbsTolerance + RelTolerance·|ort| for every element.</summary>
    public double AbsTolerance { get; init; } = 1e-4;
    public double RelTolerance { get; init; } = 1e-3;
    /// <summary>Timed steady-state calls per engine after warm-up; 0 skips timing (the first call is still measured).</summary>
    public int TimingRuns { get; init; } = 0;
    /// <summary>Cap on each engine's warm-up before the steady-state runs (see <see cref="LatencyMeter"/>).</summary>
    public TimeSpan MaxWarmup { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Inputs to use instead of random ones (by ONNX name).</summary>
    public Dictionary<string, Array>? Inputs { get; init; }
}

/// <summary>Compiles a model with ModelGen, runs it and ONNX Runtime on the same inputs, and compares.</summary>
public static class Verifier
{
    public static VerificationReport Verify(byte[] bytes, string path, ModelOptions options, VerifyOptions verify, bool modelOnDisk = false)
    {
        var report = new VerificationReport { Model = System.IO.Path.GetFileName(path) };
        var result = ModelCompiler.Compile(bytes, path, options);
        report.Diagnostics.AddRange(result.Diagnostics);
        report.Supported = result.Success;
        if (!result.Success) return report;

        var model = InMemoryModel.Load(result, options);
        var inputs = model.Inputs.Select(i => verify.Inputs is not null && verify.Inputs.TryGetValue(i.OnnxName, out var given) ? given : RandomTensor(i, verify)).ToArray();
        var outputs = model.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        // The first call is the one checked against ONNX Runtime; timed, it shows what JIT compilation costs.
        var counts = new int[outputs.Length];
        double generatedFirst = LatencyMeter.Time(() => model.Run(inputs, outputs, counts));
        report.Generated = new LatencyReport { FirstCallMicros = generatedFirst };

        using var oracle = new OnnxRuntimeOracle(bytes, modelOnDisk ? path : null);
        var ortInputs = model.Inputs.Select((info, k) => (info.OnnxName, inputs[k], info.Shape)).ToList();
        // Inputs fixed at build time (--bind, Values) are constants in our model; ONNX Runtime gets the same values.
        foreach (var binding in options.Values)
            if (result.Graph?.Values.TryGetValue(binding.Input, out var v) == true && v.Constant is { } constant)
                ortInputs.Add((binding.Input, Conformance.ConformanceRunner.ToArray(constant), constant.Shape));
        var ortOutputs = model.Outputs.Select(o => (o.OnnxName, o.ElementType, o.Shape)).ToList();
        using var bound = oracle.Bind(ortInputs, ortOutputs, model.Outputs.Select(o => o.DynamicAxis >= 0).ToArray());
        double ortFirst = LatencyMeter.Time(bound.Run);
        report.OnnxRuntime = new LatencyReport { FirstCallMicros = ortFirst };
        for (int i = 0; i < outputs.Length; i++)
        {
            // Outputs with a run-time length: only the valid data, and its shape must be ONNX Runtime's.
            var info = model.Outputs[i];
            var comparison = Compare(info.OnnxName, Conformance.ConformanceRunner.ValidPart(outputs[i], info, counts[i]), bound.Outputs[i], verify);
            if (info.DynamicAxis >= 0 && !info.ValidShape(counts[i]).SequenceEqual(bound.OutputShapes[i])) comparison = comparison with { WithinTolerance = false };
            report.Outputs.Add(comparison);
        }

        if (verify.TimingRuns > 0)
        {
            (report.Generated, report.OnnxRuntime) = LatencyMeter.MeasurePair(
                () => model.Run(inputs, outputs), generatedFirst, bound.Run, ortFirst, verify.TimingRuns, verify.MaxWarmup);
        }
        return report;
    }

    public static OutputComparison Compare(string name, Array ours, Array theirs, VerifyOptions verify)
    {
        double maxAbs = 0, maxRel = 0;
        bool ok = ours.Length == theirs.Length;
        for (int i = 0; ok && i < ours.Length; i++)
        {
            double a = ToDouble(ours.GetValue(i)!), b = ToDouble(theirs.GetValue(i)!);
            if (double.IsNaN(a) && double.IsNaN(b)) continue;
            if (double.IsInfinity(b) && a == b) continue;
            double abs = Math.Abs(a - b);
            if (double.IsNaN(abs)) abs = double.PositiveInfinity;
            double rel = abs / Math.Max(Math.Abs(b), 1e-12);
            maxAbs = Math.Max(maxAbs, abs);
            if (Math.Abs(b) > 1e-6) maxRel = Math.Max(maxRel, rel);
            if (abs > verify.AbsTolerance + verify.RelTolerance * Math.Abs(b)) ok = false;
        }
        return new OutputComparison(name, maxAbs, maxRel, ok);
    }

    private static double ToDouble(object v) => v switch
    {
        bool b => b ? 1 : 0,
        Half h => (double)h,
        _ => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture),
    };



    public static Array RandomTensor(TensorInfo info, VerifyOptions verify)
    {
        // A stable per-input seed: the same input gets the same data in every run and in both engines.
        var random = new Random(verify.Seed + StableHash(info.OnnxName));
        int n = info.Length;
        if (verify.Values.TryGetValue(info.OnnxName, out double fixedValue))
        {
            var arr = Array.CreateInstance(info.ElementType, n);
            for (int i = 0; i < n; i++) arr.SetValue(Convert.ChangeType(fixedValue, info.ElementType, System.Globalization.CultureInfo.InvariantCulture), i);
            return arr;
        }
        var t = info.ElementType;
        if (t == typeof(float)) return Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        if (t == typeof(double)) return Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        if (t == typeof(Half)) return Enumerable.Range(0, n).Select(_ => (Half)(random.NextDouble() * 2 - 1)).ToArray();
        if (t == typeof(bool)) return Enumerable.Range(0, n).Select(_ => random.Next(2) == 1).ToArray();
        var result = Array.CreateInstance(t, n);
        for (int i = 0; i < n; i++) result.SetValue(Convert.ChangeType(random.Next(verify.IntMax + 1), t, System.Globalization.CultureInfo.InvariantCulture), i);
        return result;
    }

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = 23;
            foreach (char c in s) h = h * 31 + c;
            return h & 0x7FFFFFF;
        }
    }
}
