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
        private static readonly string[] Producers = { "Conv", "Gemm", "MatMul" };

        public static void Run(Graph graph)
        {
            bool changed = false;
            foreach (var node in graph.Nodes.ToList())
            {
                if (node.Domain.Length != 0 || Array.IndexOf(Producers, node.OpType) < 0 || node.FusedActivation is not null) continue;
                var y = node.Outputs[0];
                if (y.Type != DataType.Float || y.IsGraphOutput) continue;
                if (MatchSilu(y) is { } silu)
                {
                    // y·sigmoid(y): the epilogue computes SiLU with the same sigmoid as the Sigmoid kernel.
                    node.FusedActivation = new Activation("Silu");
                    node.Fused.Add((silu.Sigmoid.Name, silu.Sigmoid.OpType));
                    node.Fused.Add((silu.Mul.Name, silu.Mul.OpType));
                    node.Outputs[0] = silu.Mul.Outputs[0];
                    graph.Nodes.Remove(silu.Sigmoid);
                    graph.Nodes.Remove(silu.Mul);
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

        /// <summary>y → Sigmoid → Mul(y, sigmoid) with nothing else reading y or the sigmoid (SiLU, Swish).</summary>
        private static (Node Sigmoid, Node Mul)? MatchSilu(Value y)
        {
            if (y.Consumers.Count != 2) return null;
            var sigmoid = y.Consumers.FirstOrDefault(c => c.OpType == "Sigmoid" && c.Domain.Length == 0 && c.Inputs.Length == 1);
            var mul = y.Consumers.FirstOrDefault(c => c.OpType == "Mul" && c.Domain.Length == 0);
            if (sigmoid is null || mul is null || sigmoid == mul) return null;
            var s = sigmoid.Outputs[0];
            if (s.IsGraphOutput || s.Consumers.Count != 1 || s.Consumers[0] != mul) return null;
            if (mul.Inputs.Length != 2 || !((mul.Inputs[0] == y && mul.Inputs[1] == s) || (mul.Inputs[0] == s && mul.Inputs[1] == y))) return null;
            var z = mul.Outputs[0];
            return z.Type == DataType.Float && z.Shape is not null && y.Shape is not null && z.Shape.SequenceEqual(y.Shape) ? (sigmoid, mul) : null;
        }

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
