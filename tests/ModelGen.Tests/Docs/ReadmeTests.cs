using System;
using System.IO;
using System.Linq;
using System.Text;
using ModelGen.Diagnostics;
using ModelGen.Ops;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Docs;

/// <summary>
/// The README's supported-operator table and diagnostics index are generated from the op registry and the diagnostic
/// catalogue. These tests fail when the README is stale; run them with UPDATE_README=1 to rewrite the sections.
/// </summary>
public class ReadmeTests
{
    [Fact]
    public void Supported_operator_table_matches_the_registry() =>
        AssertSection("ops", RenderOps());

    [Fact]
    public void Diagnostics_index_matches_the_catalogue() =>
        AssertSection("diagnostics", RenderDiagnostics());

    private static string RenderOps()
    {
        var sb = new StringBuilder();
        sb.Append("| Operator | Domain | Runs | Folded on constants at build time |\n|---|---|---|---|\n");
        // ModelGen's own steps (domain ai.modelgen, made by its passes) are not operators a model is written with.
        var ops = OpRegistry.Default.All.Where(o => o.Domain != DynamicQuantizedOp.InternalDomain).ToList();
        foreach (var op in ops)
        {
            bool folds = op.GetType().GetMethod(nameof(OpDefinition.TryFold))!.DeclaringType != typeof(OpDefinition);
            string runs = op is FunctionOp ? "expanded into standard operators (its body)"
                : op is ControlFlowOp flow ? flow.Summary
                : op.IsView ? "view (shares its input's buffer)" : "generated code + runtime kernel";
            string folded = op is FunctionOp or ControlFlowOp ? "as its body" : folds ? "yes" : "no";
            sb.Append($"| {op.OpType} | {(op.Domain.Length == 0 ? "ai.onnx" : op.Domain)} | {runs} | {folded} |\n");
        }
        sb.Append($"\n{ops.Count} operators.\n");
        return sb.ToString();
    }

    private static string RenderDiagnostics()
    {
        var sb = new StringBuilder();
        sb.Append("| ID | Severity | Title |\n|---|---|---|\n");
        foreach (var d in DiagnosticDescriptors.All.OrderBy(d => d.Id, StringComparer.Ordinal))
            sb.Append($"| [{d.Id}](docs/diagnostics/{d.Id}.md) | {d.DefaultSeverity} | {d.Title} |\n");
        return sb.ToString();
    }

    private static void AssertSection(string name, string expected)
    {
        string path = RepoPaths.Combine("README.md");
        string text = File.ReadAllText(path).Replace("\r\n", "\n");
        string begin = $"<!-- BEGIN GENERATED {name} -->\n", end = $"<!-- END GENERATED {name} -->";
        int start = text.IndexOf(begin, StringComparison.Ordinal), stop = text.IndexOf(end, StringComparison.Ordinal);
        Assert.True(start >= 0 && stop > start, $"README.md lacks the markers for the generated '{name}' section");
        string actual = text.Substring(start + begin.Length, stop - start - begin.Length);
        if (actual != expected && Environment.GetEnvironmentVariable("UPDATE_README") == "1")
        {
            File.WriteAllText(path, text.Substring(0, start + begin.Length) + expected + text.Substring(stop));
            return;
        }
        Assert.Equal(expected, actual);
    }
}
