using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;

namespace ModelGen.Passes
{
    /// <summary>
    /// Fuses the LayerNorm every exporter writes below opset 17 (PyTorch's nn.LayerNorm, Hugging Face BERTs, tf2onnx):
    /// m = ReduceMean(x), d = x − m, v = ReduceMean(d² as Pow(d, 2) or d·d), y = d / Sqrt(v + ε), then optionally · γ
    /// and + β with constants, into one LayerNormalization node: nine steps and as many passes over the activations
    /// become one kernel with two. The reductions must cover the trailing axes with keepdims, every intermediate must
    /// have no other reader, ε must be a constant scalar and γ, β constants that broadcast over the normalized axes only.
    /// </summary>
    public static class FuseLayerNorm
    {
        public static void Run(Graph graph)
        {
            bool changed = false;
            foreach (var mean in graph.Nodes.Where(n => n.OpType == "ReduceMean" && n.Domain.Length == 0).ToList())
            {
                if (!graph.Nodes.Contains(mean)) continue;
                var fused = TryMatch(graph, mean);
                if (fused is null) continue;
                var (node, removed) = fused.Value;
                int at = graph.Nodes.IndexOf(removed[removed.Count - 1]);
                graph.Nodes[at] = node;
                foreach (var r in removed.Take(removed.Count - 1)) graph.Nodes.Remove(r);
                changed = true;
            }
            if (changed) graph.Relink();
        }

        private static (Node Node, List<Node> Removed)? TryMatch(Graph graph, Node mean)
        {
            var x = mean.Input(0);
            if (x?.Shape is null || x.Type != DataType.Float || x.Rank == 0) return null;
            int axis = TrailingAxis(mean, x.Rank);
            if (axis < 0) return null;

            var m = mean.Outputs[0];
            var sub = Only(m);
            if (sub is null || sub.OpType != "Sub" || sub.Input(0) != x || sub.Input(1) != m) return null;
            var d = sub.Outputs[0];
            if (d.IsGraphOutput) return null;
            var readers = d.Consumers.Distinct().ToList();
            if (readers.Count != 2) return null;
            var square = readers.FirstOrDefault(n => IsSquare(n, d));
            var div = readers.FirstOrDefault(n => n.OpType == "Div" && n.Input(0) == d && n.Input(1) != d);
            if (square is null || div is null) return null;

            var varianceNode = Only(square.Outputs[0]);
            if (varianceNode is null || varianceNode.OpType != "ReduceMean" || varianceNode.Input(0) != square.Outputs[0]
                || TrailingAxis(varianceNode, x.Rank) != axis) return null;
            var addEps = Only(varianceNode.Outputs[0]);
            if (addEps is null || addEps.OpType != "Add") return null;
            var epsValue = addEps.Input(0) == varianceNode.Outputs[0] ? addEps.Input(1) : addEps.Input(0);
            if (epsValue?.Constant is null || epsValue.Length != 1 || epsValue.Type != DataType.Float) return null;
            float epsilon = epsValue.Constant.AsFloats()[0];
            if (!(epsilon >= 0) || float.IsInfinity(epsilon)) return null;
            var sqrt = Only(addEps.Outputs[0]);
            if (sqrt is null || sqrt.OpType != "Sqrt" || Only(sqrt.Outputs[0]) != div || div.Input(1) != sqrt.Outputs[0]) return null;

            var normalized = x.Shape.Skip(axis).ToArray();
            var removed = new List<Node> { mean, sub, square, varianceNode, addEps, sqrt, div };
            var last = div;
            Value? gamma = null, beta = null;
            if (Only(div.Outputs[0]) is { OpType: "Mul" } mul && Parameter(graph, mul, div.Outputs[0], x.Rank, normalized) is { } g)
            {
                gamma = g;
                removed.Add(mul);
                last = mul;
                if (Only(mul.Outputs[0]) is { OpType: "Add" } add && Parameter(graph, add, mul.Outputs[0], x.Rank, normalized) is { } b)
                {
                    beta = b;
                    removed.Add(add);
                    last = add;
                }
            }
            var y = last.Outputs[0];
            if (y.Shape is null || !y.Shape.SequenceEqual(x.Shape)) return null;
            if (removed.Any(n => n.Domain.Length != 0 || n.Outputs.Length != 1)) return null;

            gamma ??= Ones(graph, mean.Name + "_scale", normalized);
            var attributes = new Attributes(new[]
            {
                new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis },
                new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = epsilon },
            });
            var node = new Node(mean.Name, "LayerNormalization", "", 17, new[] { x, gamma, beta }, new[] { y }, attributes) { Guard = mean.Guard };
            node.Fused.AddRange(removed.Skip(1).Select(n => (n.Name, n.OpType)));
            return (node, removed);
        }

        /// <summary>The first reduced axis when a keepdims ReduceMean reduces exactly the trailing axes; −1 otherwise.</summary>
        private static int TrailingAxis(Node reduce, int rank)
        {
            if (reduce.Attributes.Int("keepdims", 1) != 1) return -1;
            long[]? axes = reduce.Attributes.Ints("axes");
            if (axes is null && reduce.Input(1) is { Constant: { } c } axesInput)
                axes = Enumerable.Range(0, axesInput.Length).Select(c.GetLong).ToArray();
            if (axes is null || axes.Length == 0) return -1;
            var sorted = axes.Select(a => a < 0 ? a + rank : a).Distinct().OrderBy(a => a).ToArray();
            if (sorted[0] < 0 || sorted[sorted.Length - 1] != rank - 1 || sorted.Length != rank - sorted[0]) return -1;
            return (int)sorted[0];
        }

        private static bool IsSquare(Node n, Value d) =>
            (n.OpType == "Mul" && n.Input(0) == d && n.Input(1) == d)
            || (n.OpType == "Pow" && n.Input(0) == d && n.Input(1) is { Constant: { } e } ev && ev.Length == 1 && e.GetDouble(0) == 2.0);

        /// <summary>The constant operand of a Mul/Add whose other operand is <paramref name="v"/>, if it broadcasts over the normalized axes only.</summary>
        private static Value? Parameter(Graph graph, Node n, Value v, int rank, int[] normalized)
        {
            var p = n.Input(0) == v ? n.Input(1) : n.Input(1) == v ? n.Input(0) : null;
            if (p is null || p == v || p.Constant is null || p.Type != DataType.Float || p.Shape is null || p.Shape.Length > rank) return null;
            // Leading ones aside, the parameter's shape must be a suffix of the normalized shape, each dim 1 or equal.
            var dims = p.Shape.SkipWhile(s => s == 1).ToArray();
            if (dims.Length > normalized.Length) return null;
            for (int i = 0; i < dims.Length; i++)
            {
                int target = normalized[normalized.Length - dims.Length + i];
                if (dims[i] != 1 && dims[i] != target) return null;
            }
            if (p.Shape.Length <= normalized.Length) return p;
            // [1, 1, C] for a [.., C] normalization: LayerNormalization wants at most the normalized rank.
            var shape = p.Shape.Skip(p.Shape.Length - normalized.Length).ToArray();
            return Constant(graph, p.Name + "_ln", p.Constant.WithShape(shape));
        }

        private static Node? Only(Value v)
        {
            if (v.IsGraphOutput) return null;
            var readers = v.Consumers.Distinct().ToList();
            return readers.Count == 1 ? readers[0] : null;
        }

        private static Value Ones(Graph graph, string name, int[] shape) =>
            Constant(graph, name, Tensor.FromFloats(shape, Enumerable.Repeat(1f, Shapes.Size(shape)).ToArray()));

        private static Value Constant(Graph graph, string name, Tensor data)
        {
            string unique = name;
            for (int i = 2; graph.Values.ContainsKey(unique); i++) unique = name + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var v = new Value(unique) { Type = DataType.Float, Shape = data.Shape, Constant = data };
            graph.Values[unique] = v;
            return v;
        }
    }
}
