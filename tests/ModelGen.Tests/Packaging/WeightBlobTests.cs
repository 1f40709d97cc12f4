using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Configuration;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Emit;
using ModelGen.Runtime;
using ModelGen.Tests.Generator;
using Xunit;

namespace ModelGen.Tests.Packaging;

/// <summary>
/// The weights blob without MSBuild: what the build task computes (BuildTaskEntry, the generator's entry point for it)
/// against what the generator emits, and the runtime's header check. The package path itself is in
/// <see cref="WeightsPackageTests"/>.
/// </summary>
[Trait("Category", "Generator")]
public class WeightBlobTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // 2 layers of 512 x 512 floats: 2 MB, above ModelCompiler.AutoResourceBytes.
    private const int Layers = 2, Width = 512;

    private static Dictionary<string, string> Metadata(string? storage = null) => new()
    {
        ["ClassName"] = "Chain",
        ["Namespace"] = "Blob.Models",
        ["WeightStorage"] = storage ?? "",
    };

    private static object?[] TaskCompile(string path, Dictionary<string, string> metadata) =>
        BuildTaskEntry.CompileWeights(path, metadata, "Blob");

    [Fact]
    public void Task_blob_and_generator_agree_and_the_model_runs_from_the_resource_like_onnx_runtime()
    {
        byte[] model = WeightsModels.GemmChain(Layers, Width);
        string path = _folder.File("chain.onnx", model);

        var task = TaskCompile(path, Metadata());
        Assert.Equal("Resource", task[0]);
        string hash = (string)task[1]!;
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal("Blob.Models.Chain.weights", task[2]);
        var blob = (byte[])task[3]!;
        Assert.True(blob.Length >= WeightBlobFormat.HeaderBytes + Layers * Width * Width * 4);
        Assert.Equal("MGWB"u8.ToArray(), blob[..4]);

        // The same compile twice gives the same bytes (the task and the generator run it separately).
        Assert.Equal(blob, (byte[])TaskCompile(path, Metadata())[3]!);

        var meta = Metadata();
        meta["ModelGenWeightsHash"] = hash;
        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, new TestOptionsProvider().With(path, meta));
        Assert.Empty(run.Diagnostics);
        string source = run.Sources.Values.Single();
        Assert.Contains($"WeightBlob.FromResource(typeof(Chain).Assembly, \"Blob.Models.Chain.weights\", {blob.Length - WeightBlobFormat.HeaderBytes}, \"{hash}\")", source);
        Assert.DoesNotContain("ulong[]", source);
        Assert.Empty(run.CompilationProblems);

        var instance = (IOnnxModel)Activator.CreateInstance(LoadWithResource(run.Output, "Blob.Models.Chain.weights", blob).GetType("Blob.Models.Chain", throwOnError: true)!)!;
        var x = WeightsModels.Input(Width);
        var y = new float[Width];
        instance.Run(new Array[] { x }, new Array[] { y });
        using var oracle = new OnnxRuntimeOracle(model);
        var expected = (float[])oracle.Run(new[] { ("x", (Array)x, new[] { 1, Width }) }, new[] { ("y", typeof(float), new[] { 1, Width }) })[0];
        for (int i = 0; i < Width; i++)
            Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-4f + 1e-4f * Math.Abs(expected[i]), $"y[{i}]: {y[i]} vs ONNX Runtime {expected[i]}");

        // A wrong resource fails loudly at first use, naming it; never wrong weights.
        var tampered = (byte[])blob.Clone();
        tampered[20] ^= 0xFF; // a byte of the header's hash
        var bad = (IOnnxModel)Activator.CreateInstance(LoadWithResource(run.Output, "Blob.Models.Chain.weights", tampered).GetType("Blob.Models.Chain", throwOnError: true)!)!;
        var e = Assert.Throws<InvalidOperationException>(() => bad.Run(new Array[] { x }, new Array[] { y }));
        Assert.Contains("'Blob.Models.Chain.weights'", e.Message);
        Assert.Contains("hash", e.Message);

        var none = (IOnnxModel)Activator.CreateInstance(LoadWithResource(run.Output, null, null).GetType("Blob.Models.Chain", throwOnError: true)!)!;
        e = Assert.Throws<InvalidOperationException>(() => none.Run(new Array[] { x }, new Array[] { y }));
        Assert.Contains("'Blob.Models.Chain.weights' is missing", e.Message);
    }

    [Theory]
    [InlineData("Literals")]
    [InlineData("Auto")]
    public void Task_writes_no_blob_for_literals_or_small_models(string storage)
    {
        string path = _folder.File("small.onnx", storage == "Auto" ? TestModels.GemmRelu() : WeightsModels.GemmChain(Layers, Width));
        var task = TaskCompile(path, Metadata(storage));
        Assert.Equal("Literals", task[0]);
        Assert.Null(task[3]);

        // The task's "none" is what the generator gets; it agrees (literals) and reports nothing.
        var meta = Metadata(storage);
        meta["ModelGenWeightsHash"] = "none";
        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, new TestOptionsProvider().With(path, meta));
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains("ulong[]", run.Sources.Values.Single());
    }

    [Fact]
    public void Task_reports_a_broken_model_as_failed_and_leaves_the_errors_to_the_generator()
    {
        string path = _folder.File("broken.onnx", new byte[] { 1, 2, 3 });
        var task = TaskCompile(path, Metadata());
        Assert.Equal("Failed", task[0]);
        Assert.Null(task[3]);
        Assert.Contains(((string[])task[4]!), m => m.Contains("MG0002", StringComparison.Ordinal));
    }

    [Fact]
    public void Auto_without_the_build_task_keeps_large_weights_as_literals()
    {
        string path = _folder.File("chain.onnx", WeightsModels.GemmChain(Layers, Width));
        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, new TestOptionsProvider().With(path, Metadata()));
        Assert.Empty(run.Diagnostics);
        Assert.Contains("ulong[]", run.Sources.Values.Single());
    }

    [Fact]
    [Trait("Category", "Runtime")]
    public void Runtime_checks_version_length_and_hash_in_the_header()
    {
        var payload = new byte[128];
        payload[5] = 7;
        var blob = new byte[WeightBlob.HeaderBytes + payload.Length];
        "MGWB"u8.CopyTo(blob);
        BitConverter.GetBytes(WeightBlob.FormatVersion).CopyTo(blob, 4);
        BitConverter.GetBytes((long)payload.Length).CopyTo(blob, 8);
        var sha = System.Security.Cryptography.SHA256.HashData(payload);
        sha.CopyTo(blob, 16);
        payload.CopyTo(blob, WeightBlob.HeaderBytes);
        string hash = Convert.ToHexStringLower(sha);

        Assert.Null(WeightBlob.CheckHeader(blob, blob.Length, payload.Length, hash));
        Assert.Contains("MGWB", WeightBlob.CheckHeader(new byte[64], blob.Length, payload.Length, hash));
        Assert.Contains("128 bytes", WeightBlob.CheckHeader(blob, blob.Length, 256, hash));
        Assert.Contains("present", WeightBlob.CheckHeader(blob, blob.Length - 1, payload.Length, hash));
        Assert.Contains("hash", WeightBlob.CheckHeader(blob, blob.Length, payload.Length, new string('0', 64)));
        var future = (byte[])blob.Clone();
        BitConverter.GetBytes(WeightBlob.FormatVersion + 1).CopyTo(future, 4);
        Assert.Contains("version", WeightBlob.CheckHeader(future, blob.Length, payload.Length, hash));

        // Through a real assembly resource: spans over the payload, bounds-checked.
        var assembly = CompileWithResource("Blob.Test.weights", blob);
        var opened = WeightBlob.FromResource(assembly, "Blob.Test.weights", payload.Length, hash);
        Assert.Equal(payload.Length, opened.Length);
        Assert.Equal(7, opened.Get<byte>(5, 1)[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => opened.Get<float>(120, 3));
        var e = Assert.Throws<InvalidOperationException>(() => WeightBlob.FromResource(assembly, "Blob.Test.weights", payload.Length, new string('a', 64)));
        Assert.Contains("'Blob.Test.weights'", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => WeightBlob.FromResource(assembly, "Other.weights", payload.Length, hash));
        Assert.Contains("'Other.weights' is missing", e.Message);
    }

    private static Assembly CompileWithResource(string name, byte[] blob)
    {
        var compilation = CSharpCompilation.Create("BlobHost" + Guid.NewGuid().ToString("N"), Array.Empty<SyntaxTree>(), GeneratorHarness.RuntimeReferences,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        return LoadWithResource(compilation, name, blob);
    }

    private static Assembly LoadWithResource(Compilation compilation, string? name, byte[]? blob)
    {
        using var pe = new MemoryStream();
        var resources = name is null ? null : new[] { new ResourceDescription(name, () => new MemoryStream(blob!), isPublic: true) };
        var emit = compilation.Emit(pe, manifestResources: resources);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        pe.Position = 0;
        return new AssemblyLoadContext("weights-" + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(pe);
    }
}
