using System;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelGen.Cli.Verification;
using ModelGen.Tests.Generator;
using Xunit;
using Xunit.Abstractions;

namespace ModelGen.Tests.Packaging;

/// <summary>
/// Weights as an embedded resource through the package, as a user gets it: the build task writes the blob to obj/ and
/// embeds it, the generator checks its hash, the program reads it in place. Slow (a 46 MB model): two tests.
/// </summary>
[Trait("Category", "Packaging")]
[Collection(PackageFeed.Collection)]
public class WeightsPackageTests
{
    private readonly ITestOutputHelper _output;
    private readonly PackageFeed _feed;

    public WeightsPackageTests(PackageFeed feed, ITestOutputHelper output)
    {
        _feed = feed;
        _output = output;
    }

    private const string Program = """
        using System.Globalization;
        using Consumer.Models;

        var model = new Big();
        var x = new float[Big.InputLength];
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Sin(i * 0.1f);
        var y = model.Predict(x);
        Console.WriteLine(string.Join(" ", y.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        """;

    private string Run(string file, string arguments, string workingDirectory, bool mayFail = false) =>
        PackageFeed.Run(_output, file, arguments, workingDirectory, mayFail);

    private static void AssertMatchesOnnxRuntime(byte[] model, int width, string stdout)
    {
        var ours = stdout.Trim().Split(' ').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        using var oracle = new OnnxRuntimeOracle(model);
        var x = WeightsModels.Input(width);
        var theirs = (float[])oracle.Run(new[] { ("x", (Array)x, new[] { 1, width }) }, new[] { ("y", typeof(float), new[] { 1, width }) })[0];
        Assert.Equal(theirs.Length, ours.Length);
        for (int i = 0; i < ours.Length; i++)
            Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-4f + 1e-4f * Math.Abs(theirs[i]), $"y[{i}]: {ours[i]} vs ONNX Runtime {theirs[i]}");
    }

    [Fact]
    public void A_46_MB_model_builds_through_the_package_into_a_resource_and_runs_like_onnx_runtime()
    {
        const int layers = 11, width = 1024;
        using var temp = new TempFolder("modelgen-weights");
        string app = Path.Combine(temp.Path, "consumer");
        _feed.WriteConsumer(app, Path.Combine(temp.Path, "packages"),
            """<OnnxModel Include="models/big.onnx" ClassName="Big" Namespace="Consumer.Models" />""",
            "<EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>");
        byte[] model = WeightsModels.GemmChain(layers, width);
        Assert.InRange(model.Length, 45_000_000, 48_000_000);
        Directory.CreateDirectory(Path.Combine(app, "models"));
        File.WriteAllBytes(Path.Combine(app, "models", "big.onnx"), model);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

        string build = Run("dotnet", "build -c Release -v:n", app);
        Assert.DoesNotContain("MG0301", build);
        Assert.Contains("Consumer.Models.Big.weights", build); // the task's message: blob written, resource named

        string obj = Path.Combine(app, "obj", "Release", "net10.0");
        var blob = Directory.GetFiles(Path.Combine(obj, "modelgen"), "*.weights").Single();
        Assert.InRange(new FileInfo(blob).Length, layers * width * width * 4L, model.Length + 1_000_000L);
        var generated = Directory.GetFiles(Path.Combine(obj, "generated"), "*.g.cs", SearchOption.AllDirectories).Single(f => f.EndsWith("Consumer.Models.Big.g.cs", StringComparison.Ordinal));
        string source = File.ReadAllText(generated);
        Assert.Contains("WeightBlob.FromResource(typeof(Big).Assembly, \"Consumer.Models.Big.weights\"", source);
        Assert.DoesNotContain("ulong[]", source);
        Assert.True(new FileInfo(Path.Combine(app, "bin", "Release", "net10.0", "Consumer.dll")).Length > layers * width * width * 4L, "the blob is not embedded in Consumer.dll");

        AssertMatchesOnnxRuntime(model, width, Run("dotnet", "run -c Release --no-build", app));

        // A one-line edit to Program.cs: the weights step is skipped (incremental), the program still runs.
        File.AppendAllText(Path.Combine(app, "Program.cs"), "\n// edited\n");
        string rebuild = Run("dotnet", "build -c Release -v:n", app);
        Assert.Contains("Skipping target \"ModelGenWriteWeights\"", rebuild);
        AssertMatchesOnnxRuntime(model, width, Run("dotnet", "run -c Release --no-build", app));
    }

    [Fact]
    public void Resource_storage_without_the_build_task_is_MG0403_and_with_it_runs()
    {
        using var temp = new TempFolder("modelgen-weights");
        string app = Path.Combine(temp.Path, "consumer");
        _feed.WriteConsumer(app, Path.Combine(temp.Path, "packages"),
            """<OnnxModel Include="models/big.onnx" ClassName="Big" Namespace="Consumer.Models" WeightStorage="Resource" />""");
        // Small (64 KB): Auto would keep literals, Resource forces the blob.
        byte[] model = WeightsModels.GemmChain(1, 128);
        Directory.CreateDirectory(Path.Combine(app, "models"));
        File.WriteAllBytes(Path.Combine(app, "models", "big.onnx"), model);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

        string failed = Run("dotnet", "build -c Release -p:ModelGenWeightsTask=false", app, mayFail: true);
        Assert.Contains("error MG0403", failed);
        Assert.Contains("'Consumer.Models.Big.weights'", failed);

        Run("dotnet", "build -c Release", app);
        AssertMatchesOnnxRuntime(model, 128, Run("dotnet", "run -c Release --no-build", app));
    }
}
