using System;
using System.IO;

namespace ModelGen.Tests.Infrastructure;

/// <summary>Locates files in the repository from the test binaries' folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine(Root, Path.Combine(parts));

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ModelGen.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ModelGen.sln not found above " + AppContext.BaseDirectory);
    }
}
