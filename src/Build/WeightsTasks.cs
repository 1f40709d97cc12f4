using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelGen.Build;

/// <summary>
/// Compiles each model item with the generator's own compiler and writes, per model, its weights blob
/// (<c>%(BlobFile)</c>: header + payload, empty when the weights stay literals) and a small info file
/// (<c>%(BlobFile).txt</c>: storage, blob hash, resource name) that <see cref="ModelGenReadWeights"/> reads on every
/// build. The target that runs this task is incremental (Inputs: the models, the generator and the project file), so a
/// build after an unrelated edit skips it.
/// </summary>
public sealed class ModelGenWriteWeights : Microsoft.Build.Utilities.Task
{
    /// <summary>The models, with their item metadata (ClassName, Namespace, ...) and BlobFile.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The compiler's analyzer files: ModelGen.Generator.dll and its dependencies (Google.Protobuf.dll).</summary>
    [Required]
    public ITaskItem[] GeneratorAssemblies { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Folders to find Microsoft.CodeAnalysis in when MSBuild's own context lacks it (the SDK's Roslyn folder).</summary>
    public ITaskItem[] ProbeDirectories { get; set; } = Array.Empty<ITaskItem>();

    public string? RootNamespace { get; set; }

    public override bool Execute()
    {
        var assemblies = GeneratorAssemblies.Select(i => Path.GetFullPath(i.ItemSpec)).Distinct(StringComparer.Ordinal)
            .OrderBy(p => Path.GetFileNameWithoutExtension(p).Equals("ModelGen.Generator", StringComparison.OrdinalIgnoreCase) ? 0 : 1).ToList();
        if (assemblies.Count == 0 || !Path.GetFileNameWithoutExtension(assemblies[0]).Equals("ModelGen.Generator", StringComparison.OrdinalIgnoreCase))
        {
            Log.LogError("ModelGen: ModelGen.Generator.dll is not among the compiler's analyzers, so the weights of <OnnxModel> items cannot be written. Reference the ModelGen package (or the generator project with OutputItemType=\"Analyzer\").");
            return false;
        }
        MethodInfo compile;
        try
        {
            compile = GeneratorLoader.CompileWeights(assemblies, ProbeDirectories.Select(d => d.ItemSpec).ToList());
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or InvalidOperationException or TypeLoadException or MissingMemberException or NullReferenceException)
        {
            Log.LogError($"ModelGen: cannot load the generator for the weights build step: {e.Message}");
            return false;
        }

        foreach (var model in Models)
        {
            string path = Path.GetFullPath(model.ItemSpec);
            string blobFile = model.GetMetadata("BlobFile");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in new[] { "ClassName", "Namespace", "Dimensions", "Shapes", "WeightStorage", "Compression", "CompressionKeep" })
                metadata[name] = model.GetMetadata(name);
            object?[] result;
            try
            {
                result = (object?[])compile.Invoke(null, new object?[] { path, metadata, RootNamespace })!;
            }
            catch (TargetInvocationException e)
            {
                Log.LogError($"ModelGen: compiling the weights of {model.ItemSpec} failed: {e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
                return false;
            }
            string storage = (string)result[0]!, hash = (string?)result[1] ?? "", resource = (string)result[2]!;
            var blob = (byte[]?)result[3];
            foreach (var message in (string[])result[4]!)
                Log.LogMessage(MessageImportance.Low, $"ModelGen: {model.ItemSpec}: {message}");

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(blobFile))!);
            // Both files are written on every run, so that their time stamps say "up to date" to the target's Inputs/Outputs.
            File.WriteAllBytes(blobFile, blob ?? Array.Empty<byte>());
            File.WriteAllLines(blobFile + ".txt", new[] { storage, hash.Length > 0 ? hash : "none", resource });
            if (storage == "Resource")
                Log.LogMessage(MessageImportance.Normal, $"ModelGen: {model.ItemSpec} -> {blobFile} ({blob!.LongLength} bytes, resource {resource})");
        }
        return !Log.HasLoggedErrors;
    }
}

/// <summary>
/// Runs on every build (cheap: reads the small info files): returns the models with metadata ModelGenWeightsHash (the
/// generator compares it with its own blob hash: MG0403 / MG0404) and the blobs to embed as EmbeddedResource items.
/// </summary>
public sealed class ModelGenReadWeights : Microsoft.Build.Utilities.Task
{
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    [Output]
    public ITaskItem[] UpdatedModels { get; set; } = Array.Empty<ITaskItem>();

    [Output]
    public ITaskItem[] Resources { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        var models = new List<ITaskItem>();
        var resources = new List<ITaskItem>();
        foreach (var model in Models)
        {
            var updated = new TaskItem(model);
            string blobFile = model.GetMetadata("BlobFile");
            string info = blobFile + ".txt";
            if (blobFile.Length > 0 && File.Exists(info))
            {
                var lines = File.ReadAllLines(info);
                if (lines.Length >= 3)
                {
                    updated.SetMetadata("ModelGenWeightsHash", lines[1]);
                    if (lines[0] == "Resource")
                    {
                        var resource = new TaskItem(blobFile);
                        resource.SetMetadata("LogicalName", lines[2]);
                        resource.SetMetadata("WithCulture", "false");
                        resource.SetMetadata("Type", "Non-Resx");
                        resources.Add(resource);
                    }
                }
            }
            models.Add(updated);
        }
        UpdatedModels = models.ToArray();
        Resources = resources.ToArray();
        return true;
    }
}
