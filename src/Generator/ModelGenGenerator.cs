using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
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

            // Class names must be unique across the project.
            var duplicates = compiled.Collect().Select(static (all, _) => GeneratedModel.FindDuplicates(all)).WithTrackingName(StepNames.CheckNames);

            context.RegisterSourceOutput(compiled, static (spc, model) =>
            {
                foreach (var d in model.Diagnostics) spc.ReportDiagnostic(d.ToDiagnostic());
                if (model.Source is not null) spc.AddSource(model.HintName, SourceText.From(model.Source, Encoding.UTF8));
            });
            context.RegisterSourceOutput(duplicates, static (spc, diags) =>
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

    /// <summary>What the generator knows about one model file before compiling it.</summary>
    public sealed record ModelInput(string Path, ModelOptions Options, string ContentHash, EquatableArray<ModelDiagnostic> OptionDiagnostics, string? ReadError)
    {
        public static ModelInput Create(AdditionalText text, AnalyzerConfigOptions options, AnalyzerConfigOptions global)
        {
            string Get(string key) => options.TryGetValue("build_metadata.AdditionalFiles." + key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : "";
            string fileStem = System.IO.Path.GetFileNameWithoutExtension(text.Path);
            string name = System.IO.Path.GetFileName(text.Path);
            var diags = new List<ModelDiagnostic>();

            string className = Get("ClassName");
            if (className.Length == 0) className = Emit.IdentifierScope.Sanitize(fileStem, pascal: true, "Model");
            else if (!IsIdentifier(className))
            {
                diags.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, text.Path, "ClassName", className, name, "not a valid C# identifier"));
                className = Emit.IdentifierScope.Sanitize(className, pascal: true, "Model");
            }
            string ns = Get("Namespace");
            if (ns.Length == 0)
                ns = global.TryGetValue("build_property.RootNamespace", out var root) && root.Length > 0 ? root : "ModelGen.Models";
            if (!ns.Split('.').All(IsIdentifier))
            {
                diags.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, text.Path, "Namespace", ns, name, "not a valid C# namespace"));
                ns = "ModelGen.Models";
            }
            var dims = ModelOptions.ParseDimensions(Get("Dimensions"), name, diags, text.Path);
            var shapes = ModelOptions.ParseShapes(Get("Shapes"), name, diags, text.Path);
            var storage = WeightStorage.Literals;
            string storageText = Get("WeightStorage");
            if (storageText.Length > 0 && !Enum.TryParse(storageText, ignoreCase: true, out storage))
                diags.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, text.Path, "WeightStorage", storageText, name, "expected Literals or Resource"));

            string hash = "", error = "";
            try
            {
                hash = Hash(ModelFiles.ReadAllBytes(text.Path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                error = e.Message;
            }
            return new ModelInput(text.Path, new ModelOptions(className, ns, dims, shapes, storage), hash,
                new EquatableArray<ModelDiagnostic>(diags), error.Length > 0 ? error : null);
        }

        private static bool IsIdentifier(string s) =>
            Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(s) && Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(s) == Microsoft.CodeAnalysis.CSharp.SyntaxKind.None;

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
            }
            return new GeneratedModel(input.Path, input.Options.ClassName, input.Options.Namespace, hint, source, new EquatableArray<ModelDiagnostic>(diags));
        }

        public static EquatableArray<ModelDiagnostic> FindDuplicates(System.Collections.Immutable.ImmutableArray<GeneratedModel> all)
        {
            var result = new List<ModelDiagnostic>();
            foreach (var group in all.GroupBy(m => m.Namespace + "." + m.ClassName, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                var ordered = group.OrderBy(m => m.Path, StringComparer.Ordinal).ToList();
                for (int i = 1; i < ordered.Count; i++)
                    result.Add(ModelDiagnostic.Create(DiagnosticDescriptors.DuplicateClassName, ordered[i].Path,
                        System.IO.Path.GetFileName(ordered[0].Path), System.IO.Path.GetFileName(ordered[i].Path), group.Key));
            }
            return new EquatableArray<ModelDiagnostic>(result);
        }
    }
}
