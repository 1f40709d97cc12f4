using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelGen.Cli.Conformance;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Conformance;

/// <summary>
/// The ONNX backend test suite (shared/onnx-backend-tests). Every case and mode in Conformance/allowlist.txt must keep passing;
/// every other case must end in a diagnostic or a mismatch, never an exception. `modelgen conformance` regenerates the
/// allowlist and docs/conformance.md. Category Ops: CI runs these under every SIMD width.
/// </summary>
[Trait("Category", "Ops")]
public class ConformanceTests
{
    private static readonly string Root = BackendSuite.FindRoot(RepoPaths.Root)
        ?? throw new InvalidOperationException("ONNX backend test data not found (shared/onnx-backend-tests beside the repository)");

    private static readonly Lazy<List<(string Id, ConformanceMode Mode)>> Allowed = new(() =>
        File.ReadAllLines(RepoPaths.Combine("tests", "ModelGen.Tests", "Conformance", "allowlist.txt"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ')).Select(p => (p[0], ConformanceReport.ParseMode(p[1]) ?? throw new FormatException($"allowlist: unknown mode '{p[1]}'")))
            .ToList());

    public static TheoryData<string, string> AllowedCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (id, mode) in Allowed.Value) data.Add(id, ConformanceReport.ModeName(mode));
        return data;
    }

    [Theory]
    [MemberData(nameof(AllowedCases))]
    public void Allowlisted_case_passes(string id, string mode)
    {
        var outcome = ConformanceRunner.Run(BackendSuite.Load(Root, id), ConformanceReport.ParseMode(mode)!.Value);
        Assert.True(outcome.Status == CaseStatus.Passed, $"{id} ({mode}) passed before and now ends {outcome.Status}: {outcome.Reason}");
    }

    [Fact]
    public void Allowlist_names_existing_cases_once()
    {
        var ids = new HashSet<string>(BackendSuite.CaseIds(Root), StringComparer.Ordinal);
        Assert.True(ids.Count > 1800, $"only {ids.Count} backend cases found under {Root}");
        Assert.Empty(Allowed.Value.Where(a => !ids.Contains(a.Id)).Select(a => a.Id));
        Assert.Equal(Allowed.Value.Count, Allowed.Value.Distinct().Count());
    }

}

/// <summary>The rest of the suite, once per CI run (not per SIMD width): what does not pass is diagnosed, never a crash.</summary>
[Trait("Category", "Conformance")]
public class ConformanceDiagnosticTests
{
    private static readonly string Root = BackendSuite.FindRoot(RepoPaths.Root)
        ?? throw new InvalidOperationException("ONNX backend test data not found (shared/onnx-backend-tests beside the repository)");

    /// <summary>A case ModelGen cannot run must be refused with a diagnostic: never an exception, never uncompilable code.</summary>
    [Fact]
    public void Cases_that_do_not_pass_end_in_a_diagnostic_not_an_exception()
    {
        var allowed = new HashSet<(string, ConformanceMode)>(ConformanceTests.AllowedCases().Select(r => ((string)r[0], ConformanceReport.ParseMode((string)r[1])!.Value)));
        var errors = new List<string>();
        foreach (var id in BackendSuite.CaseIds(Root))
        {
            var c = BackendSuite.Load(Root, id);
            foreach (var mode in new[] { ConformanceMode.Runtime, ConformanceMode.Baked })
            {
                if (allowed.Contains((id, mode))) continue;
                var outcome = ConformanceRunner.Run(c, mode);
                if (outcome.Status == CaseStatus.Error) errors.Add($"{id} ({ConformanceReport.ModeName(mode)}): {outcome.Reason}");
            }
        }
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
