using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelGen.Configuration;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;

namespace ModelGen.Cli;

/// <summary>`modelgen verify`: compile in memory, run against ONNX Runtime on the same seeded inputs, compare and time.</summary>
public static class VerifyCommand
{
    public const double DefaultAbsTolerance = 1e-4;
    public const double DefaultRelTolerance = 1e-3;
    public const int DefaultRuns = 20;
    public const double DefaultMaxWarmupSeconds = 10;

    public static readonly OptionSpec Value = new("--value", null, "input=N,...", "fills an input with one number (e.g. a length or a scalar flag)");
    public static readonly OptionSpec IntMax = new("--int-max", null, "N", "random integer inputs are drawn from [0, N] (default 1)");
    public static readonly OptionSpec Seed = new("--seed", null, "N", "seed of the random inputs (default 42)");
    public static readonly OptionSpec Runs = new("--runs", null, "N", $"timed steady-state runs per engine after warm-up (default {DefaultRuns}; 0 skips timing)");
    public static readonly OptionSpec Warmup = new("--max-warmup", null, "SECONDS",
        $"cap on each engine's warm-up before the steady-state runs (default {DefaultMaxWarmupSeconds.ToString(CultureInfo.InvariantCulture)})");
    public static readonly OptionSpec Atol = new("--atol", null, "X", "absolute tolerance (default 1e-4)");
    public static readonly OptionSpec Rtol = new("--rtol", null, "X", "relative tolerance (default 1e-3)");
    public static readonly OptionSpec Weights = new("--weights", null, "auto|literals|resource",
        $"weight storage for the in-memory build (default auto: resource above {ModelCompiler.LargeWeightBytes / (1024 * 1024)} MiB of initializers)");

    public static readonly IReadOnlyList<OptionSpec> Options = new[]
    {
        CommonOptions.Dims, CommonOptions.Shape, CommonOptions.Bind, Value, IntMax, Seed, Runs, Warmup, Atol, Rtol, Weights, CommonOptions.Json, CommonOptions.Help,
    };

    public static string Usage =>
        "usage: modelgen verify MODEL.onnx [options]\n\n" +
        "Generates the model's C#, compiles it in memory, and runs it and ONNX Runtime on the same seeded random inputs\n" +
        "(floats uniform in [-1, 1], integers in [0, int-max], booleans 0/1; --value fixes an input). Prints, per output,\n" +
        "the largest absolute and relative difference, and the latency of both engines (ONNX Runtime with one intra-op\n" +
        "thread and inputs bound once): the first call, the median of calls 2-11, and the steady state, the median of\n" +
        "at least --runs calls after warm-up, timed in rounds that alternate ~2 ms blocks of each engine so both see the\n" +
        "same machine load. Warm-up runs batches of at least 250 ms until a batch JIT-compiles no method and its\n" +
        "median is within 10% of the previous batch's (the JIT has settled), or until --max-warmup.\n" +
        "An output passes when every element satisfies |ours - ort| <= atol + rtol * |ort|, by default atol 1e-4 and\n" +
        "rtol 1e-3. Exit code 0 when the model is supported and every output passes, 1 otherwise.\n\n" +
        "options:\n" + Arguments.Describe(Options) + "\n";

    public static int Run(Arguments args, TextWriter stdout, TextWriter stderr)
    {
        string path = args.Single("model file (MODEL.onnx)");
        var requested = CommonOptions.ParseStorage(args.Value(Weights.Name), allowAuto: true);
        var options = CommonOptions.Build(args, path, ModelFile.ClassNameFor(path), "ModelGen.Verify", requested ?? WeightStorage.Literals);
        var verify = new VerifyOptions
        {
            Seed = args.Int(Seed.Name, 42),
            IntMax = args.Int(IntMax.Name, 1, min: 0),
            Values = args.NamedNumbers(Value.Name),
            AbsTolerance = args.Double(Atol.Name, DefaultAbsTolerance, min: 0),
            RelTolerance = args.Double(Rtol.Name, DefaultRelTolerance, min: 0),
            TimingRuns = args.Int(Runs.Name, DefaultRuns, min: 0),
            MaxWarmup = TimeSpan.FromSeconds(args.Double(Warmup.Name, DefaultMaxWarmupSeconds, min: 0)),
        };
        var model = ModelFile.Read(path);
        // Large models: a resource blob, so the in-memory compilation does not parse megabytes of literals.
        var storage = requested ?? (model.InitializerBytes > ModelCompiler.LargeWeightBytes ? WeightStorage.Resource : WeightStorage.Literals);
        options = options with { Weights = storage };
        var inputNames = model.Inputs.Select(i => i.Name).ToList();
        foreach (var name in verify.Values.Keys)
            if (model.Proto is not null && !inputNames.Contains(name, StringComparer.Ordinal))
                throw new UsageException($"--value: the model has no input '{name}' (inputs: {string.Join(", ", inputNames)})");

        VerificationReport report;
        string? error = null;
        try
        {
            report = Verifier.Verify(model.Bytes, model.Path, options, verify, modelOnDisk: model.HasExternalData);
        }
        catch (Exception e) when (e is not OutOfMemoryException && Environment.GetEnvironmentVariable("MODELGEN_DEBUG") is null)
        {
            // The generated code did not compile, load or run, or ONNX Runtime refused the model: a finding, reported
            // like the others (in the JSON too), not a crash.
            var inner = e is System.Reflection.TargetInvocationException { InnerException: { } ie } ? ie : e;
            error = $"{inner.GetType().Name}: {inner.Message.Trim()}";
            var compiled = ModelCompiler.Compile(model.Bytes, model.Path, options);
            report = new VerificationReport { Model = model.Name, Supported = compiled.Success };
            report.Diagnostics.AddRange(compiled.Diagnostics);
        }

        bool passed = error is null && report.Passed;
        if (args.Has(CommonOptions.Json.Name))
            stdout.Write(ToJson(model.Path, report, verify, storage, passed, error));
        else
            WriteText(stdout, model.Path, report, verify, storage, passed, error);
        return passed ? 0 : 1;
    }

    private static string G(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? "inf" : v.ToString("0.###e+00", CultureInfo.InvariantCulture);

    // Milliseconds from 1 ms up, so two latencies of one line are read in the same unit.
    private static string Micros(double us) => us >= 1_000
        ? (us / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " ms"
        : us.ToString("0.0", CultureInfo.InvariantCulture) + " us";

    /// <summary>False when ModelGen.Runtime was built Debug: its kernels then run unoptimized and timings mislead.</summary>
    public static bool RuntimeIsOptimized =>
        typeof(ModelGen.Runtime.IOnnxModel).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false)
            .OfType<System.Diagnostics.DebuggableAttribute>().All(d => !d.IsJITOptimizerDisabled);

    private static string Speed(VerificationReport report)
    {
        if (report.GeneratedMicros <= 0 || report.OnnxRuntimeMicros <= 0) return "";
        double ratio = report.OnnxRuntimeMicros / report.GeneratedMicros;
        return ratio >= 1
            ? $"; ModelGen {ratio.ToString("0.00", CultureInfo.InvariantCulture)}x faster"
            : $"; ModelGen {(1 / ratio).ToString("0.00", CultureInfo.InvariantCulture)}x slower";
    }

    private static void WriteText(TextWriter w, string modelPath, VerificationReport report, VerifyOptions verify, WeightStorage storage, bool passed, string? error)
    {
        w.WriteLine($"Model        {modelPath}");
        w.WriteLine($"Supported    {(report.Supported ? "yes" : "no")}");
        foreach (var d in report.Diagnostics)
            w.WriteLine($"  {CommonOptions.Severity(d)} {d.Id}: {d.Message}");
        if (error is not null) w.WriteLine($"Error        {error}");
        if (report.Outputs.Count > 0)
        {
            w.WriteLine($"Inputs       seed {verify.Seed}, floats in [-1, 1], integers in [0, {verify.IntMax}]" +
                (verify.Values.Count > 0 ? ", " + string.Join(", ", verify.Values.Select(v => $"{v.Key}={v.Value.ToString(CultureInfo.InvariantCulture)}")) : "") +
                $"; weights as {(storage == WeightStorage.Literals ? "literals" : "resource")}");
            int width = report.Outputs.Max(o => o.Name.Length);
            foreach (var o in report.Outputs)
                w.WriteLine($"  output {o.Name.PadRight(width)}  max abs diff {G(o.MaxAbsDiff),-10} max rel diff {G(o.MaxRelDiff),-10} {(o.WithinTolerance ? "ok" : "DIFFERS")}");
        }
        if (verify.TimingRuns > 0 && report.Outputs.Count > 0 && report.Generated is { } ours && report.OnnxRuntime is { } ort)
        {
            w.WriteLine($"Latency      steady state (1 thread, median after warm-up, engines alternating): ModelGen {Micros(ours.SteadyMicros)}, " +
                $"ONNX Runtime {Micros(ort.SteadyMicros)}" + Speed(report));
            foreach (var (name, l) in new[] { ("ModelGen", ours), ("ONNX Runtime", ort) })
                w.WriteLine($"  {name,-12}  first call {Micros(l.FirstCallMicros)}, calls 2-{LatencyMeter.EarlyCalls + 1} median {Micros(l.EarlyMedianMicros)}; " +
                    $"warm-up {l.WarmupCalls} calls in {(l.WarmupMilliseconds / 1000).ToString("0.0", CultureInfo.InvariantCulture)} s, " +
                    (l.Settled ? "JIT settled" : "NOT settled (hit --max-warmup)") + $"; steady state over {l.Runs} calls");
        }
        if (verify.TimingRuns > 0 && report.Outputs.Count > 0 && !RuntimeIsOptimized)
            w.WriteLine("  warning: ModelGen.Runtime is a Debug build (JIT optimizer disabled): its latency means little; use -c Release");
        w.WriteLine($"Result       {(passed ? "PASS" : "FAIL")} (|ours - ort| <= {verify.AbsTolerance.ToString(CultureInfo.InvariantCulture)} + {verify.RelTolerance.ToString(CultureInfo.InvariantCulture)}·|ort|)");
    }

    private static string ToJson(string modelPath, VerificationReport report, VerifyOptions verify, WeightStorage storage, bool passed, string? error) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("model", modelPath);
        w.WriteBoolean("supported", report.Supported);
        w.WriteBoolean("passed", passed);
        if (error is null) w.WriteNull("error"); else w.WriteString("error", error);
        JsonOut.Diagnostics(w, report.Diagnostics);
        w.WriteStartArray("outputs");
        foreach (var o in report.Outputs)
        {
            w.WriteStartObject();
            w.WriteString("name", o.Name);
            JsonOut.Number(w, "maxAbsDiff", o.MaxAbsDiff);
            JsonOut.Number(w, "maxRelDiff", o.MaxRelDiff);
            w.WriteBoolean("withinTolerance", o.WithinTolerance);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        // Steady-state medians (0 when not timed), as before; "latency" has the details.
        JsonOut.Number(w, "generatedMicros", report.GeneratedMicros);
        JsonOut.Number(w, "onnxRuntimeMicros", report.OnnxRuntimeMicros);
        w.WriteNumber("runs", verify.TimingRuns);
        w.WriteStartObject("latency");
        Latency(w, "generated", report.Generated);
        Latency(w, "onnxRuntime", report.OnnxRuntime);
        w.WriteEndObject();
        w.WriteBoolean("runtimeOptimized", RuntimeIsOptimized);
        w.WriteNumber("seed", verify.Seed);
        w.WriteNumber("intMax", verify.IntMax);
        w.WriteNumber("atol", verify.AbsTolerance);
        w.WriteNumber("rtol", verify.RelTolerance);
        w.WriteString("weightStorage", storage == WeightStorage.Literals ? "literals" : "resource");
        w.WriteEndObject();
    }) + "\n";

    /// <summary>One engine's latencies in microseconds; null where not measured (no run, or --runs 0).</summary>
    private static void Latency(System.Text.Json.Utf8JsonWriter w, string name, LatencyReport? l)
    {
        w.WriteStartObject(name);
        bool timed = l is { Runs: > 0 };
        JsonOut.Number(w, "firstCallMicros", l?.FirstCallMicros);
        JsonOut.Number(w, "calls2To11MedianMicros", timed ? l!.EarlyMedianMicros : null);
        JsonOut.Number(w, "steadyMicros", timed ? l!.SteadyMicros : null);
        JsonOut.Number(w, "steadyCalls", timed ? l!.Runs : (long?)null);
        JsonOut.Number(w, "warmupCalls", timed ? l!.WarmupCalls : (long?)null);
        JsonOut.Number(w, "warmupMilliseconds", timed ? l!.WarmupMilliseconds : null);
        if (timed) w.WriteBoolean("settled", l!.Settled); else w.WriteNull("settled");
        w.WriteEndObject();
    }
}
