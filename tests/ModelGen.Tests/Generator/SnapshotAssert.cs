using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace ModelGen.Tests.Generator;

/// <summary>
/// Golden-file comparison for generated code. Snapshots live in tests/ModelGen.Tests/Generator/Snapshots/&lt;name&gt;.g.cs.txt.
/// Refresh them after an intended change with
/// <c>UPDATE_SNAPSHOTS=1 dotnet test tests/ModelGen.Tests --filter "FullyQualifiedName~SnapshotTests"</c>
/// and review the diff before committing. A missing snapshot fails the test (so CI never passes on nothing).
/// </summary>
public static class SnapshotAssert
{
    public static bool Updating => Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1";

    public static string Folder([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "Snapshots");

    public static void Matches(string name, string actual)
    {
        string file = Path.Combine(Folder(), name + ".g.cs.txt");
        actual = Normalize(actual);
        if (Updating)
        {
            Directory.CreateDirectory(Folder());
            if (!File.Exists(file) || Normalize(File.ReadAllText(file)) != actual) File.WriteAllText(file, actual);
            return;
        }
        Assert.True(File.Exists(file), $"snapshot {file} is missing; create it with UPDATE_SNAPSHOTS=1 and review it");
        string expected = Normalize(File.ReadAllText(file));
        if (expected == actual) return;

        string received = Path.Combine(Path.GetTempPath(), "modelgen-snapshots", name + ".received.g.cs.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(received)!);
        File.WriteAllText(received, actual);
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        int line = 0;
        while (line < e.Length && line < a.Length && e[line] == a[line]) line++;
        Assert.Fail($"generated code differs from snapshot {file} at line {line + 1}:\n" +
                    $"  expected: {(line < e.Length ? e[line] : "<end of file>")}\n" +
                    $"  actual:   {(line < a.Length ? a[line] : "<end of file>")}\n" +
                    $"Received output: {received}. If the change is intended, rerun with UPDATE_SNAPSHOTS=1.");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n");
}
