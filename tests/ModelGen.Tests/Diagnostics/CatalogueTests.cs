using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;
using AnalyzerCatalogue = ModelGen.Analyzers.DiagnosticDescriptors;
using GeneratorCatalogue = ModelGen.Diagnostics.DiagnosticDescriptors;

namespace ModelGen.Tests.Diagnostics;

/// <summary>
/// Keeps the two diagnostic catalogues (generator MG0xxx, analyzer MG1xxx), their docs pages, the docs index, the
/// analyzer release files and the tests in step.
/// </summary>
[Trait("Category", "Diagnostics")]
public class CatalogueTests
{
    private static string RepoRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));

    private static string ThisFile([CallerFilePath] string thisFile = "") => thisFile;

    /// <summary>(descriptor, the project folder that ships it).</summary>
    public static IEnumerable<(DiagnosticDescriptor Descriptor, string Project)> Catalogue() =>
        GeneratorCatalogue.All.Select(d => (d, "src/Generator")).Concat(AnalyzerCatalogue.All.Select(d => (d, "src/Analyzers")));

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var (d, _) in Catalogue()) data.Add(d.Id);
        return data;
    }

    private static DiagnosticDescriptor Descriptor(string id) => Catalogue().Single(c => c.Descriptor.Id == id).Descriptor;

    private static string Severity(DiagnosticDescriptor d) => d.DefaultSeverity switch
    {
        DiagnosticSeverity.Error => "Error",
        DiagnosticSeverity.Warning => "Warning",
        DiagnosticSeverity.Info => "Info",
        _ => "Hidden",
    };

    [Fact]
    public void Ids_are_unique_well_formed_and_every_descriptor_field_is_listed_in_All()
    {
        var ids = Catalogue().Select(c => c.Descriptor.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches(@"^MG\d{4}$", id));
        Assert.All(GeneratorCatalogue.All, d => Assert.StartsWith("MG0", d.Id));
        Assert.All(AnalyzerCatalogue.All, d => Assert.StartsWith("MG1", d.Id));

        foreach (var type in new[] { typeof(GeneratorCatalogue), typeof(AnalyzerCatalogue) })
        {
            var fields = type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .Where(f => f.FieldType == typeof(DiagnosticDescriptor)).Select(f => (DiagnosticDescriptor)f.GetValue(null)!).ToList();
            var listed = (IEnumerable<DiagnosticDescriptor>)type.GetField("All")!.GetValue(null)!;
            Assert.Equal(fields.Select(f => f.Id).OrderBy(x => x, StringComparer.Ordinal), listed.Select(d => d.Id).OrderBy(x => x, StringComparer.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Has_a_help_link_to_its_docs_page(string id)
    {
        var d = Descriptor(id);
        Assert.EndsWith($"/docs/diagnostics/{id}.md", d.HelpLinkUri, StringComparison.Ordinal);
        Assert.True(Uri.IsWellFormedUriString(d.HelpLinkUri, UriKind.Absolute), d.HelpLinkUri);
        Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString()));
        Assert.False(string.IsNullOrWhiteSpace(d.MessageFormat.ToString()));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Has_a_docs_page_with_title_severity_cause_example_and_fix(string id)
    {
        var d = Descriptor(id);
        string file = Path.Combine(RepoRoot(), "docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(file), $"{file} is missing");
        var text = File.ReadAllText(file);
        Assert.StartsWith($"# {id}: {d.Title}\n", text.Replace("\r\n", "\n"), StringComparison.Ordinal);
        Assert.Contains($"| Severity | {Severity(d)} |", text, StringComparison.Ordinal);
        Assert.Contains("## Cause", text, StringComparison.Ordinal);
        Assert.Contains("## Example", text, StringComparison.Ordinal);
        Assert.Contains("## How to fix", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Docs_index_lists_exactly_the_catalogue()
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "diagnostics", "README.md"));
        var rows = Regex.Matches(text, @"^\| \[(MG\d{4})\]\(\1\.md\) \| (\w+) \| (.+?) \|$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => (Severity: m.Groups[2].Value, Title: m.Groups[3].Value));
        Assert.Equal(Catalogue().Select(c => c.Descriptor.Id).OrderBy(x => x, StringComparer.Ordinal), rows.Keys.OrderBy(x => x, StringComparer.Ordinal));
        foreach (var (d, _) in Catalogue())
            Assert.Equal((Severity(d), d.Title.ToString()), rows[d.Id]);
        var pages = Directory.GetFiles(Path.Combine(RepoRoot(), "docs", "diagnostics"), "MG*.md").Select(Path.GetFileNameWithoutExtension);
        Assert.Equal(rows.Keys.OrderBy(x => x, StringComparer.Ordinal), pages.OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void Release_files_list_exactly_the_catalogue_with_category_and_severity()
    {
        foreach (var project in new[] { "src/Generator", "src/Analyzers" })
        {
            var rows = new Dictionary<string, (string Category, string Severity)>(StringComparer.Ordinal);
            foreach (var file in new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" })
                foreach (Match m in Regex.Matches(File.ReadAllText(Path.Combine(RepoRoot(), project, file)), @"^(MG\d{4})\s*\|\s*([\w.]+)\s*\|\s*(\w+)\s*\|", RegexOptions.Multiline))
                    Assert.True(rows.TryAdd(m.Groups[1].Value, (m.Groups[2].Value, m.Groups[3].Value)), $"{m.Groups[1].Value} is listed twice in {project}");
            var expected = Catalogue().Where(c => c.Project == project).Select(c => c.Descriptor).ToList();
            Assert.Equal(expected.Select(d => d.Id).OrderBy(x => x, StringComparer.Ordinal), rows.Keys.OrderBy(x => x, StringComparer.Ordinal));
            foreach (var d in expected)
                Assert.Equal((d.Category, Severity(d)), rows[d.Id]);
        }
    }

    /// <summary>
    /// Every ID is asserted by a test: some test file other than this one calls
    /// <c>DiagnosticAssert.Reports(diagnostics, "MGnnnn", ...)</c>, which fails unless that ID was reported.
    /// </summary>
    [Fact]
    public void Every_id_is_asserted_by_a_test()
    {
        string testsRoot = Path.Combine(RepoRoot(), "tests");
        var asserted = new HashSet<string>(StringComparer.Ordinal);
        var call = new Regex(@"DiagnosticAssert\.Reports\([^;]*?""(MG\d{4})""", RegexOptions.Singleline);
        foreach (var file in Directory.EnumerateFiles(testsRoot, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            if (Path.GetFullPath(file) == Path.GetFullPath(ThisFile())) continue;
            foreach (Match m in call.Matches(File.ReadAllText(file))) asserted.Add(m.Groups[1].Value);
        }
        var missing = Catalogue().Select(c => c.Descriptor.Id).Where(id => !asserted.Contains(id)).ToList();
        Assert.True(missing.Count == 0, "no test asserts " + string.Join(", ", missing));
    }
}
