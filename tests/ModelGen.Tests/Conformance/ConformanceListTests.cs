using System;
using System.IO;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Conformance;

/// <summary>
/// Runs the ONNX backend node tests named in Conformance/*.txt (one name per line; '#' lines are known failures with
/// their reason). Progress shows as a diff of those lists.
/// </summary>
[Trait("Category", "Ops")]
public class ConformanceListTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("tests", "ModelGen.Tests", "Conformance"), "*.txt").OrderBy(f => f, StringComparer.Ordinal))
            foreach (var line in File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
                data.Add(Path.GetFileNameWithoutExtension(file), line);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backend_test_passes(string list, string name)
    {
        Assert.False(string.IsNullOrEmpty(list));
        BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();
    }

    [Fact]
    public void Listed_tests_exist_and_are_listed_once()
    {
        var names = Cases().Select(row => (string)row[1]).ToList();
        Assert.NotEmpty(names);
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        foreach (var name in names)
            Assert.True(Directory.Exists(Path.Combine(BackendTestCase.Root, name)), $"{name} is not an ONNX backend test");
    }
}
