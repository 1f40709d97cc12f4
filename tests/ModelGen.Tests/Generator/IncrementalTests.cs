using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ModelGen.Tests.Generator;

/// <summary>
/// The generator's cache: which steps re-run after which edits (tracking names in <see cref="StepNames"/>), and that
/// the cached pipeline values hold no compiler objects that would root a compilation.
/// </summary>
[Trait("Category", "Generator")]
public class IncrementalTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _a;
    private readonly string _b;
    private readonly TestOptionsProvider _options;

    public IncrementalTests()
    {
        _a = _folder.File("a.onnx", TestModels.GemmRelu());
        _b = _folder.File("b.onnx", TestModels.ReshapeChain());
        _options = new TestOptionsProvider()
            .With(_a, new Dictionary<string, string> { ["ClassName"] = "ModelA", ["Namespace"] = "Inc" })
            .With(_b, new Dictionary<string, string> { ["ClassName"] = "ModelB", ["Namespace"] = "Inc" });
    }

    public void Dispose() => _folder.Dispose();

    private (GeneratorDriver Driver, CSharpCompilation Compilation, AdditionalText A, AdditionalText B) FirstRun()
    {
        var a = new BinaryAdditionalText(_a);
        var b = new BinaryAdditionalText(_b);
        var compilation = GeneratorHarness.Compilation("namespace User { public class C { } }");
        var driver = GeneratorHarness.Driver(new AdditionalText[] { a, b }, _options).RunGenerators(compilation);
        Assert.Equal(2, driver.GetRunResult().GeneratedTrees.Length);
        return (driver, compilation, a, b);
    }

    /// <summary>The run reason of each output of a step, keyed by the model file it belongs to.</summary>
    private static Dictionary<string, IncrementalStepRunReason> Reasons(GeneratorDriver driver, string step)
    {
        var result = new Dictionary<string, IncrementalStepRunReason>(StringComparer.Ordinal);
        foreach (var run in driver.GetRunResult().Results.Single().TrackedSteps[step])
            foreach (var (value, reason) in run.Outputs)
            {
                string key = value switch
                {
                    ModelInput m => System.IO.Path.GetFileName(m.Path),
                    GeneratedModel g => System.IO.Path.GetFileName(g.Path),
                    _ => "*",
                };
                result[key] = reason;
            }
        return result;
    }

    private static IEnumerable<IncrementalStepRunReason> OutputReasons(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason);

    [Fact]
    public void Second_run_with_nothing_changed_is_all_cached()
    {
        var (driver, compilation, _, _) = FirstRun();
        driver = driver.RunGenerators(compilation);

        foreach (var step in new[] { StepNames.ReadModel, StepNames.Compile, StepNames.CheckNames })
            Assert.All(Reasons(driver, step), kv => Assert.Equal(IncrementalStepRunReason.Cached, kv.Value));
        Assert.All(OutputReasons(driver), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void Editing_unrelated_csharp_leaves_every_step_cached()
    {
        var (driver, compilation, _, _) = FirstRun();
        var edited = compilation
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace User { public class D { public int X => 42; } }", GeneratorHarness.ParseOptions, path: "D.cs"))
            .ReplaceSyntaxTree(compilation.SyntaxTrees.First(), CSharpSyntaxTree.ParseText("namespace User { public class C { void M() { } } }", GeneratorHarness.ParseOptions, path: "User0.cs"));
        driver = driver.RunGenerators(edited);

        var compile = Reasons(driver, StepNames.Compile);
        Assert.Equal(2, compile.Count);
        Assert.All(compile, kv => Assert.Equal(IncrementalStepRunReason.Cached, kv.Value));
        Assert.All(Reasons(driver, StepNames.ReadModel), kv => Assert.Equal(IncrementalStepRunReason.Cached, kv.Value));
        Assert.All(OutputReasons(driver), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void Changing_model_A_recompiles_A_and_leaves_B_cached()
    {
        var (driver, compilation, a, _) = FirstRun();
        string before = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "Inc.ModelA.g.cs").SourceText.ToString();

        System.IO.File.WriteAllBytes(_a, TestModels.GemmRelu(bias: 2.5f));
        driver = driver.ReplaceAdditionalText(a, new BinaryAdditionalText(_a)).RunGenerators(compilation);

        var read = Reasons(driver, StepNames.ReadModel);
        var compile = Reasons(driver, StepNames.Compile);
        Assert.Equal(IncrementalStepRunReason.Modified, read["a.onnx"]);
        Assert.Equal(IncrementalStepRunReason.Cached, read["b.onnx"]);
        Assert.Equal(IncrementalStepRunReason.Modified, compile["a.onnx"]);
        Assert.Equal(IncrementalStepRunReason.Cached, compile["b.onnx"]);
        string after = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName == "Inc.ModelA.g.cs").SourceText.ToString();
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void A_new_AdditionalText_with_the_same_bytes_does_not_recompile()
    {
        // What a command-line build hands a cached driver: new AdditionalText objects for unchanged files.
        // ReadModel re-reads and re-hashes the file, finds an equal ModelInput, and Compile stays cached.
        var (driver, compilation, a, _) = FirstRun();
        driver = driver.ReplaceAdditionalText(a, new BinaryAdditionalText(_a)).RunGenerators(compilation);

        Assert.Equal(IncrementalStepRunReason.Unchanged, Reasons(driver, StepNames.ReadModel)["a.onnx"]);
        Assert.All(Reasons(driver, StepNames.Compile), kv => Assert.Equal(IncrementalStepRunReason.Cached, kv.Value));
    }

    [Fact]
    public void Changing_metadata_of_A_recompiles_only_A()
    {
        var (driver, compilation, _, _) = FirstRun();
        var options = new TestOptionsProvider()
            .With(_a, new Dictionary<string, string> { ["ClassName"] = "RenamedA", ["Namespace"] = "Inc" })
            .With(_b, new Dictionary<string, string> { ["ClassName"] = "ModelB", ["Namespace"] = "Inc" });
        driver = driver.WithUpdatedAnalyzerConfigOptions(options).RunGenerators(compilation);

        var compile = Reasons(driver, StepNames.Compile);
        Assert.Equal(IncrementalStepRunReason.Modified, compile["a.onnx"]);
        Assert.Equal(IncrementalStepRunReason.Cached, compile["b.onnx"]);
        Assert.Contains(driver.GetRunResult().GeneratedTrees, t => t.FilePath.EndsWith("Inc.RenamedA.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void Same_input_gives_equal_but_distinct_pipeline_values()
    {
        var first = FirstRun().Driver.GetRunResult().Results.Single();
        var second = FirstRun().Driver.GetRunResult().Results.Single();
        foreach (var step in new[] { StepNames.ReadModel, StepNames.Compile })
        {
            var x = first.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
            var y = second.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
            Assert.Equal(2, x.Count);
            for (int i = 0; i < x.Count; i++)
            {
                Assert.NotSame(x[i], y[i]);
                Assert.Equal(x[i], y[i]);
                Assert.Equal(x[i].GetHashCode(), y[i].GetHashCode());
            }
        }
    }

    [Fact]
    public void Pipeline_values_hold_no_symbols_compilations_or_syntax()
    {
        var result = FirstRun().Driver.GetRunResult().Results.Single();
        var values = new[] { StepNames.ReadModel, StepNames.Compile, StepNames.CheckNames }
            .SelectMany(step => result.TrackedSteps[step]).SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
        Assert.Contains(values, v => v is ModelInput);
        Assert.Contains(values, v => v is GeneratedModel);

        var forbidden = new[] { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(SemanticModel), typeof(AdditionalText) };
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        void Walk(object? value, string path)
        {
            if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value)) return;
            var type = value.GetType();
            foreach (var f in forbidden)
                Assert.False(f.IsAssignableFrom(type), $"{path} is a {type.FullName} ({f.Name}): it would root compiler state in the cache");
            if (value is IEnumerable items)
            {
                int i = 0;
                foreach (var item in items) Walk(item, $"{path}[{i++}]");
            }
            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    foreach (var f in forbidden)
                        Assert.False(f.IsAssignableFrom(field.FieldType), $"{path}.{field.Name} is declared as {field.FieldType.Name}");
                    Walk(field.GetValue(value), $"{path}.{field.Name}");
                }
        }
        for (int i = 0; i < values.Count; i++) Walk(values[i], $"{values[i]!.GetType().Name}#{i}");

        // The walk must be able to fail: it rejects a value that does hold a symbol.
        var compilation = GeneratorHarness.Compilation("class Q { }");
        var leaky = new { Name = "x", Symbol = (object)compilation.GetTypeByMetadataName("Q")! };
        seen.Clear();
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Walk(leaky, "leaky"));
    }
}
