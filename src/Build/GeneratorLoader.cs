using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace ModelGen.Build;

/// <summary>
/// Loads ModelGen.Generator.dll (the file the compiler gets as an analyzer) and Google.Protobuf.dll (beside it in the
/// package, in the NuGet cache for ProjectReference builds) into an AssemblyLoadContext of their own, and returns the
/// generator's <c>BuildTaskEntry.CompileWeights</c>. Microsoft.CodeAnalysis comes from MSBuild's own context (the SDK
/// ships it beside MSBuild) or, failing that, from the SDK's Roslyn folder. One context per generator file version: an
/// MSBuild node that outlives a rebuild of the generator (inside this repository) loads the new file.
/// </summary>
internal static class GeneratorLoader
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, MethodInfo> Loaded = new(StringComparer.Ordinal);

    public static MethodInfo CompileWeights(IReadOnlyList<string> assemblies, IReadOnlyList<string> probeDirectories)
    {
        string generator = assemblies.Count > 0 ? assemblies[0] : throw new ArgumentException("no generator assembly", nameof(assemblies));
        var info = new FileInfo(generator);
        if (!info.Exists) throw new FileNotFoundException($"ModelGen.Generator.dll not found at {generator}", generator);
        string key = $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        lock (Gate)
        {
            if (Loaded.TryGetValue(key, out var method)) return method;
            var context = new GeneratorContext(key, assemblies, probeDirectories);
            var assembly = context.LoadFile(generator);
            var entry = assembly.GetType("ModelGen.Compiler.BuildTaskEntry", throwOnError: false)
                ?? throw new InvalidOperationException($"{generator} has no ModelGen.Compiler.BuildTaskEntry: the ModelGen build task and generator come from different versions");
            int version = (int)entry.GetField("InterfaceVersion")!.GetRawConstantValue()!;
            if (version != 1)
                throw new InvalidOperationException($"{generator} speaks build-task interface {version}, this task speaks 1: the ModelGen build task and generator come from different versions");
            method = entry.GetMethod("CompileWeights", BindingFlags.Public | BindingFlags.Static)!;
            Loaded[key] = method;
            return method;
        }
    }

    private sealed class GeneratorContext : AssemblyLoadContext
    {
        private readonly Dictionary<string, string> _byName = new(StringComparer.OrdinalIgnoreCase);
        private readonly IReadOnlyList<string> _probe;

        public GeneratorContext(string name, IReadOnlyList<string> assemblies, IReadOnlyList<string> probeDirectories)
            : base("ModelGen.Generator " + name, isCollectible: false)
        {
            foreach (var path in assemblies) _byName[Path.GetFileNameWithoutExtension(path)] = path;
            _probe = probeDirectories;
            Resolving += (_, assemblyName) => Probe(assemblyName);
        }

        /// <summary>Loads from a copy in memory: the file stays free to be rebuilt or deleted (no lock on Windows).</summary>
        public Assembly LoadFile(string path)
        {
            using var stream = new MemoryStream(File.ReadAllBytes(path));
            return LoadFromStream(stream);
        }

        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name is { } name && _byName.TryGetValue(name, out var path) ? LoadFile(path) : null;

        private Assembly? Probe(AssemblyName assemblyName)
        {
            foreach (var directory in _probe)
            {
                string candidate = Path.Combine(directory, assemblyName.Name + ".dll");
                if (File.Exists(candidate)) return LoadFromAssemblyPath(candidate);
            }
            return null;
        }
    }
}
