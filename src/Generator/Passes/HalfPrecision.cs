using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;
using ModelGen.Ops;

namespace ModelGen.Passes
{
    /// <summary>
    /// A float16 or bfloat16 node whose operator computes only in float (Conv, MatMul, LSTM, pooling, ...) runs in float,
    /// as ONNX Runtime's CPU provider runs half-precision operators it has no kernel for: the half inputs are cast up
    /// (exactly), the node computes in float, and its float outputs are cast back (rounded to nearest even). Models
    /// converted to float16 for size then compile whole. Double is not widened this way: computing it in float would
    /// lose precision silently.
    /// </summary>
    public static class HalfPrecision
    {
        /// <summary>The nodes computing <paramref name="node"/> in float, or null when widening does not apply or does not help.</summary>
        public static List<Node>? Widen(Graph graph, Node node, OpDefinition def, OpRegistry registry)
        {
            var half = node.Inputs.FirstOrDefault(i => i is not null && IsHalf(i.Type))?.Type;
            if (half is null || node.OpType is "Cast" or "CastLike" || def is ControlFlowOp or FunctionOp) return null;
            if (node.Inputs.Any(i => i is not null && IsHalf(i.Type) && i.Type != half)) return null;
            graph.Opsets.TryGetValue("", out int opset);
            int castOpset = System.Math.Max(opset, 13);

            var nodes = new List<Node>();
            var created = new List<Value>();
            Value Fresh(string name, DataType type, int[]? shape)
            {
                var v = new Value(Unique(graph, created, name)) { Type = type, Shape = shape };
                created.Add(v);
                return v;
            }
            Node Cast(string name, Value from, Value to, DataType type) =>
                new(name, "Cast", "", castOpset, new Value?[] { from }, new[] { to },
                    new Attributes(new[] { new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)type } }))
                { Guard = node.Guard, Scope = node.Scope };

            var inputs = new Value?[node.Inputs.Length];
            for (int k = 0; k < inputs.Length; k++)
            {
                var v = node.Inputs[k];
                if (v is null || v.Type != half) { inputs[k] = v; continue; }
                inputs[k] = Fresh($"{v.Name}/float", DataType.Float, v.Shape);
                var cast = Cast($"{node.Name}/widen{k}", v, inputs[k]!, DataType.Float);
                // A constant (a float16 weight) is widened now, so the node sees it as the constant it needs.
                if (v.Constant is not null && registry.Find(cast) is { } castOp) castOp.TryFold(cast);
                nodes.Add(cast);
            }
            var outputs = node.Outputs.Select(o => Fresh($"{o.Name}/float", default, null)).ToArray();
            var wide = new Node(node.Name, node.OpType, node.Domain, node.Opset, inputs, outputs, node.Attributes) { Guard = node.Guard, Scope = node.Scope };
            try
            {
                def.InferShapes(wide);
            }
            catch (System.Exception e) when (e is UnsupportedException or IrException)
            {
                return null; // float does not help: the original diagnostic stands
            }
            nodes.Add(wide);
            for (int k = 0; k < outputs.Length; k++)
            {
                // Float results go back to the model's precision; other outputs (indices, counts) are the node's own.
                nodes.Add(outputs[k].Type == DataType.Float
                    ? Cast($"{node.Name}/narrow{k}", outputs[k], node.Outputs[k], half.Value)
                    : new Node($"{node.Name}/output{k}", "Identity", "", System.Math.Max(opset, 1), new Value?[] { outputs[k] }, new[] { node.Outputs[k] }, Attributes.Empty)
                        { Guard = node.Guard, Scope = node.Scope });
            }
            foreach (var v in created) graph.Values[v.Name] = v;
            return nodes;
        }

        private static bool IsHalf(DataType t) => t is DataType.Float16 or DataType.BFloat16;

        private static string Unique(Graph graph, List<Value> created, string name)
        {
            string unique = name;
            for (int i = 1; graph.Values.ContainsKey(unique) || created.Any(v => v.Name == unique); i++) unique = $"{name}_{i}";
            return unique;
        }
    }
}
