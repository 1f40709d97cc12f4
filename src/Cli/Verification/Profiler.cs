using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using ModelGen.Compiler;
using ModelGen.Configuration;
using ModelGen.Ops;
using ModelGen.Plan;
using ModelGen.Runtime;

namespace ModelGen.Cli.Verification;

/// <summary>One plan step group (a node, or a fused chain) with our steady-state time and ONNX Runtime's for the same nodes.</summary>
public sealed record ProfiledStep(int Group, string Description, IReadOnlyList<string> Nodes, double OursMicros, double? OnnxRuntimeMicros, long Macs)
{
    /// <summary>Effective GFLOP/s (2 flops per multiply-add) of our step, when it does multiply-adds.</summary>
    public double? Gflops => Macs > 0 && OursMicros > 0 ? 2.0 * Macs / (OursMicros * 1e3) : null;
}

public sealed class ProfileReport
{
    public string Model { get; init; } = "";
    public List<ProfiledStep> Steps { get; } = new();
    /// <summary>ONNX Runtime nodes that match no step of ours (its own reorders, or nodes it renamed while fusing).</summary>
    public List<(string Node, string OpType, double Micros)> OnnxRuntimeOnly { get; } = new();
    public double OursTotalMicros { get; set; }
    public double OnnxRuntimeTotalMicros { get; set; }
    public int Runs { get; set; }
    public int WarmupRuns { get; set; }
}

/// <summary>
/// Times every plan step group of a model at steady state (an instrumented build accumulates Stopwatch ticks per group)
/// beside ONNX Runtime's own per-node profile on the same inputs.
/// </summary>
public static class Profiler
{
    public static ProfileReport Profile(byte[] bytes, string path, ModelOptions options, VerifyOptions verify, bool modelOnDisk, double seconds)
    {
        var result = ModelCompiler.Compile(bytes, path, options, profile: true);
        if (!result.Success) throw new CliException("the model does not compile: " + string.Join("; ", result.Diagnostics));
        var plan = result.Plan!;
        var model = InMemoryModel.Load(result, options);
        var ticks = (long[])model.GetType().GetField("ProfileTicks", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        var inputs = model.Inputs.Select(i => Verifier.RandomTensor(i, verify)).ToArray();
        var outputs = model.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();

        var report = new ProfileReport { Model = Path.GetFileName(path) };
        report.WarmupRuns = WarmUp(() => model.Run(inputs, outputs), seconds);
        // Batches of runs; each step's time is the median over batches of its mean per run, which a preempted batch on a
        // busy machine does not move.
        var (runs, total, stepMicros) = MeasureSteps(() => model.Run(inputs, outputs), ticks, seconds);
        report.Runs = runs;
        report.OursTotalMicros = total;

        // ONNX Runtime: the same inputs, warmed up, then profiled for the same number of runs.
        string prefix = Path.Combine(Path.GetTempPath(), "modelgen-profile-" + Guid.NewGuid().ToString("N"));
        var ortTimes = new Dictionary<string, (string Op, double Micros)>(StringComparer.Ordinal);
        int profiledRuns = 1; // ORT profiles every run of the session, warm-up included: times are per-run averages.
        using (var oracle = new OnnxRuntimeOracle(bytes, modelOnDisk ? path : null, prefix))
        {
            var ortInputs = model.Inputs.Select((info, k) => (info.OnnxName, inputs[k], info.Shape)).ToList();
            var ortOutputs = model.Outputs.Select(o => (o.OnnxName, o.ElementType, o.Shape)).ToList();
            using var bound = oracle.Bind(ortInputs, ortOutputs, model.Outputs.Select(o => o.DynamicAxis >= 0).ToArray());
            WarmUp(bound.Run, Math.Min(seconds, 1));
            report.OnnxRuntimeTotalMicros = MedianBatchMicros(bound.Run, runs);
            string file = oracle.EndProfiling();
            try
            {
                var (events, profiled) = ReadProfile(file);
                profiledRuns = Math.Max(1, profiled);
                foreach (var (node, op, micros) in events)
                    ortTimes[node] = (op, ortTimes.TryGetValue(node, out var t) ? t.Micros + micros : micros);
            }
            finally
            {
                File.Delete(file);
            }
        }

        var graphNodes = result.Graph!.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var matched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in plan.Steps.GroupBy(s => s.Origin.Group))
        {
            var origin = group.First().Origin;
            var nodes = origin.Nodes.ToList();
            graphNodes.TryGetValue(nodes.Count > 0 ? nodes[0] : "", out var node);
            // ONNX Runtime renames nodes it rewrites (NCHWc convolutions are named after their output value, with
            // "_nchwc"): match by node name or by the name of a value the group writes.
            var keys = new HashSet<string>(nodes, StringComparer.Ordinal);
            if (node is not null) foreach (var o in node.Outputs) keys.Add(o.Name);
            double? ort = null;
            foreach (var kv in ortTimes)
            {
                string name = kv.Key.EndsWith("_nchwc", StringComparison.Ordinal) ? kv.Key.Substring(0, kv.Key.Length - "_nchwc".Length) : kv.Key;
                if (!keys.Contains(name) || !matched.Add(kv.Key)) continue;
                ort = (ort ?? 0) + kv.Value.Micros / profiledRuns;
            }
            long macs = node is not null ? OpRegistry.Default.Find(node)?.Macs(node) ?? 0 : 0;
            report.Steps.Add(new ProfiledStep(origin.Group, origin.Description, nodes, stepMicros[origin.Group], ort, macs));
        }
        foreach (var kv in ortTimes.Where(kv => !matched.Contains(kv.Key)).OrderByDescending(kv => kv.Value.Micros))
            report.OnnxRuntimeOnly.Add((kv.Key, kv.Value.Op, kv.Value.Micros / profiledRuns));
        report.Steps.Sort((a, b) => b.OursMicros.CompareTo(a.OursMicros));
        return report;
    }

    /// <summary>ONNX Runtime's node events (node name, op type, total µs over all runs) and the number of runs it profiled.</summary>
    private static (List<(string Node, string Op, double Micros)> Events, int Runs) ReadProfile(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var result = new List<(string, string, double)>();
        int runs = 0;
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var cat)) continue;
            string name = e.GetProperty("name").GetString() ?? "";
            if (cat.GetString() == "Session" && name == "model_run") runs++;
            if (cat.GetString() != "Node" || !name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            string op = e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var o) ? o.GetString() ?? "" : "";
            result.Add((name.Substring(0, name.Length - "_kernel_time".Length), op, e.GetProperty("dur").GetDouble()));
        }
        return (result, runs);
    }

    /// <summary>Runs until the JIT has settled: at least <paramref name="seconds"/>/2 and no method compiled in the last batch.</summary>
    public static int WarmUp(Action run, double seconds)
    {
        var clock = Stopwatch.StartNew();
        int runs = 0;
        long compiled = -1;
        while (clock.Elapsed.TotalSeconds < 5 * Math.Max(seconds, 0.2))
        {
            for (int i = 0; i < 10; i++, runs++) run();
            long now = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);
            if (now == compiled && clock.Elapsed.TotalSeconds >= seconds / 2) break;
            compiled = now;
        }
        return runs;
    }

    private const int Batches = 21;

    /// <summary>
    /// Runs <see cref="Batches"/> batches sized so that all take about <paramref name="seconds"/>; returns the runs, the
    /// median batch's mean µs per run, and per step group the median over batches of its mean µs per run.
    /// </summary>
    private static (int Runs, double TotalMicros, double[] StepMicros) MeasureSteps(Action run, long[] ticks, double seconds)
    {
        int perBatch = RunsPerBatch(run, seconds);
        var totals = new double[Batches];
        var steps = new double[ticks.Length][];
        for (int g = 0; g < ticks.Length; g++) steps[g] = new double[Batches];
        double tickMicros = 1e6 / Stopwatch.Frequency;
        for (int b = 0; b < Batches; b++)
        {
            Array.Clear(ticks);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < perBatch; i++) run();
            totals[b] = (Stopwatch.GetTimestamp() - start) * tickMicros / perBatch;
            for (int g = 0; g < ticks.Length; g++) steps[g][b] = ticks[g] * tickMicros / perBatch;
        }
        return (perBatch * Batches, Median(totals), steps.Select(Median).ToArray());
    }

    /// <summary>The median over <see cref="Batches"/> batches of the mean µs per run, <paramref name="runs"/> runs in all.</summary>
    private static double MedianBatchMicros(Action run, int runs)
    {
        int perBatch = Math.Max(1, runs / Batches);
        var totals = new double[Batches];
        for (int b = 0; b < Batches; b++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < perBatch; i++) run();
            totals[b] = (Stopwatch.GetTimestamp() - start) * 1e6 / Stopwatch.Frequency / perBatch;
        }
        return Median(totals);
    }

    private static int RunsPerBatch(Action run, double seconds)
    {
        long start = Stopwatch.GetTimestamp();
        int n = 0;
        while (n < 3 || Stopwatch.GetTimestamp() - start < Stopwatch.Frequency / 20) { run(); n++; }
        double perRun = (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency / n;
        return Math.Max(1, (int)(seconds / Batches / perRun));
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
