using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Configuration;

namespace ModelGen.Cli;

/// <summary>
/// `modelgen evaluate`: top-1 accuracy of a classifier on labelled data, ModelGen beside ONNX Runtime, with the weight
/// bytes the generated code stores. Made to compare a float model with its compressed variants on real data.
/// </summary>
public static class EvaluateCommand
{
    public static readonly OptionSpec Data = new("--data", null, "FILE.csv",
        "labelled examples, one per line: the class index, then the model input's values in row-major order ('#' starts a comment)");

    public static readonly IReadOnlyList<OptionSpec> Options = new[] { Data, CommonOptions.Dims, CommonOptions.Shape, CommonOptions.Bind, CommonOptions.Json, CommonOptions.Help };

    public static string Usage =>
        "usage: modelgen evaluate MODEL.onnx --data FILE.csv [options]\n\n" +
        "Compiles the model in memory and runs it, and ONNX Runtime on the same file, on every example of FILE.csv.\n" +
        "The model must have one float input whose element count equals the values per line; the predicted class is\n" +
        "the index of the largest value of the first output. Prints both engines' top-1 accuracy, how many predictions\n" +
        "agree, the largest difference between their outputs, the bytes of weights in the generated code beside the\n" +
        "initializer bytes of the file, and the layers the compiler stored compressed.\n" +
        "Exit code 0 when both engines ran, 1 otherwise.\n\n" +
        "options:\n" + Arguments.Describe(Options) + "\n";

    public sealed record Report(string Model, int Examples, int OursCorrect, int OnnxRuntimeCorrect, int Agree, double MaxAbsDiff,
        long FileWeightBytes, long GeneratedWeightBytes, IReadOnlyList<string> Compression);

    public static int Run(Arguments args, TextWriter stdout, TextWriter stderr)
    {
        string path = args.Single("model file (MODEL.onnx)");
        string dataPath = args.Value(Data.Name) ?? throw new UsageException("--data FILE.csv is required");
        var options = CommonOptions.Build(args, path, ModelFile.ClassNameFor(path), "ModelGen.Evaluate", WeightStorage.Literals);
        var model = ModelFile.Read(path);
        if (!File.Exists(dataPath)) throw new CliException($"no such file: {dataPath}");
        var report = Evaluate(model, options, File.ReadLines(dataPath));
        if (args.Has(CommonOptions.Json.Name)) stdout.Write(ToJson(report));
        else Print(report, stdout);
        return Commands.Success;
    }

    public static Report Evaluate(ModelFile file, ModelOptions options, IEnumerable<string> lines)
    {
        var compiled = ModelCompiler.Compile(file.Bytes, file.Path, options);
        if (!compiled.Success)
            throw new CliException("the model does not compile: " + string.Join("; ", compiled.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Select(d => d.Id + " " + d.Message)));
        var model = InMemoryModel.Load(compiled, options);
        if (model.Inputs.Count != 1 || model.Inputs[0].ElementType != typeof(float))
            throw new CliException($"evaluate needs a model with one float input; this one has {model.Inputs.Count} input(s)");
        var input = model.Inputs[0];
        var outputs = model.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        if (model.Outputs[0].ElementType != typeof(float)) throw new CliException("evaluate needs a float first output (class scores)");
        using var oracle = new OnnxRuntimeOracle(file.Bytes, file.HasExternalData ? file.Path : null);
        var x = new float[input.Length];
        using var bound = oracle.Bind(new[] { (input.OnnxName, (Array)x, input.Shape) }, model.Outputs.Select(o => (o.OnnxName, o.ElementType, o.Shape)).ToList());

        int examples = 0, ours = 0, theirs = 0, agree = 0;
        double maxDiff = 0;
        int lineNumber = 0;
        foreach (var raw in lines)
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split(',');
            if (fields.Length != input.Length + 1)
                throw new CliException($"line {lineNumber}: {fields.Length - 1} values after the label; the input '{input.OnnxName}' takes {input.Length}");
            if (!int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label))
                throw new CliException($"line {lineNumber}: the label '{fields[0]}' is not an integer");
            for (int i = 0; i < x.Length; i++)
                if (!float.TryParse(fields[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out x[i]))
                    throw new CliException($"line {lineNumber}: '{fields[i + 1]}' is not a number");
            model.Run(new Array[] { x }, outputs);
            bound.Run();
            var a = (float[])outputs[0];
            var b = (float[])bound.Outputs[0];
            int pa = ArgMax(a), pb = ArgMax(b);
            examples++;
            if (pa == label) ours++;
            if (pb == label) theirs++;
            if (pa == pb) agree++;
            for (int i = 0; i < a.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs((double)a[i] - b[i]));
        }
        if (examples == 0) throw new CliException("the data file has no examples");
        var compression = compiled.Plan?.Compression.Select(c => $"{c.OpType} '{c.Node}': {c.Technique}, {CommonOptions.Bytes(c.DenseBytes)} -> {CommonOptions.Bytes(c.StoredBytes)}").ToList()
            ?? new List<string>();
        return new Report(file.Name, examples, ours, theirs, agree, maxDiff, file.InitializerBytes, compiled.WeightBytes, compression);
    }

    private static int ArgMax(float[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static string Percent(int n, int of) => (100.0 * n / of).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    private static void Print(Report r, TextWriter o)
    {
        o.WriteLine($"Model        {r.Model}");
        o.WriteLine($"Examples     {r.Examples}");
        o.WriteLine($"Accuracy     ModelGen {r.OursCorrect}/{r.Examples} = {Percent(r.OursCorrect, r.Examples)}, ONNX Runtime {r.OnnxRuntimeCorrect}/{r.Examples} = {Percent(r.OnnxRuntimeCorrect, r.Examples)}");
        o.WriteLine($"Agreement    {r.Agree}/{r.Examples} predictions equal; largest output difference {r.MaxAbsDiff.ToString("0.###e+00", CultureInfo.InvariantCulture)}");
        o.WriteLine($"Weights      {CommonOptions.Bytes(r.GeneratedWeightBytes)} in the generated code ({CommonOptions.Bytes(r.FileWeightBytes)} of initializers in the file)");
        foreach (var c in r.Compression) o.WriteLine($"  {c}");
    }

    private static string ToJson(Report r) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("model", r.Model);
        w.WriteNumber("examples", r.Examples);
        w.WriteNumber("modelgenCorrect", r.OursCorrect);
        w.WriteNumber("onnxRuntimeCorrect", r.OnnxRuntimeCorrect);
        w.WriteNumber("agree", r.Agree);
        w.WriteNumber("maxAbsDiff", r.MaxAbsDiff);
        w.WriteNumber("fileWeightBytes", r.FileWeightBytes);
        w.WriteNumber("generatedWeightBytes", r.GeneratedWeightBytes);
        w.WriteStartArray("compression");
        foreach (var c in r.Compression) w.WriteStringValue(c);
        w.WriteEndArray();
        w.WriteEndObject();
    }) + "\n";
}
