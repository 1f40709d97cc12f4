using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelGen.Compression;
using ModelGen.Onnx.Proto;

namespace ModelGen.Cli;

/// <summary>
/// `modelgen compress IN.onnx OUT.onnx --int8 | --int4 | --binary | --xnor | --prune S | --lowrank E | --pq DxK ...`: the
/// same compressor the generator runs for Compression="..." metadata, writing standard ONNX that ONNX Runtime runs.
/// </summary>
public static class CompressCommand
{
    public static readonly OptionSpec Int8 = new("--int8", null, null, "per-channel int8 weights, dynamic uint8 activations (ONNX Runtime's quantize_dynamic form)");
    public static readonly OptionSpec Int8Static = new("--int8-static", null, null, "static QDQ (ONNX Runtime's quantize_static form): per-channel int8 weights, uint8\nactivations with calibrated scales, int32 biases");
    public static readonly OptionSpec CalibrationData = new("--calibration", null, "FILE.csv", "--int8-static: calibration examples, one per line (the model input's values in\nrow-major order; a leading label column is dropped). Default: seeded random inputs");
    public static readonly OptionSpec CalibrationSamples = new("--calibration-samples", null, "N", "--int8-static: examples to calibrate on (default 32; the first N lines of the CSV)");
    public static readonly OptionSpec Int4 = new("--int4", null, null, "weight-only per-channel int4 behind DequantizeLinear (int8 storage below opset 21)");
    public static readonly OptionSpec Binary = new("--binary", null, null, "XNOR-Net weights α·sign(W), α = mean |W| per output channel");
    public static readonly OptionSpec Xnor = new("--xnor", null, null, "binary weights and a Sign on each binarized layer's input");
    public static readonly OptionSpec Prune = new("--prune", null, "S", "magnitude pruning of each layer to sparsity S (0 < S < 1)");
    public static readonly OptionSpec PruneFilters = new("--prune-filters", null, "S", "zero the fraction S of each layer's filters with the smallest L1 norm");
    public static readonly OptionSpec LowRank = new("--lowrank", null, "E", "SVD: two thin layers keeping energy E (0 < E <= 1) where that saves weights");
    public static readonly OptionSpec Pq = new("--pq", null, "DxK", "product quantization: sub-vectors of D weights, K <= 256 centroids per sub-space");
    public static readonly OptionSpec Cluster = new("--cluster", null, "K", "weight sharing: K <= 256 values per layer (1-D k-means)");
    public static readonly OptionSpec Spec = new("--compression", null, "TEXT", "the Compression metadata text instead of the flags, e.g. \"lowrank=0.9;int8\"");
    public static readonly OptionSpec Keep = new("--keep", null, "NAMES", "layers to leave float: node or weight names, first, last, none\n(default for --binary/--xnor: first,last)");
    public static readonly OptionSpec Seed = new("--seed", null, "N", "seed of the random inputs of the deviation check (default 42)");
    public static readonly OptionSpec NoCheck = new("--no-check", null, null, "skip running IN and OUT with ONNX Runtime");

    public static readonly IReadOnlyList<OptionSpec> Options = new[]
    {
        Int8, Int8Static, CalibrationData, CalibrationSamples, Int4, Binary, Xnor, Prune, PruneFilters, LowRank, Pq, Cluster, Spec, Keep, CommonOptions.Shape, Seed, NoCheck, CommonOptions.Help,
    };

    public static string Usage =>
        "usage: modelgen compress IN.onnx OUT.onnx TECHNIQUE... [options]\n\n" +
        "Compresses the constant float weights of the model's Conv, Gemm and MatMul layers and writes the result as\n" +
        "standard ONNX (ONNX Runtime runs it; ModelGen compiles it). The same as Compression=\"...\" on an <OnnxModel>\n" +
        "item (docs/compression/compress.md). Prints a table per layer (technique, weight bytes before and after,\n" +
        "weight error ‖W−Ŵ‖/‖W‖, output deviation ‖Wx−Ŵx‖/‖Wx‖ on seeded x), then runs IN and OUT with ONNX Runtime on\n" +
        "the same seeded random inputs and prints the deviation of each output. One quantizer (int8, int4, binary, xnor,\n" +
        "pq, cluster) combines with prune or lowrank, e.g. --lowrank 0.9 --int8. --int8-static runs the float model with\n" +
        "ONNX Runtime on the calibration inputs first (min/max of every quantized tensor; CSV rows, or N seeded standard\n" +
        "normal inputs) and takes no other technique. Exit code 0 when OUT was written.\n\n" +
        "options:\n" + Arguments.Describe(Options) + "\n";

    public static int Run(Arguments args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Positionals.Count != 2) throw new UsageException(args.Positionals.Count < 2 ? "expected IN.onnx and OUT.onnx" : $"unexpected argument '{args.Positionals[2]}'");
        string input = args.Positionals[0], output = args.Positionals[1];
        var options = ParseOptions(args);
        if (options.IsEmpty) throw new UsageException("no technique given (e.g. --int8, --int4, --prune 0.8, --lowrank 0.95, --pq 4x256)");
        int seed = args.Int(Seed.Name, 42);

        var model = ModelFile.Read(input);
        if (model.Proto is null)
            throw new CliException($"{model.Name} is not an ONNX model: {string.Join("; ", model.ParseDiagnostics.Select(d => d.Message))}");

        var progress = new ProgressBar(stderr);
        ModelProto compressed;
        CompressionReport report;
        if (options.Quantization == WeightQuantization.Int8Static)
        {
            if (model.HasExternalData) throw new CliException($"{model.Name} keeps its weights in external data: --int8-static needs them in the file");
            var inputs = Calibration.InputsOf(model.Proto, Shapes(args));
            int count = args.Int(CalibrationSamples.Name, 32, min: 1);
            string? csv = args.Value(CalibrationData.Name);
            var samples = csv is null ? Calibration.Random(inputs, count, seed) : Calibration.FromCsv(inputs, Calibration.Lines(csv), csv, count);
            var tensors = ModelCompressor.CalibrationTensors(model.Proto, options);
            Dictionary<string, (float Min, float Max)> ranges;
            try
            {
                ranges = Calibration.Ranges(model.Proto, tensors, samples, progress.Report);
            }
            catch (OnnxRuntimeException e)
            {
                throw new CliException($"ONNX Runtime could not run {model.Name} for calibration: {e.Message}");
            }
            (compressed, report) = ModelCompressor.CompressCalibrated(model.Proto, options, ranges, progress.Report);
            report.Notes.Add($"calibrated on {samples.Count} {(csv is null ? $"seeded standard normal input(s) (seed {seed})" : "example(s) of " + csv)}");
        }
        else (compressed, report) = ModelCompressor.Compress(model.Proto, options, progress.Report);
        progress.Done();
        byte[] bytes = compressed.ToByteArray();
        try
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(output));
            if (dir is not null) Directory.CreateDirectory(dir);
            File.WriteAllBytes(output, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CliException($"cannot write '{output}': {e.Message}");
        }

        stdout.Write(report.Table());
        stdout.WriteLine($"wrote {output} ({CommonOptions.Bytes(bytes.LongLength)}; {model.Name} is {CommonOptions.Bytes(model.Bytes.LongLength)}), compression '{options}'");
        if (!args.Has(NoCheck.Name))
        {
            try
            {
                foreach (var line in Deviation(model.Bytes, model.HasExternalData ? model.Path : null, bytes, args, seed)) stdout.WriteLine(line);
            }
            catch (OnnxRuntimeException e)
            {
                stdout.WriteLine($"ONNX Runtime could not run the models: {e.Message}");
            }
        }
        return Commands.Success;
    }

    /// <summary>The technique flags (or --compression TEXT) as the options the generator's metadata parser gives.</summary>
    public static CompressionOptions ParseOptions(Arguments args)
    {
        var parts = new List<string>();
        string? spec = args.Value(Spec.Name);
        if (spec is not null) parts.Add(spec);
        if (args.Has(Int8.Name)) parts.Add("int8");
        if (args.Has(Int8Static.Name)) parts.Add("int8-static");
        if (args.Has(Int4.Name)) parts.Add("int4");
        if (args.Has(Binary.Name)) parts.Add("binary");
        if (args.Has(Xnor.Name)) parts.Add("xnor");
        if (args.Value(Prune.Name) is { } p) parts.Add("prune=" + p);
        if (args.Value(PruneFilters.Name) is { } pf) parts.Add("prune-filters=" + pf);
        if (args.Value(LowRank.Name) is { } lr) parts.Add("lowrank=" + lr);
        if (args.Value(Pq.Name) is { } pq) parts.Add("pq=" + pq);
        if (args.Value(Cluster.Name) is { } c) parts.Add("cluster=" + c);
        var options = CompressionOptions.Parse(string.Join(";", parts), args.Value(Keep.Name), out string error);
        return options ?? throw new UsageException(error);
    }

    private static Dictionary<string, long[]> Shapes(Arguments args) => args.Value(CommonOptions.Shape.Name) is { } text
        ? ModelGen.Configuration.ModelOptions.ParseShapes(text, "model", new List<ModelGen.Diagnostics.ModelDiagnostic>(), null).ToDictionary(s => s.Input, s => s.Shape.Select(d => (long)d).ToArray())
        : new Dictionary<string, long[]>();

    /// <summary>Runs IN and OUT with ONNX Runtime on the same seeded inputs: relative L2 deviation and max |difference| per output.</summary>
    private static IEnumerable<string> Deviation(byte[] original, string? originalPath, byte[] compressed, Arguments args, int seed)
    {
        var shapes = Shapes(args);
        var so = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var a = originalPath is not null ? new InferenceSession(originalPath, so) : new InferenceSession(original, so);
        using var b = new InferenceSession(compressed, so);
        var random = new SeededRandom(seed);
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (string name in a.InputNames)
            {
                var meta = a.InputMetadata[name];
                var shape = shapes.TryGetValue(name, out var given) ? given : meta.Dimensions.Select(d => d > 0 ? (long)d : 1L).ToArray();
                long n = shape.Aggregate(1L, (x, y) => x * y);
                OrtValue value;
                if (meta.ElementType == typeof(float)) value = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, (int)n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), shape);
                else if (meta.ElementType == typeof(long)) value = OrtValue.CreateTensorValueFromMemory(new long[n], shape);
                else if (meta.ElementType == typeof(int)) value = OrtValue.CreateTensorValueFromMemory(new int[n], shape);
                else { yield return $"deviation check skipped: input '{name}' is {meta.ElementType.Name}"; yield break; }
                names.Add(name);
                values.Add(value);
            }
            var outputs = a.OutputNames.Where(o => b.OutputNames.Contains(o)).ToList();
            using var ra = a.Run(new RunOptions(), names, values, outputs);
            using var rb = b.Run(new RunOptions(), names, values, outputs);
            for (int i = 0; i < outputs.Count; i++)
            {
                if (ra[i].GetTensorTypeAndShape().ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float) continue;
                var x = ra[i].GetTensorDataAsSpan<float>().ToArray();
                var y = rb[i].GetTensorDataAsSpan<float>().ToArray();
                double num = 0, den = 0, max = 0;
                for (int k = 0; k < Math.Min(x.Length, y.Length); k++)
                {
                    double d = (double)x[k] - y[k];
                    num += d * d;
                    den += (double)x[k] * x[k];
                    max = Math.Max(max, Math.Abs(d));
                }
                double rel = den > 0 ? Math.Sqrt(num / den) : 0;
                yield return string.Format(CultureInfo.InvariantCulture, "output '{0}': deviation of OUT from IN with ONNX Runtime (seed {1}) {2:0.00}% (‖Δ‖/‖y‖), max |Δ| {3:G4}",
                    outputs[i], seed, rel * 100, max);
            }
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <summary>A one-line progress bar on stderr for long layers (SVD sweeps, k-means), redrawn at most 10 times a second.</summary>
    private sealed class ProgressBar
    {
        private readonly TextWriter _writer;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _last = -1000;
        private bool _drawn;

        public ProgressBar(TextWriter writer) => _writer = writer;

        public void Report(string layer, double fraction)
        {
            if (_clock.ElapsedMilliseconds - _last < 100 && fraction < 1) return;
            _last = _clock.ElapsedMilliseconds;
            int filled = (int)Math.Round(Math.Max(0, Math.Min(1, fraction)) * 30);
            string name = layer.Length > 40 ? layer.Substring(0, 37) + "..." : layer;
            _writer.Write($"\r[{new string('#', filled)}{new string(' ', 30 - filled)}] {name,-40} {fraction * 100,3:0}%");
            _drawn = true;
        }

        public void Done()
        {
            if (_drawn) _writer.Write("\r" + new string(' ', 80) + "\r");
        }
    }
}
