using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelGen.Diagnostics;
using Xunit;

namespace ModelGen.Tests.Diagnostics;

/// <summary>
/// Asserts that a diagnostic ID was reported. <see cref="CatalogueTests"/> scans the test sources for calls of
/// <c>DiagnosticAssert.Reports(..., "MGnnnn", ...)</c> to check that every catalogued ID is asserted somewhere.
/// </summary>
public static class DiagnosticAssert
{
    public static ModelDiagnostic Reports(IEnumerable<ModelDiagnostic> diagnostics, string id, params string[] messageContains)
    {
        var list = diagnostics.ToList();
        var found = list.Where(d => d.Id == id).ToList();
        Assert.True(found.Count > 0, $"expected {id}, got: {Describe(list.Select(d => d.ToString()))}");
        var match = found.FirstOrDefault(d => messageContains.All(m => d.Message.Contains(m, StringComparison.Ordinal)));
        Assert.True(match is not null, $"no {id} message contains all of [{string.Join(", ", messageContains)}]; got: {Describe(found.Select(d => d.Message))}");
        return match!;
    }

    public static Diagnostic Reports(IEnumerable<Diagnostic> diagnostics, string id, params string[] messageContains)
    {
        var list = diagnostics.ToList();
        var found = list.Where(d => d.Id == id).ToList();
        Assert.True(found.Count > 0, $"expected {id}, got: {Describe(list.Select(d => d.ToString()))}");
        var match = found.FirstOrDefault(d => messageContains.All(m => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains(m, StringComparison.Ordinal)));
        Assert.True(match is not null, $"no {id} message contains all of [{string.Join(", ", messageContains)}]; got: {Describe(found.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)))}");
        return match!;
    }

    private static string Describe(IEnumerable<string> items)
    {
        var all = items.ToList();
        return all.Count == 0 ? "(none)" : string.Join(" | ", all);
    }
}
