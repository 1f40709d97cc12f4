using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Configuration;
using ModelGen.Common;
using ModelGen.Compiler;
using ModelGen.Diagnostics;
using ModelGen.Onnx;

namespace ModelGen
{
    /// <summary>
    /// The incremental generator: every .onnx AdditionalFile becomes a partial class.
    /// Pipeline: ReadModel (path + options + bytes) → Compile (source text + diagnostics, equatable) → outputs.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ModelGenGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // ReadModel: one equatable input per model file; the content hash makes a changed file a new input.
            var models = context.AdditionalTextsProvider
                .Where(static t => t.Path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                .Combine(context.AnalyzerConfigOptionsProvider)
                .Select(static (pair, ct) => ModelInput.Create(pair.Left, pair.Right.GetOptions(pair.Left), pair.Right.GlobalOptions))
                .WithTrackingName(StepNames.ReadModel);

            // Compile: all heavy work, once per model content or option change.
            var compiled = models
                .Select(static (input, ct) => GeneratedModel.Compile(input, ct))
                .WithTrackingName(StepNames.Compile);

            // Class names must be unique across the project, and hint names unique ignoring case. The result is small
            // and equal from run to run unless names change, so combining it into the output keeps outputs cached.
            var names = compiled.Collect().Select(static (all, _) => NamePlan.Create(all)).WithTrackingName(StepNames.CheckNames);

            context.RegisterSourceOutput(compiled.Combine(names.Select(static (plan, _) => plan.Hints)), static (spc, pair) =>
            {
                var (model, hints) = pair;
                foreach (var d in model.Diagnostics) spc.ReportDiagnostic(d.ToDiagnostic());
                string? hint = model.HintName;
                foreach (var h in hints)
                    if (h.Path == model.Path) hint = h.HintName;
                if (model.Source is not null && hint is not null) spc.AddSource(hint, SourceText.From(model.Source, Encoding.UTF8));
            });
            context.RegisterSourceOutput(names.Select(static (plan, _) => plan.Diagnostics), static (spc, diags) =>
            {
                foreach (var d in diags) spc.ReportDiagnostic(d.ToDiagnostic());
            });
        }
    }

    /// <summary>Tracking names of the pipeline steps, for incrementality tests.</summary>
    public static class StepNames
    {
        public const string ReadModel = nameof(ReadModel);
        public const string Compile = nameof(Compile);
        public const string CheckNames = nameof(CheckNames);
    }

    /// <summary>
    /// What the generator knows about one model file before compiling it. <paramref name="BlobHash"/> is the SHA-256 of
    /// the weights blob that the package's build task wrote and embedded (item metadata ModelGenWeightsHash): null when
    /// no task ran for this file, "none" when it ran and embedded nothing.
    /// </summary>
    public sealed record ModelInput(string Path, ModelOptions Options, string ContentHash, EquatableArray<ModelDiagnostic> OptionDiagnostics, string? ReadError, string? BlobHash = null)
    {
        /// <summary>Item metadata the build task sets on each model it processed.</summary>
        public const string BlobHashMetadata = "ModelGenWeightsHash";

        public static ModelInput Create(AdditionalText text, AnalyzerConfigOptions options, AnalyzerConfigOptions global)
        {
            string? Get(string key) => options.TryGetValue("build_metadata.AdditionalFiles." + key, out var v) ? v : null;
            var diags = new List<ModelDiagnostic>();
            global.TryGetValue("build_property.RootNamespace", out var root);
            var modelOptions = ModelOptions.FromMetadata(Get, text.Path, root, diags);
            string? blobHash = Get(BlobHashMetadata) is { } h && !string.IsNullOrWhiteSpace(h) ? h.Trim() : null;
            // Auto means "a resource when large", which needs the build task to embed it; without the task, literals.
            if (modelOptions.Weights == WeightStorage.Auto && blobHash is null)
                modelOptions = modelOptions with { Weights = WeightStorage.Literals };

            string hash = "", error = "";
            try
            {
                hash = Hash(ModelFiles.ReadAllBytes(text.Path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                error = e.Message;
            }
            return new ModelInput(text.Path, modelOptions, hash, new EquatableArray<ModelDiagnostic>(diags), error.Length > 0 ? error : null, blobHash);
        }

        private static string Hash(byte[] bytes)
        {
            using var sha = System.Security.Cryptography.SHA256.Create();
            return Convert.ToBase64String(sha.ComputeHash(bytes));
        }
    }

    /// <summary>The generator's cached result for one model: source text and diagnostics, nothing else.</summary>
    public sealed record GeneratedModel(string Path, string ClassName, string Namespace, string HintName, string? Source, EquatableArray<ModelDiagnostic> Diagnostics)
    {
        public static GeneratedModel Compile(ModelInput input, System.Threading.CancellationToken ct)
        {
            var diags = new List<ModelDiagnostic>(input.OptionDiagnostics);
            string hint = $"{input.Options.Namespace}.{input.Options.ClassName}.g.cs";
            string? source = null;
            if (input.ReadError is not null)
                diags.Add(ModelDiagnostic.Create(DiagnosticDescriptors.FileUnreadable, input.Path, System.IO.Path.GetFileName(input.Path), input.ReadError));
            else if (!diags.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                byte[] bytes;
                try { bytes = ModelFiles.ReadAllBytes(input.Path); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    diags.Add(ModelDiagnostic.Create(DiagnosticDescriptors.FileUnreadable, input.Path, System.IO.Path.GetFileName(input.Path), e.Message));
                    return new GeneratedModel(input.Path, input.Options.ClassName, input.Options.Namespace, hint, null, new EquatableArray<ModelDiagnostic>(diags));
                }
                var result = ModelCompiler.Compile(bytes, input.Path, input.Options, ct: ct);
                diags.AddRange(result.Diagnostics);
                source = result.Success ? result.Source : null;
                if (source is not null && EmbeddedBlobCheck.Check(result, input.Options, input.Path, input.BlobHash) is { } blobProblem)
                {
                    // Never wrong weights: code that would read a missing or stale resource is not emitted.
                    diags.Add(blobProblem);
                    source = null;
                }
            }
            return new GeneratedModel(input.Path, input.Options.ClassName, input.Options.Namespace, hint, source, new EquatableArray<ModelDiagnostic>(diags));
        }
    }

    /// <summary>A hint name other than the model's own: null means "emit nothing" (a duplicate class).</summary>
    public sealed record HintOverride(string Path, string? HintName);

    /// <summary>
    /// Project-wide naming: MG0402 for two models generating the same class (the later one by path is not emitted, so
    /// the user sees one error, not CS0101 as well), and distinct hint names for classes that differ only in case
    /// (the driver compares hint names ignoring case).
    /// </summary>
    public sealed record NamePlan(EquatableArray<ModelDiagnostic> Diagnostics, EquatableArray<HintOverride> Hints)
    {
        public static NamePlan Create(System.Collections.Immutable.ImmutableArray<GeneratedModel> all)
        {
            var diagnostics = new List<ModelDiagnostic>();
            var hints = new List<HintOverride>();
            var emitted = new List<GeneratedModel>();
            foreach (var group in all.OrderBy(m => m.Path, StringComparer.Ordinal).GroupBy(m => m.Namespace + "." + m.ClassName, StringComparer.Ordinal))
            {
                var ordered = group.ToList();
                emitted.Add(ordered[0]);
                for (int i = 1; i < ordered.Count; i++)
                {
                    string first = System.IO.Path.GetFileName(ordered[0].Path), second = System.IO.Path.GetFileName(ordered[i].Path);
                    if (first == second) (first, second) = (ordered[0].Path, ordered[i].Path);
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.DuplicateClassName, ordered[i].Path, first, second, group.Key));
                    hints.Add(new HintOverride(ordered[i].Path, null));
                }
            }
            foreach (var group in emitted.GroupBy(m => m.HintName, StringComparer.OrdinalIgnoreCase))
            {
                int k = 1;
                foreach (var m in group.Skip(1))
                    hints.Add(new HintOverride(m.Path, m.HintName.Substring(0, m.HintName.Length - ".g.cs".Length) + "." + (++k).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".g.cs"));
            }
            return new NamePlan(new EquatableArray<ModelDiagnostic>(diagnostics), new EquatableArray<HintOverride>(hints.OrderBy(h => h.Path, StringComparer.Ordinal)));
        }
    }
}
