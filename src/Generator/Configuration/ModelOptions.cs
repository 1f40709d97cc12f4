using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelGen.Common;
using ModelGen.Diagnostics;

namespace ModelGen.Configuration
{
    /// <summary>How a model's weights are stored in the generated assembly.</summary>
    public enum WeightStorage
    {
        /// <summary>ulong literals behind a ReadOnlySpan property: data in the PE image, no copy, no allocation.</summary>
        Literals,
        /// <summary>One manifest resource per model (the host embeds it); read in place through a pointer.</summary>
        Resource,
        /// <summary>
        /// Resource above <see cref="ModelCompiler.AutoResourceBytes"/> of weights, Literals up to it. The default for
        /// &lt;OnnxModel&gt; items; the generator treats it as Literals when the package's build task did not run for the
        /// model (nobody would embed the resource).
        /// </summary>
        Auto,
    }

    /// <summary>Per-model settings from the project item's metadata. Equatable: it is part of the pipeline key.</summary>
    public sealed record ModelOptions(
        string ClassName,
        string Namespace,
        EquatableArray<DimensionBinding> Dimensions,
        EquatableArray<ShapeBinding> Shapes,
        WeightStorage Weights = WeightStorage.Literals,
        global::ModelGen.Compression.CompressionOptions? Compression = null)
    {
        /// <summary>
        /// Inputs fixed at build time (metadata Values="sr=16000,mode=1"): each becomes a constant of its declared type and
        /// shape (one number fills it; a space-separated list gives every element), and leaves the Predict signature. An If,
        /// Reshape or Slice that depends on it then folds.
        /// </summary>
        public EquatableArray<ValueBinding> Values { get; init; } = EquatableArray<ValueBinding>.Empty;

        /// <summary>With <see cref="WeightStorage.Auto"/>, weights above this many bytes go into the build task's resource (docs/design.md).</summary>
        public const long AutoResourceBytes = 1L * 1024 * 1024;

        public static ModelOptions Default(string className, string ns = "ModelGen.Models") =>
            new(className, ns, EquatableArray<DimensionBinding>.Empty, EquatableArray<ShapeBinding>.Empty);

        /// <summary>Item metadata names read by <see cref="FromMetadata"/>.</summary>
        public static readonly IReadOnlyList<string> MetadataNames = new[] { "ClassName", "Namespace", "Dimensions", "Shapes", "WeightStorage", "Compression", "CompressionKeep", "Values" };

        /// <summary>
        /// The options of one model item from its metadata. The one parser for the generator (metadata from the
        /// compiler's analyzer config) and the package's build task (metadata from the MSBuild item), so that both
        /// compile the model with the same options. <paramref name="metadata"/> returns null or "" for absent metadata.
        /// </summary>
        public static ModelOptions FromMetadata(Func<string, string?> metadata, string path, string? rootNamespace, List<ModelDiagnostic> diagnostics)
        {
            string Get(string key) => metadata(key) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : "";
            string fileStem = System.IO.Path.GetFileNameWithoutExtension(path);
            string name = System.IO.Path.GetFileName(path);

            string className = Get("ClassName");
            if (className.Length == 0) className = Emit.IdentifierScope.Sanitize(fileStem, pascal: true, "Model");
            else if (!IsIdentifier(className))
            {
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, path, "ClassName", className, name, "not a valid C# identifier"));
                className = Emit.IdentifierScope.Sanitize(className, pascal: true, "Model");
            }
            string ns = Get("Namespace");
            if (ns.Length == 0)
                ns = !string.IsNullOrWhiteSpace(rootNamespace) ? rootNamespace!.Trim() : "ModelGen.Models";
            if (!ns.Split('.').All(IsIdentifier))
            {
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, path, "Namespace", ns, name, "not a valid C# namespace"));
                ns = "ModelGen.Models";
            }
            var dims = ParseDimensions(Get("Dimensions"), name, diagnostics, path);
            var shapes = ParseShapes(Get("Shapes"), name, diagnostics, path);
            var storage = WeightStorage.Auto;
            string storageText = Get("WeightStorage");
            if (storageText.Length > 0 && (!Enum.TryParse(storageText, ignoreCase: true, out storage) || !Enum.IsDefined(typeof(WeightStorage), storage) || char.IsDigit(storageText[0])))
            {
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, path, "WeightStorage", storageText, name, "expected Auto, Literals or Resource"));
                storage = WeightStorage.Auto;
            }
            // Compression="int4;prune=0.5" (docs/compression/compress.md) and CompressionKeep="conv1,fc" (layers left float).
            global::ModelGen.Compression.CompressionOptions? compression = null;
            string compressionText = Get("Compression"), keepText = Get("CompressionKeep");
            if (compressionText.Length > 0 || keepText.Length > 0)
            {
                compression = global::ModelGen.Compression.CompressionOptions.Parse(compressionText, keepText, out string error);
                if (compression is null)
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, path, "Compression", compressionText, name, error));
                else if (compression.Quantization == global::ModelGen.Compression.WeightQuantization.Int8Static)
                {
                    // Static quantization needs activation ranges from running the model, which a build cannot do.
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, path, "Compression", compressionText, name,
                        "int8-static needs calibration (running the float model): write the QDQ model with `modelgen compress IN.onnx OUT.onnx --int8-static [--calibration data.csv]` and compile that file"));
                    compression = null;
                }
                else if (compression.IsEmpty)
                {
                    if (keepText.Length > 0)
                        diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, path, "CompressionKeep", keepText, name, "it names layers to keep float, but Compression asks for nothing"));
                    compression = null;
                }
            }
            var values = ParseValues(Get("Values"), name, diagnostics, path);
            return new ModelOptions(className, ns, dims, shapes, storage, compression) { Values = values };
        }

        private static bool IsIdentifier(string s) =>
            Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(s) && Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(s) == Microsoft.CodeAnalysis.CSharp.SyntaxKind.None;

        /// <summary>Parses "batch=1,seq=128".</summary>
        public static EquatableArray<DimensionBinding> ParseDimensions(string? text, string model, List<ModelDiagnostic> diagnostics, string? path)
        {
            var result = new List<DimensionBinding>();
            if (string.IsNullOrWhiteSpace(text)) return EquatableArray<DimensionBinding>.Empty;
            foreach (var part in text!.Split(new[] { ',', ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = part.Split('=');
                if (kv.Length != 2 || kv[0].Trim().Length == 0 || !int.TryParse(kv[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value <= 0)
                {
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, path, "Dimensions", text, model, $"'{part.Trim()}' is not of the form name=positive-integer"));
                    continue;
                }
                result.Add(new DimensionBinding(kv[0].Trim(), value));
            }
            return new EquatableArray<DimensionBinding>(result.OrderBy(d => d.Name, StringComparer.Ordinal));
        }

        /// <summary>Parses "sr=16000,mode=true,mask=1 0 1" (numbers in invariant culture; true/false are 1/0).</summary>
        public static EquatableArray<ValueBinding> ParseValues(string? text, string model, List<ModelDiagnostic> diagnostics, string? path)
        {
            var result = new List<ValueBinding>();
            if (string.IsNullOrWhiteSpace(text)) return EquatableArray<ValueBinding>.Empty;
            foreach (var part in text!.Split(new[] { ',', ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = part.IndexOf('=');
                var items = eq > 0 ? part.Substring(eq + 1).Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>();
                var parsed = items.Select(ParseNumber).ToArray();
                if (eq <= 0 || parsed.Length == 0 || parsed.Any(v => v is null))
                {
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, path, "Values", text, model, $"'{part.Trim()}' is not of the form input=number or input=n1 n2 ..."));
                    continue;
                }
                result.Add(new ValueBinding(part.Substring(0, eq).Trim(), new EquatableArray<double>(parsed.Select(v => v!.Value))));
            }
            return new EquatableArray<ValueBinding>(result.OrderBy(v => v.Input, StringComparer.Ordinal));
        }

        private static double? ParseNumber(string s)
        {
            s = s.Trim();
            if (s.Equals("true", StringComparison.OrdinalIgnoreCase)) return 1;
            if (s.Equals("false", StringComparison.OrdinalIgnoreCase)) return 0;
            return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
        }

        /// <summary>Parses "input=1x3x224x224,mask=1x16".</summary>
        public static EquatableArray<ShapeBinding> ParseShapes(string? text, string model, List<ModelDiagnostic> diagnostics, string? path)
        {
            var result = new List<ShapeBinding>();
            if (string.IsNullOrWhiteSpace(text)) return EquatableArray<ShapeBinding>.Empty;
            foreach (var part in text!.Split(new[] { ',', ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = part.LastIndexOf('=');
                var dims = eq > 0 ? part.Substring(eq + 1).Trim().Split('x', 'X', '*') : Array.Empty<string>();
                var parsed = dims.Select(d => int.TryParse(d.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : -1).ToArray();
                if (eq <= 0 || parsed.Length == 0 || parsed.Any(v => v < 0))
                {
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.BadMetadata, path, "Shapes", text, model, $"'{part.Trim()}' is not of the form input=AxBxC"));
                    continue;
                }
                result.Add(new ShapeBinding(part.Substring(0, eq).Trim(), new EquatableArray<int>(parsed)));
            }
            return new EquatableArray<ShapeBinding>(result.OrderBy(d => d.Input, StringComparer.Ordinal));
        }
    }

    public sealed record DimensionBinding(string Name, int Value);

    /// <summary>An input fixed at build time: one value (fills the input) or one per element.</summary>
    public sealed record ValueBinding(string Input, EquatableArray<double> Values);

    public sealed record ShapeBinding(string Input, EquatableArray<int> Shape);
}
