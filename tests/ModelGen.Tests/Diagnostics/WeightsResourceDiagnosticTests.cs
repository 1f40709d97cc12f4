using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelGen.Configuration;
using ModelGen.Compiler;
using ModelGen.Tests.Generator;
using ModelGen.Tests.Packaging;
using Xunit;

namespace ModelGen.Tests.Diagnostics;

/// <summary>MG0403 and MG0404: the generator never emits code that would read a missing or mismatched weights resource.</summary>
[Trait("Category", "Diagnostics")]
public class WeightsResourceDiagnosticTests : System.IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static GeneratorHarness.Generated Generate(string path, Dictionary<string, string> metadata)
    {
        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, new TestOptionsProvider().With(path, metadata));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8784" or "CS8785");
        return run;
    }

    [Fact]
    public void MG0403_resource_storage_without_the_build_task()
    {
        string path = _folder.File("tiny.onnx", TestModels.GemmRelu());
        var run = Generate(path, new() { ["ClassName"] = "Tiny", ["Namespace"] = "App", ["WeightStorage"] = "Resource" });
        var d = DiagnosticAssert.Reports(run.Diagnostics, "MG0403", "tiny.onnx", "'App.Tiny.weights'", "WeightStorage=Resource");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(path, d.Location.GetLineSpan().Path);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void MG0404_blob_hash_differs_from_the_generators()
    {
        // 2 MB of weights: Auto chooses a resource when the task ran (the metadata is present).
        byte[] model = WeightsModels.GemmChain(2, 512);
        string path = _folder.File("chain.onnx", model);
        var meta = new Dictionary<string, string> { ["ClassName"] = "Chain", ["Namespace"] = "App" };
        var task = BuildTaskEntry.CompileWeights(path, meta, "App");
        string hash = (string)task[1]!;

        // The task wrote its blob from other bytes (the model changed since): another hash.
        meta["ModelGenWeightsHash"] = new string('0', 64);
        var run = Generate(path, meta);
        var d = DiagnosticAssert.Reports(run.Diagnostics, "MG0404", "'App.Chain.weights'", "chain.onnx", "0000000000000000", hash[..16]);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Empty(run.Sources);

        // The task kept literals ("none") where the generator chose a resource: also out of date.
        meta["ModelGenWeightsHash"] = "none";
        DiagnosticAssert.Reports(Generate(path, meta).Diagnostics, "MG0404", "'App.Chain.weights'");

        // The task's own hash: no diagnostic, and the class is generated.
        meta["ModelGenWeightsHash"] = hash;
        var ok = Generate(path, meta);
        Assert.Empty(ok.Diagnostics);
        Assert.Single(ok.Sources);
    }
}
