using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using Microsoft.ML.OnnxRuntime;
using ModelGen.Runtime;

namespace ModelGen.Benchmarks;

/// <summary>
/// Every model of the speed set (<see cref="ModelSet.Folder"/>, written by tools/make_model_set.py), one Predict per
/// operation, in both engines. ModelGen: the model compiled in memory (<see cref="GeneratedModel"/>), run through
/// <see cref="IOnnxModel.Run"/> on arrays allocated once (its instance arena, nothing allocated per call). ONNX Runtime:
/// one intra-op and one inter-op thread, sequential, inputs and outputs bound once with OrtIoBinding. Inputs are seeded
/// random floats in [-1, 1]; ModelGen's global setup checks that both engines' outputs agree and throws if not.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ModelSetConfig))]
public class ModelSetBenchmarks
{
    private const double RelTolerance = 1e-3;

    /// <summary>
    /// 1e-4, or $MODELGEN_MODELS_ATOL: quantized models (modelgen compress --int8) re-quantize float activations at run
    /// time, so a last-bit float difference between engines can move a value by one quantization step.
    /// </summary>
    private static readonly double AbsTolerance =
        double.TryParse(Environment.GetEnvironmentVariable("MODELGEN_MODELS_ATOL"), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out double atol) ? atol : 1e-4;

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    public static IEnumerable<string> Models() => ModelSet.Names();

    private IOnnxModel _model = null!;
    private Array[] _inputs = null!, _outputs = null!;

    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtIoBinding _binding = null!;
    private readonly List<OrtValue> _ortValues = new();
    private string[] _ortInputNames = null!, _ortOutputNames = null!;
    private float[][] _ortInputs = null!, _ortOutputs = null!;

    /// <summary>
    /// ModelGen's process: compiles the model (Roslyn, in memory), runs both engines on the same inputs and throws
    /// unless every output element agrees, then settles the JIT on ModelGen's Predict.
    /// </summary>
    [GlobalSetup(Target = nameof(ModelGenPredict))]
    public void SetupModelGen()
    {
        SetupOnnxRuntimeSession();
        _model = GeneratedModel.Compile(ModelPath());
        _inputs = _model.Inputs.Select(i => (Array)_ortInputs[IndexOf(_ortInputNames, i.OnnxName)].ToArray()).ToArray();
        _outputs = _model.Outputs.Select(o => (Array)Floats(o.OnnxName, o.ElementType, o.Length)).ToArray();

        // Both engines must agree before their speeds mean anything.
        ModelGenPredict();
        OnnxRuntimeRunWithBinding();
        for (int k = 0; k < _outputs.Length; k++)
        {
            var ours = (float[])_outputs[k];
            var theirs = _ortOutputs[IndexOf(_ortOutputNames, _model.Outputs[k].OnnxName)];
            if (ours.Length != theirs.Length)
                throw new InvalidOperationException($"{Model}: output '{_model.Outputs[k].OnnxName}' has {ours.Length} elements in ModelGen, {theirs.Length} in ONNX Runtime");
            for (int i = 0; i < ours.Length; i++)
                if (!(Math.Abs(ours[i] - theirs[i]) <= AbsTolerance + RelTolerance * Math.Abs(theirs[i])))
                    throw new InvalidOperationException(
                        $"{Model}: output '{_model.Outputs[k].OnnxName}' element {i}: ModelGen {ours[i]}, ONNX Runtime {theirs[i]} (allowed {AbsTolerance} + {RelTolerance}·|ort|)");
        }
        Console.WriteLine($"// ModelSet check: {Model}: {_outputs.Length} output(s) agree with ONNX Runtime within {AbsTolerance} + {RelTolerance}·|ort|");
        SettleJit("ModelGen", ModelGenPredict);
    }

    /// <summary>
    /// ONNX Runtime's process: the same session and inputs, without compiling ModelGen's code (the check runs in
    /// ModelGen's process), so no Roslyn warm-up competes with the measurement.
    /// </summary>
    [GlobalSetup(Target = nameof(OnnxRuntimeRunWithBinding))]
    public void SetupOnnxRuntime()
    {
        SetupOnnxRuntimeSession();
        OnnxRuntimeRunWithBinding();
        SettleJit("ONNX Runtime", OnnxRuntimeRunWithBinding);
    }

    private string ModelPath()
    {
        string path = ModelSet.PathOf(Model);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} not found: run /usr/bin/python3 tools/make_model_set.py, or set {ModelSet.FolderVariable}", path);
        return path;
    }

    /// <summary>One intra-op and one inter-op thread, sequential; every input and output bound once to a float array.
    /// Inputs: seeded random floats in [-1, 1], in graph order.</summary>
    private void SetupOnnxRuntimeSession()
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(ModelPath(), options);
        _runOptions = new RunOptions();
        _binding = _session.CreateIoBinding();
        var random = new Random(42);
        _ortInputNames = _session.InputNames.ToArray();
        _ortOutputNames = _session.OutputNames.ToArray();
        _ortInputs = new float[_ortInputNames.Length][];
        for (int k = 0; k < _ortInputNames.Length; k++)
        {
            var (values, shape) = Bind(_session.InputMetadata[_ortInputNames[k]], _ortInputNames[k]);
            for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
            _ortInputs[k] = values;
            var value = OrtValue.CreateTensorValueFromMemory(values, shape);
            _ortValues.Add(value);
            _binding.BindInput(_ortInputNames[k], value);
        }
        _ortOutputs = new float[_ortOutputNames.Length][];
        for (int k = 0; k < _ortOutputNames.Length; k++)
        {
            var (values, shape) = Bind(_session.OutputMetadata[_ortOutputNames[k]], _ortOutputNames[k]);
            _ortOutputs[k] = values;
            var value = OrtValue.CreateTensorValueFromMemory(values, shape);
            _ortValues.Add(value);
            _binding.BindOutput(_ortOutputNames[k], value);
        }
    }

    private static (float[] Values, long[] Shape) Bind(NodeMetadata metadata, string name)
    {
        var shape = metadata.Dimensions.Select(d => (long)d).ToArray();
        if (shape.Any(d => d <= 0))
            throw new NotSupportedException($"'{name}' has an open dimension [{string.Join(", ", shape)}]: the model set must have static shapes");
        long length = shape.Aggregate(1L, (a, d) => a * d);
        return (Floats(name, metadata.ElementType, (int)length), shape);
    }

    private static int IndexOf(string[] names, string name) =>
        Array.IndexOf(names, name) is var i and >= 0 ? i : throw new InvalidOperationException($"ONNX Runtime has no tensor '{name}'");

    [Benchmark(Baseline = true)]
    public void ModelGenPredict() => _model.Run(_inputs, _outputs);

    [Benchmark]
    public void OnnxRuntimeRunWithBinding() => _session.RunWithBinding(_runOptions, _binding);

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// ModelSet JIT: {Model}: {System.Runtime.JitInfo.GetCompiledMethodCount()} methods compiled at the end of the run");
        foreach (var value in _ortValues) value.Dispose();
        _binding?.Dispose();
        _runOptions?.Dispose();
        _session?.Dispose();
    }

    /// <summary>
    /// Runs the engine in rounds of at least 40 calls (fewer for slow models: a round stops after 2 s), each followed by
    /// a 300 ms pause for the background tier-1 compiler (its call-counting delay is 100 ms), until the number of methods
    /// the JIT has compiled (<see cref="System.Runtime.JitInfo.GetCompiledMethodCount"/>, all threads) stays the same
    /// for two rounds in a row, or 60 s have passed. In ModelGen's process the count also covers Roslyn's own methods
    /// being promoted in the background after the in-memory compilation; waiting for them too keeps that work out of
    /// the measurement. From then on BenchmarkDotNet's pilot, warm-up and measured iterations run settled code. Prints
    /// what it saw (the lines start with "// ModelSet JIT" in the log).
    /// </summary>
    private void SettleJit(string engine, Action run)
    {
        const int RoundCalls = 40, MaxRounds = 60;
        var maxTime = TimeSpan.FromSeconds(60);
        var roundTime = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();
        long calls = 0;
        int stable = 0, rounds = 0;
        long last = System.Runtime.JitInfo.GetCompiledMethodCount();
        var counts = new List<long> { last };
        while (stable < 2 && rounds < MaxRounds && clock.Elapsed < maxTime)
        {
            var round = Stopwatch.StartNew();
            for (int i = 0; i < RoundCalls || round.Elapsed < TimeSpan.FromMilliseconds(200); i++)
            {
                run();
                calls++;
                if (i >= RoundCalls / 4 && round.Elapsed > roundTime) break; // slow models: fewer calls per round
            }
            Thread.Sleep(300);
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            stable = now == last ? stable + 1 : 0;
            last = now;
            counts.Add(now);
            rounds++;
        }
        Console.WriteLine($"// ModelSet JIT: {Model} {engine}: {(stable >= 2 ? "settled" : "NOT settled")} after {calls} calls in {rounds} rounds, " +
                          $"{clock.Elapsed.TotalSeconds:F1} s; methods compiled after each round: {string.Join(", ", counts)}");
    }

    private static float[] Floats(string name, Type elementType, int length) =>
        elementType == typeof(float)
            ? new float[length]
            : throw new NotSupportedException($"ModelSetBenchmarks handles float tensors only; '{name}' is {elementType.Name}");
}

/// <summary>
/// The job ModelSetBenchmarks runs with unless the command line names one (--job): one launch, 6 warm-up and 5
/// measured iterations of at least 500 ms each, after the global setup has settled the JIT (see
/// ModelSetBenchmarks.SettleJit). A brief JSON report goes to BenchmarkDotNet.Artifacts/results for
/// tools/model_set_table.py.
/// </summary>
public sealed class ModelSetConfig : ManualConfig
{
    public ModelSetConfig()
    {
        if (!Program.JobOnCommandLine)
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(6).WithIterationCount(5).WithId("ModelSet"));
        AddExporter(JsonExporter.Brief);
    }
}
