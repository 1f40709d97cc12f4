using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ModelGen.Diagnostics;
using ModelGen.Ir;
using ModelGen.Ops;

namespace ModelGen.Passes
{
    /// <summary>
    /// Walks the graph in order, infers every output's type and concrete shape, and folds nodes whose inputs are all
    /// constant (Shape, Gather, Cast, Range, ... on constants) into constants. Reports invalid nodes and unsupported
    /// configurations, all of them, and returns false if any.
    /// </summary>
    public static class ShapeInference
    {
        public static bool Run(Graph graph, OpRegistry registry, string path, List<ModelDiagnostic> diagnostics, CancellationToken ct)
        {
            bool ok = true;
            var folded = new HashSet<Node>();
            for (int index = 0; index < graph.Nodes.Count; index++)
            {
                ct.ThrowIfCancellationRequested();
                var node = graph.Nodes[index];
                try
                {
                    if (OnnxSchemas.Check(node, node.Attributes.All) is { } problem) throw new IrException(problem);
                    if (LegacyOpsets.Upgrade(graph, node) is { } upgraded)
                    {
                        Splice(graph, index, node, upgraded);
                        node = graph.Nodes[index];
                    }
                }
                catch (IrException e)
                {
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.InvalidGraph, path, node.Name, node.OpType, e.Message));
                    ok = false;
                    continue;
                }
                catch (UnsupportedException e)
                {
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.UnsupportedAttribute, path, node.Name, node.OpType, e.Message));
                    ok = false;
                    continue;
                }
                var def = registry.Find(node);
                if (def is null)
                {
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.UnsupportedOperator, path, node.Name, node.OpType, node.Domain.Length == 0 ? "ai.onnx" : node.Domain, node.Opset));
                    ok = false;
                    continue;
                }
                var missing = node.Inputs.FirstOrDefault(i => i is not null && i.Shape is null && i.Constant is null && !graph.Sequences.ContainsKey(i));
                if (missing is not null)
                {
                    // An earlier failure already explains this, unless the graph is out of order.
                    if (ok) diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.InvalidGraph, path, node.Name, node.OpType, $"input '{missing.Name}' is used before it is computed"));
                    ok = false;
                    continue;
                }
                if (def is not ControlFlowOp && node.Inputs.FirstOrDefault(i => i is not null && graph.Sequences.ContainsKey(i)) is { } sequence)
                {
                    // A sequence exists only at build time: an Identity passes the list on, any other operator needs tensors.
                    if (node.OpType == "Identity" && node.Domain.Length == 0) { graph.Sequences[node.Outputs[0]] = graph.Sequences[sequence]; graph.Nodes.RemoveAt(index--); continue; }
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.UnsupportedAttribute, path, node.Name, node.OpType,
                        $"input '{sequence.Name}' is a sequence, which ModelGen keeps only at build time, for the sequence operators"));
                    ok = false;
                    continue;
                }
                if (def is ControlFlowOp or FunctionOp)
                {
                    // Subgraphs (If, Loop, Scan) and function bodies of nodes inside them: the nodes replacing this one come next.
                    if (Replace(graph, index, node, def, path, diagnostics)) index--;
                    else ok = false;
                    continue;
                }
                try
                {
                    def.InferShapes(node);
                    RowCounts.Propagate(node);
                    foreach (var o in node.Outputs)
                    {
                        if (o.Shape is null) throw new InvalidOperationException($"{def.OpType} left output '{o.Name}' without a shape");
                        if (!DataTypes.IsSupported(o.Type))
                            throw new UnsupportedException($"output '{o.Name}' has element type {DataTypes.OnnxName(o.Type)}, which ModelGen does not support");
                    }
                    if ((def.FoldsWithoutConstantInputs || node.Inputs.All(i => i is null || i.Constant is not null)) && def.TryFold(node))
                        folded.Add(node);
                }
                catch (IrException e)
                {
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.InvalidGraph, path, node.Name, node.OpType, e.Message));
                    ok = false;
                }
                catch (UnsupportedException) when (HalfPrecision.Widen(graph, node, def, registry) is { } widened)
                {
                    // A float16 node of an operator that computes in float: it runs in float between casts, visited next.
                    foreach (var o in node.Outputs) o.RowCount = null;
                    Splice(graph, index--, node, widened);
                }
                catch (UnsupportedException e)
                {
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.UnsupportedAttribute, path, node.Name, node.OpType, e.Message + TraceToGraphInputs(graph, e.Message)));
                    ok = false;
                }
            }
            foreach (var output in graph.Outputs.Where(graph.Sequences.ContainsKey))
            {
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.UnsupportedDataType, path, output.Name, "sequence"));
                ok = false;
            }
            graph.Nodes.RemoveAll(folded.Contains);
            graph.Relink();
            return ok;
        }

        /// <summary>Puts the nodes an If, Loop, Scan or function op becomes in its place; false (and reported) when it cannot.</summary>
        private static bool Replace(Graph graph, int index, Node node, OpDefinition def, string path, List<ModelDiagnostic> diagnostics)
        {
            List<Node> replacement;
            try
            {
                if (def is ControlFlowOp flow) replacement = flow.Inline(graph, node);
                else
                {
                    var body = new FunctionBody(graph, node);
                    ((FunctionOp)def).Expand(node, body);
                    replacement = body.Nodes;
                }
            }
            catch (IrException e)
            {
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.InvalidGraph, path, node.Name, node.OpType, e.Message));
                return false;
            }
            catch (UnsupportedException e)
            {
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.UnsupportedAttribute, path, node.Name, node.OpType, e.Message + TraceToGraphInputs(graph, e.Message)));
                return false;
            }
            Splice(graph, index, node, replacement);
            return true;
        }

        /// <summary>Puts <paramref name="replacement"/> where <paramref name="node"/> stood.</summary>
        private static void Splice(Graph graph, int index, Node node, IReadOnlyList<Node> replacement)
        {
            foreach (var n in replacement)
            {
                // What was inside a guarded branch stays inside it; names its subgraphs refer to stay visible.
                n.Guard ??= node.Guard;
                n.Scope ??= node.Scope;
            }
            graph.Nodes.RemoveAt(index);
            graph.Nodes.InsertRange(index, replacement);
        }

        private static readonly System.Text.RegularExpressions.Regex BuildTimeInput =
            new("input '([^']+)' must be known at build time", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>
        /// When a value needed at build time is computed inside the graph (a size cast, a shape sliced), the graph inputs it
        /// comes from: those are what the user fixes with the Values metadata. Empty when it is a graph input itself.
        /// </summary>
        private static string TraceToGraphInputs(Graph graph, string message)
        {
            var m = BuildTimeInput.Match(message);
            if (!m.Success || !graph.Values.TryGetValue(m.Groups[1].Value, out var start) || start.IsGraphInput) return "";
            var inputs = new SortedSet<string>(StringComparer.Ordinal);
            var seen = new HashSet<Value>();
            var stack = new Stack<Value>();
            stack.Push(start);
            while (stack.Count > 0)
            {
                var v = stack.Pop();
                if (!seen.Add(v)) continue;
                if (v.IsGraphInput) { inputs.Add(v.Name); continue; }
                var producer = graph.Nodes.FirstOrDefault(n => n.Outputs.Contains(v));
                if (producer is null) continue;
                foreach (var i in producer.Inputs) if (i is not null && i.Constant is null) stack.Push(i);
            }
            return inputs.Count == 0 ? "" :
                $"; it is computed from graph input {string.Join(", ", inputs.Select(n => $"'{n}'"))}: fix {(inputs.Count == 1 ? "it" : "them")} with the Values metadata";
        }
    }

    /// <summary>Removes nodes none of whose outputs reach a graph output.</summary>
    public static class DeadCodeElimination
    {
        public static void Run(Graph graph)
        {
            var needed = new HashSet<Value>(graph.Outputs);
            for (int i = graph.Nodes.Count - 1; i >= 0; i--)
            {
                var node = graph.Nodes[i];
                if (node.Outputs.Any(needed.Contains))
                {
                    foreach (var input in node.Inputs) if (input is not null) needed.Add(input);
                    for (var g = node.Guard; g is not null; g = g.Outer) needed.Add(g.Condition);
                }
                else graph.Nodes.RemoveAt(i);
            }
            graph.Relink();
        }
    }
}
