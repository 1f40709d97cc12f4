using System;
using System.IO;
using System.Text.Json;
using ModelGen.Cli;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Cli;

/// <summary>`modelgen evaluate` on the Digits sample's model and held-out data, whose accuracy PyTorch recorded.</summary>
[Trait("Category", "Cli")]
public sealed class EvaluateCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "modelgen-evaluate-tests", Guid.NewGuid().ToString("N"));
    private static string Sample(params string[] parts) => Path.Combine(RepoPaths.Root, "samples", "Digits", Path.Combine(parts));

    public EvaluateCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = Commands.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Digits_accuracy_is_what_PyTorch_measured_for_both_engines()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Sample("data", "expected.json")));
        int correct = expected.RootElement.GetProperty("heldoutCorrect").GetInt32();
        int count = expected.RootElement.GetProperty("heldoutCount").GetInt32();

        var (code, output, error) = Run("evaluate", Sample("digits.onnx"), "--data", Sample("data", "heldout.csv"), "--json");

        Assert.True(code == 0, error);
        using var report = JsonDocument.Parse(output);
        var root = report.RootElement;
        Assert.Equal(count, root.GetProperty("examples").GetInt32());
        Assert.Equal(correct, root.GetProperty("modelgenCorrect").GetInt32());
        Assert.Equal(correct, root.GetProperty("onnxRuntimeCorrect").GetInt32());
        Assert.Equal(count, root.GetProperty("agree").GetInt32());
        Assert.True(root.GetProperty("maxAbsDiff").GetDouble() < 1e-3);
        Assert.True(root.GetProperty("generatedWeightBytes").GetInt64() > 0);
    }

    /// <summary>tools/train_bnn.py's binarized network runs on XNOR kernels and keeps the accuracy PyTorch measured.</summary>
    [Theory]
    [InlineData("digits_bnn", true)]
    [InlineData("digits_bnn_float", false)]
    public void Binarized_digits_network_keeps_its_accuracy(string name, bool binary)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Sample("models", "expected.json")));
        int correct = expected.RootElement.GetProperty(name).GetProperty("heldoutCorrect").GetInt32();

        var (code, output, error) = Run("evaluate", Sample("models", name + ".onnx"), "--data", Sample("data", "heldout.csv"), "--json");

        Assert.True(code == 0, error);
        using var report = JsonDocument.Parse(output);
        var root = report.RootElement;
        Assert.Equal(correct, root.GetProperty("modelgenCorrect").GetInt32());
        Assert.Equal(correct, root.GetProperty("onnxRuntimeCorrect").GetInt32());
        Assert.Equal(root.GetProperty("examples").GetInt32(), root.GetProperty("agree").GetInt32());
        int xnorLayers = 0;
        foreach (var layer in root.GetProperty("compression").EnumerateArray())
            if (layer.GetString()!.Contains(": xnor,", StringComparison.Ordinal)) xnorLayers++;
        Assert.Equal(binary ? 2 : 0, xnorLayers);
        // Two binary layers of 64·128·9 and 128·128·9 weights: 1 bit each plus α per channel, about 1/32 of their floats.
        if (binary) Assert.True(root.GetProperty("generatedWeightBytes").GetInt64() < root.GetProperty("fileWeightBytes").GetInt64() / 10);
    }

    [Fact]
    public void A_line_of_the_wrong_length_is_reported_with_its_number()
    {
        string data = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(data, "# comment\n3," + string.Join(",", new string('0', 64).ToCharArray()) + "\n1,0.5,0.5\n");

        var (code, _, error) = Run("evaluate", Sample("digits.onnx"), "--data", data);

        Assert.Equal(1, code);
        Assert.Contains("line 3", error);
        Assert.Contains("takes 64", error);
    }

    [Fact]
    public void Missing_data_option_is_a_usage_error()
    {
        var (code, _, error) = Run("evaluate", Sample("digits.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("--data", error);
    }
}
