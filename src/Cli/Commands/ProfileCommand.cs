using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Configuration;

namespace ModelGen.Cli;

/// <summary>`modelgen profile`: steady-state time per plan step beside ONNX Runtime's per-node profile, sorted by cost.</summary>
public static class ProfileCommand
{
    public static readonly OptionSpec Seconds = new("--seconds", null, "X", "measuring time per engine in seconds (default 2); warm-up runs until the JIT has settled");
    public static readonly OptionSpec Top = new("--top", null, "N", "prints the N most expensive steps (default 25; 0 for all)");

    public static readonly IReadOnlyList<OptionSpec> Options = new[]
    {
        CommonOptions.Dims, CommonOptions.Shape, CommonOptions.Bind, VerifyCommand.Value, VerifyCommand.Seed, Seconds, Top, CommonOptions.Json, CommonOptions.Help,
    };

    public static string Usage =>
        "usage: modelgen profile MODEL.onnx [options]\n\n" +
        "Compiles the model in memory with a timer around every step of its execution plan (a fused group such as\n" +
        "Conv + BatchNormalization + Relu counts as one step), warms up until the JIT has settled (no method compiled\n" +
        "during a batch of runs), then times it on seeded random inputs; ONNX Runtime (one intra-op thread) runs the same\n" +
        "inputs with its own per-node profiler. Prints the steps sorted by our time, ONNX Runtime's time for the same\n" +
        "nodes, and GFLOP/s for steps that multiply-add (convolutions, matrix products).\n\n" +
        "options:\n" + Arguments.Describe(Options) + "\n";

    public static int Run(Arguments args, TextWriter stdout, TextWriter stderr)
    {
        string path = args.Single("model file (MODEL.onnx)");
        var model = ModelFile.Read(path);
        var storage = model.InitializerBytes > ModelCompiler.LargeWeightBytes ? WeightStorage.Resource : WeightStorage.Literals;
        var options = CommonOptions.Build(args, path, ModelFile.ClassNameFor(path), "ModelGen.Profile", storage);
        var verify = new VerifyOptions { Seed = args.Int(VerifyCommand.Seed.Name, 42), Values = args.NamedNumbers(VerifyCommand.Value.Name) };
        double seconds = args.Double(Seconds.Name, 2, min: 0.05);
        int top = args.Int(Top.Name, 25, min: 0);
        var report = Profiler.Profile(model.Bytes, model.Path, options, verify, model.HasExternalData, seconds);
        if (args.Has(CommonOptions.Json.Name)) stdout.Write(ToJson(report));
        else Print(report, top, stdout);
        return Commands.Success;
    }

    private static string F(double v, string format = "F1") => v.ToString(format, CultureInfo.InvariantCulture);

    private static void Print(ProfileReport r, int top, TextWriter o)
    {
        o.WriteLine($"{r.Model}: ModelGen {F(r.OursTotalMicros)} µs per run, ONNX Runtime {F(r.OnnxRuntimeTotalMicros)} µs " +
            $"(steady state: {r.Runs} timed runs after {r.WarmupRuns} warm-up runs; one thread each)");
        o.WriteLine($"sum of our steps {F(r.Steps.Sum(s => s.OursMicros))} µs; ONNX Runtime's nodes {F(r.Steps.Sum(s => s.OnnxRuntimeMicros ?? 0) + r.OnnxRuntimeOnly.Sum(x => x.Micros))} µs");
        o.WriteLine();
        o.WriteLine($"{"ours µs",10} {"share",6} {"ORT µs",10} {"GFLOP/s",8}  step");
        double total = Math.Max(r.Steps.Sum(s => s.OursMicros), 1e-9);
        foreach (var s in top > 0 ? r.Steps.Take(top) : r.Steps)
            o.WriteLine($"{F(s.OursMicros),10} {F(100 * s.OursMicros / total) + "%",6} {(s.OnnxRuntimeMicros is { } ort ? F(ort) : "-"),10} {(s.Gflops is { } g ? F(g) : ""),8}  {s.Description}");
        if (top > 0 && r.Steps.Count > top) o.WriteLine($"... {r.Steps.Count - top} more steps ({F(r.Steps.Skip(top).Sum(s => s.OursMicros))} µs)");
        if (r.OnnxRuntimeOnly.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("ONNX Runtime nodes with no step of the same name (its own layout reorders or fused renames):");
            foreach (var (node, op, micros) in r.OnnxRuntimeOnly.Take(top > 0 ? top : int.MaxValue))
                o.WriteLine($"{"",10} {"",6} {F(micros),10} {"",8}  {op} '{node}'");
        }
    }

    private static string ToJson(ProfileReport r) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("model", r.Model);
        w.WriteNumber("runs", r.Runs);
        w.WriteNumber("warmupRuns", r.WarmupRuns);
        w.WriteNumber("modelgenMicros", r.OursTotalMicros);
        w.WriteNumber("onnxRuntimeMicros", r.OnnxRuntimeTotalMicros);
        w.WriteStartArray("steps");
        foreach (var s in r.Steps)
        {
            w.WriteStartObject();
            w.WriteNumber("group", s.Group);
            w.WriteString("description", s.Description);
            w.WriteStartArray("nodes");
            foreach (var n in s.Nodes) w.WriteStringValue(n);
            w.WriteEndArray();
            w.WriteNumber("modelgenMicros", s.OursMicros);
            if (s.OnnxRuntimeMicros is { } ort) w.WriteNumber("onnxRuntimeMicros", ort); else w.WriteNull("onnxRuntimeMicros");
            w.WriteNumber("macs", s.Macs);
            if (s.Gflops is { } g) w.WriteNumber("gflops", g);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("onnxRuntimeOnly");
        foreach (var (node, op, micros) in r.OnnxRuntimeOnly)
        {
            w.WriteStartObject();
            w.WriteString("node", node);
            w.WriteString("opType", op);
            w.WriteNumber("onnxRuntimeMicros", micros);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });
}
