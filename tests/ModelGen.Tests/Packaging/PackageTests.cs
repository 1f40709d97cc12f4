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
public class PackageTests
{
    private readonly ITestOutputHelper _output;

    public PackageTests(ITestOutputHelper output) => _output = output;

    private static string RepoRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));

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
        string feed = Path.Combine(temp.Path, "feed");
        string repo = RepoRoot();

        Run("dotnet", $"pack \"{Path.Combine(repo, "src", "Runtime")}\" -c Release -o \"{feed}\"", repo);
        Run("dotnet", $"pack \"{Path.Combine(repo, "src", "Generator")}\" -c Release -o \"{feed}\"", repo);

        string version = File.ReadAllText(Path.Combine(repo, "Directory.Build.props")).Split("<Version>")[1].Split("</Version>")[0];
        string package = Path.Combine(feed, $"ModelGen.{version}.nupkg");
        using (var zip = ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            foreach (var expected in new[]
            {
                "analyzers/dotnet/cs/ModelGen.Generator.dll", "analyzers/dotnet/cs/Google.Protobuf.dll", "analyzers/dotnet/cs/ModelGen.Analyzers.dll",
                "build/ModelGen.props", "buildTransitive/ModelGen.props",
            })
                Assert.Contains(expected, entries);
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            Assert.Contains($"<dependency id=\"ModelGen.Runtime\" version=\"{version}\"", nuspec.ReadToEnd());
        }

        string app = Path.Combine(temp.Path, "consumer");
        Directory.CreateDirectory(Path.Combine(app, "models"));
        byte[] model = TestModels.GemmRelu();
        File.WriteAllBytes(Path.Combine(app, "models", "tiny.onnx"), model);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <WarningsNotAsErrors>MG1001</WarningsNotAsErrors>
                <RestorePackagesPath>{Path.Combine(temp.Path, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelGen" Version="{version}" />
                <OnnxModel Include="models/tiny.onnx" ClassName="Tiny" Namespace="Consumer.Models" />
              </ItemGroup>
            </Project>
            """);
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

    private string Run(string file, string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The test host runs under `dotnet test`: don't let its MSBuild settings leak into the child builds.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(8)), $"{file} {arguments} timed out");
        process.WaitForExit();
        _output.WriteLine($"$ {file} {arguments}  (in {workingDirectory})\n{stdout}{stderr}");
        Assert.True(process.ExitCode == 0, $"{file} {arguments} failed with exit code {process.ExitCode}:\n{stdout}\n{stderr}");
        return stdout + stderr;
    }
}
