using System.Collections.Generic;
using System.Linq;
using ModelGen.Diagnostics;
using ModelGen.Ir;
using ModelGen.Ops;

namespace ModelGen.Passes
{
    /// <summary>
    /// Replaces every node of a <see cref="FunctionOp"/> with its body, in place, before shape inference (bodies may use
    /// other function ops: expansion repeats until none is left). A node whose body cannot be written (a missing required
    /// input, a bad attribute) is reported and left alone.
    /// </summary>
    public static class ExpandFunctions
    {
        public static bool Run(Graph graph, OpRegistry registry, string path, List<ModelDiagnostic> diagnostics)
        {
            bool ok = true;
            for (int round = 0; round < 8; round++)
            {
                bool expanded = false;
                foreach (var node in graph.Nodes.ToList())
                {
                    if (registry.Find(node) is not FunctionOp function) continue;
                    var body = new FunctionBody(graph, node);
                    try
                    {
                        function.Expand(node, body);
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
                    int at = graph.Nodes.IndexOf(node);
                    graph.Nodes.RemoveAt(at);
                    graph.Nodes.InsertRange(at, body.Nodes);
                    expanded = true;
                }
                if (!expanded) break;
                graph.Relink();
            }
            return ok;
        }
    }
}
