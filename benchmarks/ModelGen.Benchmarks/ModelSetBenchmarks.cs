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
/// random floats in [-1, 1]; the global setup checks that both engines' outputs agree and throws if not.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ModelSetConfig))]
public class ModelSetBenchmarks
{
    private const double AbsTolerance = 1e-4, RelTolerance = 1e-3;

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    public static IEnumerable<string> Models() => ModelSet.Names();

    private IOnnxModel _model = null!;
    private Array[] _inputs = null!, _outputs = null!;

    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtIoBinding _binding = null!;
    private readonly List<OrtValue> _ortValues = new();
    private float[][] _ortOutputs = null!;

    [GlobalSetup(Target = nameof(ModelGenPredict))]
    public void SetupModelGen()
    {
        Setup();
        SettleJit("ModelGen", ModelGenPredict);
    }

    [GlobalSetup(Target = nameof(OnnxRuntimeRunWithBinding))]
    public void SetupOnnxRuntime()
    {
        Setup();
        SettleJit("ONNX Runtime", OnnxRuntimeRunWithBinding);
    }

    private void Setup()
    {
        string path = ModelSet.PathOf(Model);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} not found: run /usr/bin/python3 tools/make_model_set.py, or set {ModelSet.FolderVariable}", path);

        _model = GeneratedModel.Compile(path);
        var random = new Random(42);
        _inputs = _model.Inputs.Select(i => (Array)RandomFloats(i, random)).ToArray();
        _outputs = _model.Outputs.Select(o => (Array)Floats(o)).ToArray();

        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(path, options);
        _runOptions = new RunOptions();
        _binding = _session.CreateIoBinding();
        foreach (var (info, k) in _model.Inputs.Select((info, k) => (info, k)))
        {
            // ONNX Runtime reads its own copy of the same input, so neither engine can see the other's buffers.
            var value = OrtValue.CreateTensorValueFromMemory(((float[])_inputs[k]).ToArray(), ToLongs(info.Shape));
            _ortValues.Add(value);
            _binding.BindInput(info.OnnxName, value);
        }
        _ortOutputs = _model.Outputs.Select(o => new float[o.Length]).ToArray();
        foreach (var (info, k) in _model.Outputs.Select((info, k) => (info, k)))
        {
            var value = OrtValue.CreateTensorValueFromMemory(_ortOutputs[k], ToLongs(info.Shape));
            _ortValues.Add(value);
            _binding.BindOutput(info.OnnxName, value);
        }

        // Both engines must agree before their speeds mean anything.
        ModelGenPredict();
        OnnxRuntimeRunWithBinding();
        for (int k = 0; k < _outputs.Length; k++)
        {
            var ours = (float[])_outputs[k];
            var theirs = _ortOutputs[k];
            for (int i = 0; i < ours.Length; i++)
                if (!(Math.Abs(ours[i] - theirs[i]) <= AbsTolerance + RelTolerance * Math.Abs(theirs[i])))
                    throw new InvalidOperationException(
                        $"{Model}: output '{_model.Outputs[k].OnnxName}' element {i}: ModelGen {ours[i]}, ONNX Runtime {theirs[i]} (allowed {AbsTolerance} + {RelTolerance}·|ort|)");
        }
    }

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
    /// Runs the engine in rounds of at least <see cref="RoundCalls"/> calls (or <see cref="RoundTime"/>), each followed
    /// by a pause for the background tier-1 compiler (its call-counting delay is 100 ms), until the number of methods the
    /// JIT has compiled stays the same for two rounds in a row: from then on tiering has nothing left to do for these
    /// calls, and BenchmarkDotNet's own pilot and warm-up stages measure settled code. Prints what it saw.
    /// </summary>
    private void SettleJit(string engine, Action run)
    {
        const int RoundCalls = 40, MaxRounds = 12;
        var roundTime = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();
        long calls = 0;
        int stable = 0, rounds = 0;
        long last = System.Runtime.JitInfo.GetCompiledMethodCount();
        var counts = new List<long> { last };
        while (stable < 2 && rounds < MaxRounds)
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

    private static float[] Floats(TensorInfo info) =>
        info.ElementType == typeof(float)
            ? new float[info.Length]
            : throw new NotSupportedException($"ModelSetBenchmarks handles float tensors only; '{info.OnnxName}' is {info.ElementType.Name}");

    private static float[] RandomFloats(TensorInfo info, Random random)
    {
        var values = Floats(info);
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    private static long[] ToLongs(int[] shape) => shape.Select(d => (long)d).ToArray();
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
