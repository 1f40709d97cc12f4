using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Passes
{
    /// <summary>
    /// Merges a residual Add into the convolution that produces one of its operands: Add(Conv(x), r) with r of the same
    /// shape (no broadcast) and nothing else reading the Conv's output becomes one Conv whose kernel adds r while writing
    /// (<see cref="Node.FusedResidual"/>, r appended as its last input); an activation after the Add then fuses into the
    /// same epilogue (<see cref="FuseActivation"/> runs next). Depthwise convolutions, whose generated kernels have no
    /// residual, are left alone. The Conv moves to the Add's place in the node order, where r is sure to be computed.
    /// </summary>
    public static class FuseResidualAdd
    {
        public static void Run(Graph graph)
        {
            foreach (var add in graph.Nodes.ToList())
            {
                if (add.OpType != "Add" || add.Domain.Length != 0 || add.Inputs.Length != 2 || add.Outputs.Length != 1) continue;
                if (add.Inputs[0] is null || add.Inputs[1] is null || add.Outputs[0].Type != DataType.Float) continue;
                // Of two convolutions, fuse into the later one: the other's output is then already computed.
                Node? conv = null;
                Value? residual = null;
                for (int i = 0; i < 2; i++)
                {
                    var candidate = Fusable(add.Inputs[i]!, add.Inputs[1 - i]!);
                    if (candidate is not null && (conv is null || graph.Nodes.IndexOf(candidate) > graph.Nodes.IndexOf(conv)))
                    {
                        conv = candidate;
                        residual = add.Inputs[1 - i];
                    }
                }
                if (conv is null) continue;
                var inputs = conv.Inputs.Concat(Enumerable.Repeat<Value?>(null, 3 - conv.Inputs.Length)).ToList();
                inputs.Add(residual);
                conv.Inputs = inputs.ToArray();
                conv.FusedResidual = true;
                conv.Fused.Add((add.Name, add.OpType));
                conv.Outputs[0] = add.Outputs[0];
                graph.Nodes.Remove(conv);
                graph.Nodes[graph.Nodes.IndexOf(add)] = conv;
                graph.Relink();
            }
        }

        /// <summary>The Conv producing <paramref name="y"/> when the Add's other operand <paramref name="r"/> can join its epilogue.</summary>
        private static Node? Fusable(Value y, Value r)
        {
            var conv = y.Producer;
            if (conv is null || conv.OpType != "Conv" || conv.Domain.Length != 0 || conv.FusedActivation is not null || conv.FusedResidual) return null;
            if (y.Consumers.Count != 1 || y.IsGraphOutput || y.Type != DataType.Float || r == y || r.Type != DataType.Float) return null;
            if (y.Shape is null || r.Shape is null || !y.Shape.SequenceEqual(r.Shape) || conv.Inputs.Length > 3) return null;
            var x = conv.Inputs[0]?.Shape;
            long group = conv.Attributes.Int("group", 1);
            bool depthwise = x is not null && x.Length > 1 && group > 1 && group == x[1] && y.Shape.Length > 1 && y.Shape[1] == x[1];
            return depthwise ? null : conv;
        }
    }
}
