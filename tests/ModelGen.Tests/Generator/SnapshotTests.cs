using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace ModelGen.Tests.Generator;

/// <summary>
/// Golden files of the generated code for three tiny models (see <see cref="SnapshotAssert"/> for how to refresh).
/// Kernel improvements change these on purpose: review the diff, then refresh.
/// </summary>
[Trait("Category", "Generator")]
public class SnapshotTests
{
    [Theory]
    [InlineData("GemmRelu")]
    [InlineData("AddBroadcast")]
    [InlineData("ReshapeChain")]
    public void Generated_code_matches_snapshot(string name)
    {
        byte[] model = name switch
        {
            "GemmRelu" => TestModels.GemmRelu(),
            "AddBroadcast" => TestModels.AddBroadcast(),
            "ReshapeChain" => TestModels.ReshapeChain(),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        using var folder = new TempFolder();
        string path = folder.File(name.ToLowerInvariant() + ".onnx", model);
        var options = new TestOptionsProvider().With(path, new Dictionary<string, string> { ["ClassName"] = name + "Model", ["Namespace"] = "Snapshots" });

        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, options);

        Assert.Empty(run.Diagnostics);
        Assert.Equal(new[] { $"Snapshots.{name}Model.g.cs" }, run.Sources.Keys.ToArray());
        Assert.Empty(run.CompilationProblems);
        SnapshotAssert.Matches(name, run.Sources.Values.Single());
    }
}
