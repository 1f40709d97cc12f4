using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;

namespace ModelGen.Onnx
{
    /// <summary>The nodes one copy of a subgraph became, and the values its outputs name.</summary>
    public sealed record InlinedSubgraph(List<Node> Nodes, List<Value> Outputs);

    /// <summary>
    /// Copies a subgraph (an If branch, a Loop or Scan body) into the main graph as ordinary nodes: its inputs become the
    /// values the caller passes, its initializers constants, and every value it defines a new value named under
    /// <c>prefix</c>, so copies of one body (the iterations of an unrolled Loop) never clash. Names the subgraph does
    /// not define refer to the enclosing scope, as the IR spec says.
    /// </summary>
    public static class SubgraphImporter
    {
        /// <summary>The subgraph attributes of control-flow operators.</summary>
        public static IEnumerable<GraphProto> Subgraphs(IEnumerable<AttributeProto> attributes) =>
            attributes.SelectMany(a => a.G is not null ? new[] { a.G } : a.Graphs.AsEnumerable());

        /// <summary>Every node inside the subgraphs of <paramref name="node"/>, at any depth, for the up-front support check.</summary>
        public static IEnumerable<NodeProto> NestedNodes(Node node)
        {
            var pending = new Stack<GraphProto>(Subgraphs(node.Attributes.All));
            while (pending.Count > 0)
            {
                foreach (var n in pending.Pop().Node)
                {
                    yield return n;
                    foreach (var g in Subgraphs(n.Attribute)) pending.Push(g);
                }
            }
        }

        /// <param name="owner">The control-flow node whose attribute holds the subgraph.</param>
        /// <param name="arguments">The values bound to the subgraph's inputs, in order.</param>
        /// <param name="results">
        /// When given, the values the subgraph's outputs must become (the owner's outputs): the nodes that compute them
        /// write them directly, and an Identity copies an output the subgraph merely passes through.
        /// </param>
        /// <param name="guard">The guard of every node of the copy.</param>
        public static InlinedSubgraph Inline(Graph graph, Node owner, string attribute, string prefix, IReadOnlyList<Value> arguments,
            IReadOnlyList<Value>? results, BranchGuard? guard)
        {
            var body = owner.Attributes.Raw(attribute)?.G ?? throw new IrException($"has no subgraph attribute '{attribute}'");
            if (body.Input.Count != arguments.Count)
                throw new IrException($"its subgraph '{attribute}' has {body.Input.Count} inputs where the operator gives it {arguments.Count}");
            if (results is not null && body.Output.Count != results.Count)
                throw new IrException($"its subgraph '{attribute}' has {body.Output.Count} outputs where the node has {results.Count}");

            // The scope of the copy: the subgraph's own names, then what the owner saw, then the main graph's values (the IR
            // forbids a subgraph to redefine an outer name; where an exporter does, the innermost definition wins).
            var scope = owner.Scope is null
                ? new Dictionary<string, Value>(StringComparer.Ordinal)
                : new Dictionary<string, Value>(owner.Scope.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
            Value Resolve(string name) =>
                scope.TryGetValue(name, out var v) || graph.Values.TryGetValue(name, out v)
                    ? v!
                    : throw new IrException($"its subgraph '{attribute}' uses '{name}', which no node, initializer or input of it or of an enclosing graph defines");

            for (int i = 0; i < arguments.Count; i++) scope[body.Input[i].Name] = arguments[i];
            foreach (var init in body.Initializer)
            {
                if (init.HasDataLocation && init.DataLocation == TensorProto.Types.DataLocation.External)
                    throw new UnsupportedException($"initializer '{init.Name}' of its subgraph '{attribute}' keeps its data in an external file, which ModelGen reads only for the main graph");
                var tensor = TensorReader.Read(init);
                var v = graph.NewValue(prefix + init.Name);
                v.Constant = tensor;
                v.Type = tensor.Type;
                v.Shape = tensor.Shape;
                scope[init.Name] = v;
            }
            if (body.SparseInitializer.Count > 0)
                throw new UnsupportedException($"its subgraph '{attribute}' has sparse initializers, which ModelGen reads only for the main graph");

            // Outputs that nodes of the subgraph compute are written straight into the owner's outputs.
            var direct = new Dictionary<string, Value>(StringComparer.Ordinal);
            if (results is not null)
                for (int k = 0; k < results.Count; k++)
                    if (!direct.ContainsKey(body.Output[k].Name)) direct[body.Output[k].Name] = results[k];

            var nodes = new List<Node>();
            int unnamed = 0;
            foreach (var np in body.Node)
            {
                var inputs = np.Input.Select(name => name.Length == 0 ? null : Resolve(name)).ToArray();
                var outputs = new Value[np.Output.Count];
                for (int k = 0; k < outputs.Length; k++)
                {
                    string name = np.Output[k];
                    outputs[k] = name.Length > 0 && direct.TryGetValue(name, out var target) ? target : graph.NewValue(prefix + (name.Length > 0 ? name : $"<unused:{unnamed++}>"));
                    if (name.Length > 0) scope[name] = outputs[k];
                }
                string domain = np.Domain == "ai.onnx" ? "" : np.Domain ?? "";
                graph.Opsets.TryGetValue(domain, out int opset);
                string nodeName = prefix + (np.Name.Length > 0 ? np.Name : $"{np.OpType}({string.Join(",", np.Output)})");
                nodes.Add(new Node(nodeName, np.OpType, domain, opset, inputs, outputs, new Attributes(np.Attribute)) { Guard = guard, Scope = scope });
            }

            var results2 = new List<Value>();
            for (int k = 0; k < body.Output.Count; k++)
            {
                var v = Resolve(body.Output[k].Name);
                if (results is not null && v != results[k])
                {
                    // A pass-through (an input, a constant, an outer value, or an output listed twice): copy it.
                    graph.Opsets.TryGetValue("", out int opset);
                    nodes.Add(new Node($"{prefix}output{k}", "Identity", "", opset, new Value?[] { v }, new[] { results[k] }, Attributes.Empty) { Guard = guard, Scope = scope });
                    v = results[k];
                }
                results2.Add(v);
            }
            return new InlinedSubgraph(nodes, results2);
        }
    }
}
