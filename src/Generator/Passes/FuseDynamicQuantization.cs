using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Ops;

namespace ModelGen.Passes
{
    /// <summary>
    /// Dynamic-quantization fusion: the chain ONNX Runtime's quantize_dynamic (and `modelgen compress --int8`) writes per layer,
    /// <code>
    ///   DynamicQuantizeLinear(x) → ConvInteger | MatMulInteger (constant int8 weights, zero point 0; or uint8, 128)
    ///   → Cast(float) → Mul(·, Mul(x_scale, w_scale)) [→ Add(·, constant bias)] [→ Relu | Clip | other fusable activation]
    /// </code>
    /// becomes one <see cref="DynamicQuantizedConvOp"/> / <see cref="DynamicQuantizedMatMulOp"/> step: quantize, the integer
    /// product on the quad kernels, and an epilogue that computes the same float operations in the same order
    /// ((float)acc · (x_scale·w_scale[c]) + bias[c]), so the result is bit for bit that of the chain. Either operand order of
    /// the Muls and the Add is taken (float multiplication and addition are commutative); w_scale and the bias must
    /// broadcast along the output channel only (Conv: axis 1; MatMul: the last axis). When the DynamicQuantizeLinear feeds
    /// other nodes too (several layers reading one activation), it stays a step of its own and each fused layer reads its
    /// uint8 output, so the activation is quantized once.
    /// </summary>
    public static class FuseDynamicQuantization
    {
        public static void Run(Graph graph)
        {
            foreach (var node in graph.Nodes.ToList())
            {
                if (node.Domain.Length != 0 || !graph.Nodes.Contains(node)) continue;
                if (node.OpType is "ConvInteger" or "MatMulInteger") TryFuse(graph, node);
            }
        }

        private static bool Only(Value v, Node consumer) => !v.IsGraphOutput && v.Consumers.Count == 1 && v.Consumers[0] == consumer;

        private static Value? Other(Node binary, Value known) =>
            binary.Inputs.Length != 2 ? null : binary.Inputs[0] == known ? binary.Inputs[1] : binary.Inputs[1] == known ? binary.Inputs[0] : null;

        /// <summary>A constant float broadcast over <paramref name="output"/> along <paramref name="axis"/> only, with 1 or that axis's length elements.</summary>
        private static bool PerChannel(Value? v, int[] output, int axis)
        {
            if (v is null || v.Constant is null || v.Type != DataType.Float || v.Shape is null || v.Rank > output.Length) return false;
            int offset = output.Length - v.Rank;
            for (int i = 0; i < v.Rank; i++)
                if (v.Shape[i] != 1 && (i + offset != axis || v.Shape[i] != output[axis])) return false;
            return true;
        }

        private static void TryFuse(Graph graph, Node op)
        {
            bool conv = op.OpType == "ConvInteger";
            var xq = op.Inputs[0];
            var dql = xq?.Producer;
            if (dql is null || dql.OpType != "DynamicQuantizeLinear" || dql.Domain.Length != 0 || dql.Outputs.Length != 3) return;
            if (dql.Outputs[0] != xq || op.Input(2) != dql.Outputs[2] || dql.Inputs[0]?.Type != DataType.Float) return;
            if (op.Inputs[1]?.Constant is null || !QuantizedMatrix.IsSignedQuadWeight(op, 1, 3)) return;
            var acc = op.Outputs[0];
            if (acc.Shape is null || acc.IsGraphOutput || acc.Consumers.Count != 1) return;
            int[] shape = acc.Shape;
            int axis = conv ? 1 : shape.Length - 1;
            if (axis < 0) return;

            var cast = acc.Consumers[0];
            if (cast.OpType != "Cast" || cast.Domain.Length != 0 || cast.Attributes.Int("to", 0) != 1 || cast.Outputs[0].Type != DataType.Float) return;
            var accf = cast.Outputs[0];
            if (accf.IsGraphOutput || accf.Consumers.Count != 1) return;
            var rescale = accf.Consumers[0];
            if (rescale.OpType != "Mul" || rescale.Domain.Length != 0) return;
            var scale = Other(rescale, accf);
            var product = scale?.Producer;
            if (scale is null || scale == accf || product is null || product.OpType != "Mul" || product.Domain.Length != 0) return;
            var xs = dql.Outputs[1];
            var ws = Other(product, xs);
            if (ws is null || ws == xs || !PerChannel(ws, shape, axis)) return;
            var y = rescale.Outputs[0];
            if (y.Shape is null || !y.Shape.SequenceEqual(shape) || y.Type != DataType.Float) return;

            var fused = new List<(string, string)> { (cast.Name, cast.OpType), (rescale.Name, rescale.OpType) };
            var removed = new List<Node> { cast, rescale };
            Value? bias = null;
            var add = !y.IsGraphOutput && y.Consumers.Count == 1 ? y.Consumers[0] : null;
            if (add is not null && add.OpType == "Add" && add.Domain.Length == 0)
            {
                var b = Other(add, y);
                if (b is not null && b != y && PerChannel(b, shape, axis) && add.Outputs[0].Shape is { } s && s.SequenceEqual(shape))
                {
                    bias = b;
                    y = add.Outputs[0];
                    fused.Add((add.Name, add.OpType));
                    removed.Add(add);
                }
            }
            Activation? activation = null;
            if (!y.IsGraphOutput && y.Consumers.Count == 1)
            {
                var act = y.Consumers[0];
                if (act.Domain.Length == 0 && act.Inputs.Length > 0 && act.Inputs[0] == y && act.Outputs.Length == 1 && act.Outputs[0].Type == DataType.Float
                    && FuseActivation.Match(act) is { } a)
                {
                    activation = a;
                    y = act.Outputs[0];
                    fused.Add((act.Name, act.OpType));
                    removed.Add(act);
                }
            }

            // The quantization joins the step when nothing else reads its outputs; otherwise the layer reads them.
            bool productOnlyHere = Only(scale, rescale);
            bool absorb = Only(xq!, op) && Only(dql.Outputs[2], op) && productOnlyHere && Only(xs, product);
            var inputs = absorb
                ? new Value?[] { dql.Inputs[0], null, null, op.Inputs[1], op.Input(3), ws, bias }
                : new Value?[] { xq, xs, dql.Outputs[2], op.Inputs[1], op.Input(3), ws, bias };
            string opType = conv ? DynamicQuantizedConvOp.OpName : DynamicQuantizedMatMulOp.OpName;
            var node = new Node(op.Name, opType, DynamicQuantizedOp.InternalDomain, 1, inputs, new[] { new Value(y.Name + "_probe") }, conv ? op.Attributes : Attributes.Empty) { Guard = op.Guard };
            try
            {
                (conv ? (OpDefinition)new DynamicQuantizedConvOp() : new DynamicQuantizedMatMulOp()).InferShapes(node);
            }
            catch (Exception e) when (e is IrException or UnsupportedException)
            {
                return;
            }
            var probe = node.Outputs[0];
            if (probe.Type != DataType.Float || probe.Shape is null || !probe.Shape.SequenceEqual(y.Shape!)) return;
            node.Outputs = new[] { y };
            node.FusedActivation = activation;
            if (absorb)
            {
                node.Fused.Add((dql.Name, dql.OpType));
                removed.Add(dql);
            }
            node.Fused.Add((op.Name, op.OpType));
            if (productOnlyHere)
            {
                node.Fused.Add((product.Name, product.OpType));
                removed.Add(product);
            }
            node.Fused.AddRange(fused);
            graph.Nodes[graph.Nodes.IndexOf(op)] = node;
            foreach (var r in removed) graph.Nodes.Remove(r);
            graph.Relink();
        }
    }
}
