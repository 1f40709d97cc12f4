using System;
using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Passes
{
    /// <summary>
    /// Fuses the exact GELU exporters write below opset 20 (PyTorch's F.gelu, BERT's intermediate activation):
    /// x·(1 + erf(x/√2))·0.5, as Div(x, √2) or Mul(x, 1/√2), Erf, Add 1, Mul x, Mul 0.5 in either operand order,
    /// into one Gelu node: five passes over the widest activation of a transformer become one. Every intermediate must
    /// have no other reader and the constants must be scalars of those values (to float precision).
    /// </summary>
    public static class FuseGelu
    {
        public static void Run(Graph graph)
        {
            bool changed = false;
            foreach (var erf in graph.Nodes.Where(n => n.OpType == "Erf" && n.Domain.Length == 0).ToList())
            {
                var scaled = erf.Input(0);
                var first = scaled?.Producer;
                if (first is null || Only(scaled!) != erf || first.Domain.Length != 0) continue;
                Value? x = first.OpType switch
                {
                    "Div" when IsScalar(first.Input(1), Math.Sqrt(2)) => first.Input(0),
                    "Mul" => IsScalar(first.Input(1), Math.Sqrt(0.5)) ? first.Input(0) : IsScalar(first.Input(0), Math.Sqrt(0.5)) ? first.Input(1) : null,
                    _ => null,
                };
                if (x?.Shape is null || x.Type != DataType.Float) continue;
                var addOne = Only(erf.Outputs[0]);
                if (addOne is not { OpType: "Add" } || !HasScalarOperand(addOne, erf.Outputs[0], 1.0)) continue;
                var timesX = Only(addOne.Outputs[0]);
                if (timesX is not { OpType: "Mul" } || Other(timesX, addOne.Outputs[0]) != x) continue;
                var half = Only(timesX.Outputs[0]);
                if (half is not { OpType: "Mul" } || !HasScalarOperand(half, timesX.Outputs[0], 0.5)) continue;
                var y = half.Outputs[0];
                if (y.Shape is null || !y.Shape.SequenceEqual(x.Shape)) continue;
                var removed = new[] { first, erf, addOne, timesX, half };
                if (removed.Any(n => n.Domain.Length != 0 || n.Outputs.Length != 1)) continue;

                var gelu = new Node(erf.Name, "Gelu", "", 20, new[] { x }, new[] { y }, Attributes.Empty) { Guard = erf.Guard };
                gelu.Fused.AddRange(removed.Where(n => n != erf).Select(n => (n.Name, n.OpType)));
                graph.Nodes[graph.Nodes.IndexOf(half)] = gelu;
                foreach (var n in removed.Take(4)) graph.Nodes.Remove(n);
                changed = true;
                graph.Relink();
            }
            if (changed) graph.Relink();
        }

        private static bool IsScalar(Value? v, double expected) =>
            v is { Constant: { } c, Type: DataType.Float } && v.Length == 1 && (float)c.GetDouble(0) == (float)expected;

        private static bool HasScalarOperand(Node n, Value v, double expected) =>
            (n.Input(0) == v && IsScalar(n.Input(1), expected)) || (n.Input(1) == v && IsScalar(n.Input(0), expected));

        private static Value? Other(Node n, Value v) => n.Input(0) == v ? n.Input(1) : n.Input(1) == v ? n.Input(0) : null;

        private static Node? Only(Value v)
        {
            if (v.IsGraphOutput) return null;
            var readers = v.Consumers.Distinct().ToList();
            return readers.Count == 1 ? readers[0] : null;
        }
    }
}
