using System;
using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Passes
{
    /// <summary>
    /// Fuses an elementwise activation into the Conv, Gemm or MatMul whose output it is the only reader of: the node gets
    /// <see cref="Node.FusedActivation"/>, takes over the activation's output, and its kernel applies the activation while
    /// writing (no second pass over memory). Matches on op type and attributes only: Relu, LeakyRelu, Clip (constant
    /// bounds, e.g. Relu6), Sigmoid, HardSigmoid, HardSwish, Tanh, and the SiLU pattern y·sigmoid(y).
    /// </summary>
    public static class FuseActivation
    {
        private static readonly string[] Producers = { "Conv", "ConvTranspose", "Gemm", "MatMul" };

        public static void Run(Graph graph)
        {
            bool changed = false;
            foreach (var node in graph.Nodes.ToList())
            {
                if (node.Domain.Length != 0 || Array.IndexOf(Producers, node.OpType) < 0 || node.FusedActivation is not null) continue;
                var y = node.Outputs[0];
                if (y.Type != DataType.Float || y.IsGraphOutput) continue;
                if (MatchGated(y) is { } gated)
                {
                    // y·sigmoid(y) is SiLU, y·hardsigmoid(y) with alpha 1/6 and beta 1/2 is HardSwish (how exporters
                    // write it before opset 14); the epilogue computes them with the same gate as the unfused kernels.
                    node.FusedActivation = new Activation(gated.Gate.OpType == "Sigmoid" ? "Silu" : "HardSwish");
                    node.Fused.Add((gated.Gate.Name, gated.Gate.OpType));
                    node.Fused.Add((gated.Mul.Name, gated.Mul.OpType));
                    node.Outputs[0] = gated.Mul.Outputs[0];
                    graph.Nodes.Remove(gated.Gate);
                    graph.Nodes.Remove(gated.Mul);
                    changed = true;
                    continue;
                }
                if (y.Consumers.Count != 1) continue;
                var act = y.Consumers[0];
                if (act.Domain.Length != 0 || act.Inputs.Length == 0 || act.Inputs[0] != y || act.Outputs.Length != 1) continue;
                var fused = Match(act);
                if (fused is null) continue;
                node.FusedActivation = fused;
                node.Fused.Add((act.Name, act.OpType));
                node.Outputs[0] = act.Outputs[0];
                graph.Nodes.Remove(act);
                changed = true;
            }
            if (changed) graph.Relink();
        }

        /// <summary>
        /// y → gate → Mul(y, gate) with nothing else reading y or the gate, where the gate is Sigmoid (SiLU, Swish) or
        /// HardSigmoid with alpha 1/6 and beta 1/2 (HardSwish).
        /// </summary>
        private static (Node Gate, Node Mul)? MatchGated(Value y)
        {
            if (y.Consumers.Count != 2) return null;
            var gate = y.Consumers.FirstOrDefault(c => c.Domain.Length == 0 && c.Inputs.Length == 1 && (c.OpType == "Sigmoid" || IsHardSwishGate(c)));
            var mul = y.Consumers.FirstOrDefault(c => c.OpType == "Mul" && c.Domain.Length == 0);
            if (gate is null || mul is null || gate == mul) return null;
            var s = gate.Outputs[0];
            if (s.IsGraphOutput || s.Consumers.Count != 1 || s.Consumers[0] != mul) return null;
            if (mul.Inputs.Length != 2 || !((mul.Inputs[0] == y && mul.Inputs[1] == s) || (mul.Inputs[0] == s && mul.Inputs[1] == y))) return null;
            var z = mul.Outputs[0];
            return z.Type == DataType.Float && z.Shape is not null && y.Shape is not null && z.Shape.SequenceEqual(y.Shape) ? (gate, mul) : null;
        }

        private static bool IsHardSwishGate(Node n) =>
            n.OpType == "HardSigmoid" && n.Attributes.Float("alpha", 0.2f) == 1f / 6 && n.Attributes.Float("beta", 0.5f) == 0.5f;

        /// <summary>The activation a node computes, or null when it is not one a kernel epilogue can apply.</summary>
        public static Activation? Match(Node act)
        {
            switch (act.OpType)
            {
                case "Relu":
                case "Sigmoid":
                case "Tanh":
                case "HardSwish":
                    return act.Inputs.Length == 1 ? new Activation(act.OpType) : null;
                case "LeakyRelu":
                    return new Activation("LeakyRelu", act.Attributes.Float("alpha", 0.01f));
                case "HardSigmoid":
                    return new Activation("HardSigmoid", act.Attributes.Float("alpha", 0.2f), act.Attributes.Float("beta", 0.5f));
                case "Clip":
                {
                    float lo = float.NegativeInfinity, hi = float.PositiveInfinity;
                    if (act.Opset < 11)
                    {
                        lo = act.Attributes.Float("min", float.MinValue);
                        hi = act.Attributes.Float("max", float.MaxValue);
                    }
                    else
                    {
                        var min = act.Input(1); var max = act.Input(2);
                        if ((min is not null && min.Constant?.Length != 1) || (max is not null && max.Constant?.Length != 1)) return null;
                        if (min is not null) lo = (float)min.Constant!.GetDouble(0);
                        if (max is not null) hi = (float)max.Constant!.GetDouble(0);
                    }
                    return new Activation("Clip", lo, hi);
                }
                default:
                    return null;
            }
        }
    }
}
