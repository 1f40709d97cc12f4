using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using ModelGen.Configuration;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Onnx.Proto;
using ModelGen.Runtime;
using Xunit;

namespace ModelGen.Tests.Samples;

/// <summary>
/// The Digits sample end to end: samples/Digits/digits.onnx (trained by tools/train_digits.py) compiled by ModelGen must
/// classify every held-out image like ONNX Runtime does, and reach exactly the accuracy PyTorch recorded at training.
/// </summary>
[Trait("Category", "Samples")]
public class DigitsSampleTests
{
    private const double AbsTolerance = 1e-4;
    private const double RelTolerance = 1e-3;

    [Fact]
    public void Committed_model_has_the_ops_the_training_script_recorded()
    {
        var sample = DigitsSample.Load();
        var model = ModelProto.Parser.ParseFrom(sample.ModelBytes);
        var ops = model.Graph.Node.Select(n => n.OpType).Distinct().OrderBy(o => o, StringComparer.Ordinal).ToArray();
        Assert.Equal(sample.Expected.Ops, ops);
        Assert.Equal(sample.Expected.HeldoutCount, sample.Labels.Length);
    }

    [Fact]
    public void Every_heldout_prediction_matches_onnx_runtime_and_accuracy_matches_pytorch()
    {
        var sample = DigitsSample.Load();
        var options = ModelOptions.Default("DigitsModel", "Digits.Models");
        var result = ModelCompiler.Compile(sample.ModelBytes, sample.ModelPath, options);
        Assert.True(result.Success, "ModelGen rejected digits.onnx: " + string.Join("; ", result.Diagnostics));
        var model = InMemoryModel.Load(result, options);

        Assert.Single(model.Inputs);
        Assert.Single(model.Outputs);
        Assert.Equal(new[] { 1, 1, 8, 8 }, model.Inputs[0].Shape);
        Assert.Equal(new[] { 1, 10 }, model.Outputs[0].Shape);
        int pixelsPerImage = model.Inputs[0].Length, classes = model.Outputs[0].Length;

        // Arrays are reused for every image; ONNX Runtime's input and output are bound to its own pair once.
        var ours = new float[classes];
        var input = new float[pixelsPerImage];
        using var oracle = new OnnxRuntimeOracle(sample.ModelBytes, sample.ModelPath);
        var ortInput = new float[pixelsPerImage];
        using var bound = oracle.Bind(
            new[] { (model.Inputs[0].OnnxName, (Array)ortInput, model.Inputs[0].Shape) },
            new[] { (model.Outputs[0].OnnxName, typeof(float), model.Outputs[0].Shape) });
        var theirs = (float[])bound.Outputs[0];
        var modelInputs = new Array[] { input };
        var modelOutputs = new Array[] { ours };

        int correct = 0;
        var perClassCorrect = new int[classes];
        var disagreements = new List<string>();
        double maxAbs = 0;
        for (int i = 0; i < sample.Labels.Length; i++)
        {
            sample.Pixels.AsSpan(i * pixelsPerImage, pixelsPerImage).CopyTo(input);
            input.CopyTo(ortInput);
            model.Run(modelInputs, modelOutputs);
            bound.Run();

            int predicted = ArgMax(ours), expected = ArgMax(theirs);
            bool logitsClose = true;
            for (int c = 0; c < classes; c++)
            {
                double diff = Math.Abs(ours[c] - (double)theirs[c]);
                maxAbs = Math.Max(maxAbs, diff);
                if (!(diff <= AbsTolerance + RelTolerance * Math.Abs(theirs[c]))) logitsClose = false;
            }
            if (predicted != expected || !logitsClose)
                disagreements.Add(string.Format(CultureInfo.InvariantCulture, "image {0} (label {1}): ModelGen class {2} [{3}], ONNX Runtime class {4} [{5}]",
                    i, sample.Labels[i], predicted, Format(ours), expected, Format(theirs)));
            if (predicted == sample.Labels[i])
            {
                correct++;
                perClassCorrect[sample.Labels[i]]++;
            }
        }

        Assert.True(disagreements.Count == 0,
            $"{disagreements.Count} of {sample.Labels.Length} images differ from ONNX Runtime (max |diff| {maxAbs:G4}):\n" + string.Join("\n", disagreements.Take(10)));
        Assert.Equal(sample.Expected.HeldoutCount, sample.Labels.Length);
        Assert.Equal(sample.Expected.HeldoutCorrect, correct);
        for (int c = 0; c < classes; c++)
            Assert.True(sample.Expected.PerClassCorrect[c] == perClassCorrect[c],
                $"class {c}: ModelGen {perClassCorrect[c]} correct, PyTorch {sample.Expected.PerClassCorrect[c]}");
    }

    private static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    private static string Format(float[] values) => string.Join(", ", values.Select(v => v.ToString("G5", CultureInfo.InvariantCulture)));
}

/// <summary>The committed files of samples/Digits: model, held-out images and what PyTorch measured.</summary>
internal sealed class DigitsSample
{
    public string ModelPath { get; private init; } = "";
    public byte[] ModelBytes { get; private init; } = Array.Empty<byte>();
    public int[] Labels { get; private init; } = Array.Empty<int>();
    /// <summary>Image i's 64 scaled pixels are Pixels[i*64 .. i*64+63].</summary>
    public float[] Pixels { get; private init; } = Array.Empty<float>();
    public DigitsExpectation Expected { get; private init; } = null!;

    public const int PixelsPerImage = 64;

    public static DigitsSample Load()
    {
        string folder = Path.Combine(RepoRoot(), "samples", "Digits");
        string modelPath = Path.Combine(folder, "digits.onnx");
        var labels = new List<int>();
        var pixels = new List<float>();
        foreach (var line in File.ReadLines(Path.Combine(folder, "data", "heldout.csv"), Encoding.ASCII))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split(',');
            if (fields.Length != PixelsPerImage + 1) throw new FormatException($"heldout.csv line {labels.Count + 1}: {fields.Length} fields");
            labels.Add(int.Parse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture));
            for (int j = 1; j < fields.Length; j++) pixels.Add(float.Parse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        return new DigitsSample
        {
            ModelPath = modelPath,
            ModelBytes = File.ReadAllBytes(modelPath),
            Labels = labels.ToArray(),
            Pixels = pixels.ToArray(),
            Expected = DigitsExpectation.Read(Path.Combine(folder, "data", "expected.json")),
        };
    }

    /// <summary>The folder holding ModelGen.sln, found by walking up from the test assembly.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModelGen.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("no ModelGen.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>samples/Digits/data/expected.json, written by tools/train_digits.py from PyTorch's own predictions.</summary>
internal sealed record DigitsExpectation(string[] Ops, int HeldoutCount, int HeldoutCorrect, int[] PerClassCorrect)
{
    public static DigitsExpectation Read(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        var perClass = root.GetProperty("heldoutPerClass");
        var correct = Enumerable.Range(0, 10).Select(c => perClass.GetProperty(c.ToString(CultureInfo.InvariantCulture)).GetProperty("correct").GetInt32()).ToArray();
        return new DigitsExpectation(
            root.GetProperty("ops").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            root.GetProperty("heldoutCount").GetInt32(),
            root.GetProperty("heldoutCorrect").GetInt32(),
            correct);
    }
}
