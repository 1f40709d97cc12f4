using ModelGen.Configuration;
using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Diagnostics;
using ModelGen.Emit;
using ModelGen.Onnx;

namespace ModelGen.Compiler
{
    /// <summary>
    /// What the package's MSBuild task (src/Build) calls, by reflection, in the very ModelGen.Generator.dll the compiler
    /// loads as a source generator: the same options parser and the same compiler on the same bytes, so the blob it
    /// embeds is the one the generated code expects. Only framework types cross this boundary (the task loads this
    /// assembly in an AssemblyLoadContext of its own).
    /// </summary>
    public static class BuildTaskEntry
    {
        /// <summary>Bumped when the shape of <see cref="CompileWeights"/> changes; the task checks it.</summary>
        public const int InterfaceVersion = 1;

        /// <summary>
        /// Compiles one model item. Returns { storage: "Resource" | "Literals" | "Failed", blob hash (hex) or "",
        /// resource name, blob bytes (header + payload) or null, messages }. "Failed" means the model does not compile;
        /// the generator reports why, so the task only logs the messages at low importance.
        /// </summary>
        public static object?[] CompileWeights(string modelPath, IReadOnlyDictionary<string, string> metadata, string? rootNamespace)
        {
            var diagnostics = new List<ModelDiagnostic>();
            var options = ModelOptions.FromMetadata(k => metadata.TryGetValue(k, out var v) ? v : null, modelPath, rootNamespace, diagnostics);
            string resource = ModelEmitter.ResourceName(options);
            if (diagnostics.Count > 0)
                return Failed(resource, diagnostics);
            // Literals never produce a blob: nothing to compile here, and the generator does the rest.
            if (options.Weights == WeightStorage.Literals)
                return new object?[] { "Literals", "", resource, null, Array.Empty<string>() };
            byte[] bytes;
            try
            {
                bytes = ModelFiles.ReadAllBytes(modelPath);
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return new object?[] { "Failed", "", resource, null, new[] { e.Message } };
            }
            var result = ModelCompiler.Compile(bytes, modelPath, options);
            if (!result.Success) return Failed(resource, result.Diagnostics);
            if (result.Storage != WeightStorage.Resource)
                return new object?[] { "Literals", "", resource, null, Array.Empty<string>() };
            return new object?[] { "Resource", result.WeightBlobHash, resource, result.WeightBlob, Array.Empty<string>() };
        }

        private static object?[] Failed(string resource, IEnumerable<ModelDiagnostic> diagnostics) =>
            new object?[] { "Failed", "", resource, null, diagnostics.Select(d => d.ToString()).ToArray() };
    }
}
