using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using ModelGen.Cli.Verification;
using ModelGen.Tests.Generator;
using Xunit;
using Xunit.Abstractions;

namespace ModelGen.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: pack ModelGen and ModelGen.Runtime into a local feed, create a console project that
/// references only ModelGen and lists a model as &lt;OnnxModel&gt;, restore (local feed + nuget.org, fresh package
/// folder), build with warnings as errors, run, and compare its output with ONNX Runtime. Slow (about a minute): one test.
/// </summary>
[Trait("Category", "Packaging")]
[Collection(PackageFeed.Collection)]
public class PackageTests
{
    private readonly ITestOutputHelper _output;
    private readonly PackageFeed _feed;

    public PackageTests(PackageFeed feed, ITestOutputHelper output)
    {
        _feed = feed;
        _output = output;
    }

    private const string Program = """
        using System.Globalization;
        using Consumer.Models;

        var model = new Tiny();
        float[] x = { 1f, -2f, 3f, -4f, 5f, 0.5f, 0.25f, -1f, 2f, 1f };
        Span<float> y = stackalloc float[Tiny.OutputLength];
        model.Predict(x, y);
        Console.WriteLine(string.Join(" ", y.ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));

        // Never runs: proves the MG1001 analyzer ships in the package (the build must warn about it).
        if (args.Length > 99) model.Predict(stackalloc float[3], y);
        """;

    [Fact]
    public void Packed_generator_builds_and_runs_a_consumer_project()
    {
        using var temp = new TempFolder("modelgen-packaging");
        string version = _feed.Version;
        using (var zip = ZipFile.OpenRead(_feed.Package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            foreach (var expected in new[]
            {
                "analyzers/dotnet/cs/ModelGen.Generator.dll", "analyzers/dotnet/cs/Google.Protobuf.dll", "analyzers/dotnet/cs/ModelGen.Analyzers.dll",
                "build/ModelGen.props", "buildTransitive/ModelGen.props",
                "build/ModelGen.Weights.targets", "buildTransitive/ModelGen.Weights.targets", "tasks/net10.0/ModelGen.Build.dll",
            })
                Assert.Contains(expected, entries);
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
            // The task loads the generator from analyzers/: no second copy that could drift from it.
            Assert.DoesNotContain(entries, e => e.StartsWith("tasks/", StringComparison.Ordinal) && e.EndsWith("ModelGen.Generator.dll", StringComparison.Ordinal));
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            Assert.Contains($"<dependency id=\"ModelGen.Runtime\" version=\"{version}\"", nuspec.ReadToEnd());
        }

        string app = Path.Combine(temp.Path, "consumer");
        Directory.CreateDirectory(Path.Combine(app, "models"));
        byte[] model = TestModels.GemmRelu();
        File.WriteAllBytes(Path.Combine(app, "models", "tiny.onnx"), model);
        _feed.WriteConsumer(app, Path.Combine(temp.Path, "packages"),
            """<OnnxModel Include="models/tiny.onnx" ClassName="Tiny" Namespace="Consumer.Models" />""",
            "<WarningsNotAsErrors>MG1001</WarningsNotAsErrors>");
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

        string build = Run("dotnet", "build -c Release", app);
        Assert.DoesNotContain("CS8784", build);
        Assert.DoesNotContain("CS8785", build);
        Assert.DoesNotContain("CS2015", build);
        Assert.Contains("warning MG1001", build);
        Assert.True(File.Exists(Path.Combine(temp.Path, "packages", "modelgen.runtime", version, "lib", "net10.0", "ModelGen.Runtime.dll")),
            "ModelGen.Runtime did not come in as a dependency of ModelGen");

        string stdout = Run("dotnet", "run -c Release --no-build", app).Trim();
        var ours = stdout.Split(' ').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        using var oracle = new OnnxRuntimeOracle(model);
        var x = new float[] { 1f, -2f, 3f, -4f, 5f, 0.5f, 0.25f, -1f, 2f, 1f };
        var theirs = (float[])oracle.Run(new[] { ("x", (Array)x, new[] { 2, 5 }) }, new[] { ("y", typeof(float), new[] { 2, 3 }) })[0];
        Assert.Equal(theirs.Length, ours.Length);
        for (int i = 0; i < ours.Length; i++)
            Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-5f + 1e-4f * Math.Abs(theirs[i]), $"y[{i}]: {ours[i]} vs ONNX Runtime {theirs[i]}");
    }

    private string Run(string file, string arguments, string workingDirectory) => PackageFeed.Run(_output, file, arguments, workingDirectory);
}
