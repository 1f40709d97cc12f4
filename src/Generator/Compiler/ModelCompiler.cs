using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ModelGen.Configuration;
using ModelGen.Common;
using ModelGen.Diagnostics;
using ModelGen.Emit;
using ModelGen.Ir;
using ModelGen.Onnx;
using ModelGen.Ops;
using ModelGen.Passes;
using ModelGen.Plan;
using ModelGen.Planning;

namespace ModelGen.Compiler
{
    /// <summary>Everything one compilation produced, for the generator, the CLI and tests.</summary>
    public sealed class CompileResult
    {
        public string? Source { get; set; }
        public byte[]? WeightBlob { get; set; }
        /// <summary>Lower-case hex SHA-256 of the blob's payload (Resource storage only).</summary>
        public string? WeightBlobHash { get; set; }
        /// <summary>Where the weights went: Literals or Resource (Auto resolved by the weight count).</summary>
        public WeightStorage Storage { get; set; }
        public List<ModelDiagnostic> Diagnostics { get; } = new();
        public Graph? Graph { get; set; }
        /// <summary>The execution plan the source was written from.</summary>
        public ExecutionPlan? Plan { get; set; }
        public long WeightBytes { get; set; }
        public bool Success => Source is not null && !Diagnostics.Any(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
    }

    /// <summary>The compiler: read → import → check support → infer shapes and fold → fuse → execution plan (lowering, memory) → emit.</summary>
    public static class ModelCompiler
    {
        /// <param name="profile">Instrument each step group with timestamps (ProfileTicks) for `modelgen profile`.</param>
        /// <param name="passes">The optimisation passes to run (default <see cref="Pipeline.Default"/>); tests compile without fusion to compare.</param>
        public static CompileResult Compile(byte[] bytes, string path, ModelOptions options, OpRegistry? registry = null, CancellationToken ct = default,
            IReadOnlyList<Action<Graph>>? passes = null, bool profile = false)
        {
            registry ??= OpRegistry.Default;
            passes ??= Pipeline.Default;
            var result = new CompileResult();
            try
            {
                CompileCore(bytes, path, options, registry, passes, profile, result, ct);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception e)
            {
                // The generator never throws: an internal error becomes a diagnostic that says what happened.
                result.Source = null;
                result.Diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.InvalidGraph, path, System.IO.Path.GetFileName(path), "model",
                    $"internal compiler error {e.GetType().Name}: {e.Message}"));
            }
            return result;
        }

        private static void CompileCore(byte[] bytes, string path, ModelOptions options, OpRegistry registry, IReadOnlyList<Action<Graph>> passes, bool profile, CompileResult result, CancellationToken ct)
        {
            var diagnostics = result.Diagnostics;
            var proto = OnnxImporter.Parse(bytes, path, diagnostics);
            if (proto is null) return;
            // Compression on request (Compression="..."): everything after sees an ordinary compressed ONNX model.
            if (options.Compression is { IsEmpty: false } compression) proto = Compression.CompressionStep.Apply(proto, compression, path, diagnostics);
            var graph = new OnnxImporter(path, options, diagnostics).Import(proto);
            if (graph is null) return;
            result.Graph = graph;

            // Function operators (contrib ops computed through standard ones) become their bodies first.
            if (!ExpandFunctions.Run(graph, registry, path, diagnostics)) return;

            // Every unsupported node at once, before anything else.
            var unsupported = graph.Nodes.Where(n => registry.Find(n) is null).ToList();
            foreach (var n in unsupported)
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.UnsupportedOperator, path, n.Name, n.OpType, n.Domain.Length == 0 ? "ai.onnx" : n.Domain, n.Opset));
            // ... and inside the subgraphs of If, Loop and Scan, which are compiled only when shape inference reaches them.
            int nested = 0;
            foreach (var np in graph.Nodes.SelectMany(SubgraphImporter.NestedNodes))
            {
                string domain = np.Domain == "ai.onnx" ? "" : np.Domain ?? "";
                if (registry.Find(domain, np.OpType) is not null) continue;
                graph.Opsets.TryGetValue(domain, out int opset);
                string name = np.Name.Length > 0 ? np.Name : $"{np.OpType}({string.Join(",", np.Output)})";
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.UnsupportedOperator, path, name, np.OpType, domain.Length == 0 ? "ai.onnx" : domain, opset));
                nested++;
            }
            if (unsupported.Count + nested > 0) return;

            foreach (var v in graph.Outputs.Concat(graph.Inputs))
                if (!DataTypes.IsSupported(v.Type) && v.Constant is null && v.Producer is null && v.IsGraphInput)
                    return; // already reported by the importer

            if (!ShapeInference.Run(graph, registry, path, diagnostics, ct)) return;
            foreach (var pass in passes)
            {
                ct.ThrowIfCancellationRequested();
                pass(graph);
            }
            DeadCodeElimination.Run(graph);

            var plan = Planner.Build(graph, registry, path, diagnostics, ct);
            if (plan is null) return;
            result.Plan = plan;
            var emitter = new ModelEmitter(plan, options, path, profile);
            result.Source = emitter.Emit(ct);
            result.WeightBlob = emitter.WeightBlob;
            result.WeightBlobHash = emitter.WeightBlobHash;
            result.Storage = emitter.Storage;
            result.WeightBytes = emitter.WeightBytes;
            if (plan.Compression.Count > 0)
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.CompressedWeights, path, System.IO.Path.GetFileName(path),
                    plan.Compression.Sum(c => c.Weights), plan.Compression.Sum(c => c.StoredBytes), plan.Compression.Sum(c => c.DenseBytes),
                    string.Join("; ", plan.Compression.Select(Describe))));
            if (result.Storage == WeightStorage.Literals && result.WeightBytes > LargeWeightBytes)
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.LargeWeights, path, System.IO.Path.GetFileName(path), result.WeightBytes));
        }

        /// <summary>One compressed layer for MG0302: the share of zeros only where weights were dropped (pruning).</summary>
        private static string Describe(Plan.WeightCompression c) => c.Kept < c.Weights
            ? string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0} '{1}' {2}, {3:P1} of {4} weights zero",
                c.OpType, c.Node, c.Technique, 1 - (double)c.Kept / Math.Max(1, c.Weights), c.Weights)
            : string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0} '{1}' {2}, {3} weights in {4} bytes instead of {5}",
                c.OpType, c.Node, c.Technique, c.Weights, c.StoredBytes, c.DenseBytes);

        /// <summary>Above this, literals cost more than a few seconds per build (FACTS.md: ~1.4 s and 0.3 GB per MB).</summary>
        public const long LargeWeightBytes = 4L * 1024 * 1024;

        /// <summary>
        /// WeightStorage=Auto puts more than this many bytes of weights in an embedded resource (written by the package's
        /// build task) and keeps smaller ones as literals. Literals cost every build of the project about 1.4 s and
        /// 0.3 GB of compiler memory per MB; a resource costs a flat ~1 s but needs the build task, which compiles the
        /// model once more inside MSBuild whenever the model changes. See docs/design.md, "Where the weights live".
        /// </summary>
        public const long AutoResourceBytes = ModelOptions.AutoResourceBytes;
    }
}
