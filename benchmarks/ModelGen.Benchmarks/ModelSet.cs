using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using ModelGen.Cli.Verification;
using ModelGen.Configuration;
using ModelGen.Compiler;
using ModelGen.Runtime;

namespace ModelGen.Benchmarks;

/// <summary>
/// The folder of the speed model set (tools/make_model_set.py): $MODELGEN_MODELS if set, else
/// &lt;repository&gt;/artifacts/models, the repository root being baked into this assembly at build time so that
/// BenchmarkDotNet's out-of-process runner, built in another folder, finds the same models.
/// </summary>
public static class ModelSet
{
    public const string FolderVariable = "MODELGEN_MODELS";

    public static string Folder
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable(FolderVariable);
            if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
            string? root = typeof(ModelSet).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "ModelGenRepositoryRoot")?.Value;
            return Path.Combine(root ?? AppContext.BaseDirectory, "artifacts", "models");
        }
    }

    /// <summary>The models present: every *.onnx file in <see cref="Folder"/>, by name without extension, ordinal order.</summary>
    public static IReadOnlyList<string> Names() =>
        Directory.Exists(Folder)
            ? Directory.EnumerateFiles(Folder, "*.onnx").Select(f => Path.GetFileNameWithoutExtension(f)!).OrderBy(n => n, StringComparer.Ordinal).ToArray()
            : Array.Empty<string>();

    public static string PathOf(string name) => Path.Combine(Folder, name + ".onnx");
}

/// <summary>
/// Compiles a model with ModelGen's compiler (the code the source generator emits, weights as a manifest resource)
/// and Roslyn in memory (the CLI's InMemoryModel), into an ordinary (non-collectible) load context, as an application's
/// assembly would be loaded.
/// </summary>
public static class GeneratedModel
{
    public static IOnnxModel Compile(string path)
    {
        var options = ModelOptions.Default("BenchModel", "ModelGen.Benchmarks.Generated") with { Weights = WeightStorage.Resource };
        var result = ModelCompiler.Compile(File.ReadAllBytes(path), path, options);
        if (!result.Success)
            throw new InvalidOperationException($"{Path.GetFileName(path)} does not compile with ModelGen: " + string.Join("; ", result.Diagnostics));

        return InMemoryModel.Load(result, options, collectible: false);
    }
}
