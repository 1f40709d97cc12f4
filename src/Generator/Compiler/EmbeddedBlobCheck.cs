using System;
using ModelGen.Configuration;
using ModelGen.Diagnostics;
using ModelGen.Emit;

namespace ModelGen.Compiler
{
    /// <summary>Checks the weights resource the build task embedded against the blob this compilation expects.</summary>
    public static class EmbeddedBlobCheck
    {
        /// <summary>
        /// The generator's check that the resource the build task embedded is the blob this compilation expects:
        /// MG0403 when no task wrote one (<paramref name="taskHash"/> is null), MG0404 when its hash differs. Null when
        /// the model keeps its weights as literals or the hashes agree.
        /// </summary>
        public static ModelDiagnostic? Check(CompileResult result, ModelOptions options, string path, string? taskHash)
        {
            if (result.Storage != WeightStorage.Resource || result.WeightBlobHash is null) return null;
            string model = System.IO.Path.GetFileName(path);
            string resource = ModelEmitter.ResourceName(options);
            if (taskHash is null)
                return ModelDiagnostic.Create(DiagnosticDescriptors.WeightsResourceMissing, path, model, resource, options.Weights);
            if (!string.Equals(taskHash, result.WeightBlobHash, StringComparison.OrdinalIgnoreCase))
                return ModelDiagnostic.Create(DiagnosticDescriptors.WeightsResourceStale, path, resource, model, Short(taskHash), Short(result.WeightBlobHash));
            return null;
        }

        private static string Short(string hash) => hash.Length > 16 ? hash.Substring(0, 16) : hash;
    }
}
