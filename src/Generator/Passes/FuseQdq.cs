using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Ops;

namespace ModelGen.Passes
{
    /// <summary>
    /// Static QDQ fusion: DequantizeLinear(x_q) and a DequantizeLinear of constant 8-bit weights into Conv, MatMul or Gemm
    /// (bias: absent, or a DequantizeLinear of a constant int32 tensor), optionally a Relu or Clip that the output
    /// quantization makes redundant, then QuantizeLinear(y) becomes one integer step: QLinearConv, or QLinearMatMul (a
    /// Gemm's transB weights transposed at build time, its int32 bias as QLinearMatMul's internal ninth input).
    /// <para>
    /// The rules are ONNX Runtime's (its QDQ selectors, which turn the same groups into QLinearConv / QLinearMatMul / QGemm),
    /// so both engines compute the same integers: activations and output the same 8-bit type, per-tensor x and y
    /// scales, weights per tensor or per output channel, int8 activations only with int8 weights, the int32 bias used as
    /// it is (its scale is not checked, as ORT does not), a float bias or a Relu that changes the result (zero point above
    /// the type's minimum) left unfused (ORT then runs the float op too). The weights' DequantizeLinear was folded by shape
    /// inference; <see cref="Value.DequantizedFrom"/> keeps its quantized input. Anything else keeps the float path.
    /// </para>
    /// </summary>
    public static class FuseQdq
    {
        public static void Run(Graph graph)
        {
            foreach (var node in graph.Nodes.ToList())
            {
                if (node.Domain.Length != 0 || !graph.Nodes.Contains(node)) continue;
                if (node.OpType is "Conv" or "MatMul" or "Gemm") TryFuse(graph, node);
                else if (node.OpType is "Flatten" or "Reshape" or "Squeeze" or "Unsqueeze" or "Transpose") TryMoveOntoIntegers(graph, node);
            }
        }

        /// <summary>
        /// DQ → Flatten/Reshape/Squeeze/Unsqueeze/Transpose → Q with the same scale and zero point (what ORT's quantizer
        /// writes around them) is the op on the 8-bit tensor: Q(DQ(v)) = v for every v, so it is exact, and ORT drops the pair too.
        /// </summary>
        private static void TryMoveOntoIntegers(Graph graph, Node op)
        {
            var x = Dequantized(op.Inputs[0]?.Producer, constant: false);
            if (x is null || !PerTensor(x) || !QuantizedMatrix.IsInt8(x.Type)) return;
            if (op.Outputs.Length != 1) return;
            var y = op.Outputs[0];
            if (y.IsGraphOutput || y.Consumers.Count != 1) return;
            var q = y.Consumers[0];
            if (q.OpType != "QuantizeLinear" || q.Domain.Length != 0 || q.Inputs[0] != y || q.Outputs[0].Type != x.Type) return;
            if (q.Opset >= 21 && q.Attributes.Int("block_size", 0) != 0) return;
            var ys = q.Input(1); var yz = q.Input(2);
            if (ys is null || ys.Constant is null || ys.Type != DataType.Float || Shapes.Size(ys.Shape!) != 1) return;
            if (yz is not null && (yz.Constant is null || Shapes.Size(yz.Shape!) != 1)) return;
            if (x.ZeroPoint is not null && Shapes.Size(x.ZeroPoint.Shape!) != 1) return;
            if (ys.Constant.AsFloats()[0] != x.Scale.Constant!.AsFloats()[0]) return;
            long xz = x.ZeroPoint is null ? 0 : x.ZeroPoint.Constant!.AsLongs()[0], z = yz is null ? 0 : yz.Constant!.AsLongs()[0];
            if (xz != z || q.Outputs[0].Shape is null || y.Shape is null || !q.Outputs[0].Shape!.SequenceEqual(y.Shape)) return;

            var inputs = op.Inputs.ToArray();
            inputs[0] = x.Data;
            var moved = new Node(op.Name, op.OpType, "", op.Opset, inputs, new[] { q.Outputs[0] }, op.Attributes) { Guard = op.Guard };
            moved.Fused.Add((x.Node.Name, x.Node.OpType));
            moved.Fused.Add((op.Name, op.OpType));
            moved.Fused.Add((q.Name, q.OpType));
            graph.Nodes[graph.Nodes.IndexOf(op)] = moved;
            graph.Nodes.Remove(q);
            graph.Relink();
        }

        private sealed class Quantized
        {
            public Node Node = null!;
            public Value Data = null!, Scale = null!;
            public Value? ZeroPoint;
            public DataType Type => Data.Type;
        }

        /// <summary>A DequantizeLinear with a float scale, not blocked; per tensor unless <paramref name="axis"/> ≥ 0 is allowed.</summary>
        private static Quantized? Dequantized(Node? dq, bool constant)
        {
            if (dq is null || dq.OpType != "DequantizeLinear" || dq.Domain.Length != 0) return null;
            if (dq.Opset >= 21 && dq.Attributes.Int("block_size", 0) != 0) return null;
            var data = dq.Inputs[0]; var scale = dq.Input(1); var zp = dq.Input(2);
            if (data is null || scale is null || scale.Type != DataType.Float || scale.Constant is null) return null;
            if (zp is not null && zp.Constant is null) return null;
            if (constant && data.Constant is null) return null;
            return new Quantized { Node = dq, Data = data, Scale = scale, ZeroPoint = zp };
        }

        private static bool PerTensor(Quantized q) => Shapes.Size(q.Scale.Shape!) == 1 && q.Scale.Shape!.Length <= 1;

        /// <summary>Per tensor, or per axis along <paramref name="axis"/> of the data.</summary>
        private static bool PerTensorOrAxis(Quantized q, int axis)
        {
            if (PerTensor(q)) return true;
            var shape = q.Data.Shape!;
            if (q.Scale.Shape!.Length != 1 || q.Node.Opset < 13) return false;
            int a = Shapes.NormalizeAxis(q.Node.Attributes.Int("axis", 1), shape.Length);
            return a == axis && q.Scale.Shape[0] == shape[axis];
        }

        private static void TryFuse(Graph graph, Node op)
        {
            var y = op.Outputs[0];
            if (op.Outputs.Length != 1 || y.IsGraphOutput || y.Consumers.Count != 1 || y.Type != DataType.Float) return;
            Node? clip = null;
            var next = y.Consumers[0];
            if (next.Domain.Length == 0 && next.OpType is "Relu" or "Clip")
            {
                var c = next.Outputs[0];
                if (c.IsGraphOutput || c.Consumers.Count != 1) return;
                clip = next;
                next = c.Consumers[0];
            }
            var q = next;
            if (q.OpType != "QuantizeLinear" || q.Domain.Length != 0 || q.Inputs[0] != (clip?.Outputs[0] ?? y)) return;
            var ys = q.Input(1); var yz = q.Input(2);
            if (ys is null || ys.Type != DataType.Float || ys.Constant is null || Shapes.Size(ys.Shape!) != 1 || ys.Shape!.Length > 1) return;
            if (yz is not null && (yz.Constant is null || Shapes.Size(yz.Shape!) != 1)) return;
            if (q.Opset >= 21 && q.Attributes.Int("block_size", 0) != 0) return;
            var outType = q.Outputs[0].Type;
            if (!QuantizedMatrix.IsInt8(outType)) return;
            long yzValue = yz is null ? 0 : yz.Constant!.AsLongs()[0];
            if (clip is not null && !ClipIsRedundant(clip, ys.Constant.AsFloats()[0], yzValue, outType)) return;

            var x = Dequantized(op.Inputs[0]?.Producer, constant: false);
            if (x is null || op.Inputs[0]!.IsGraphOutput || !PerTensor(x) || x.Type != outType) return;
            if (x.ZeroPoint is not null && Shapes.Size(x.ZeroPoint.Shape!) != 1) return;
            var wv = op.Input(1);
            var w = Dequantized(wv?.DequantizedFrom, constant: true);
            if (w is null || !QuantizedMatrix.IsInt8(w.Type)) return;
            if (x.Type == DataType.Int8 && w.Type != DataType.Int8) return;
            var bv = op.Input(2);
            Quantized? bias = null;
            if (bv is not null)
            {
                bias = Dequantized(bv.DequantizedFrom, constant: true);
                if (bias is null || bias.Type != DataType.Int32) return;
                if (bias.ZeroPoint is not null && bias.ZeroPoint.Constant!.AsLongs().Any(v => v != 0)) return;
            }

            Node? fused = op.OpType switch
            {
                "Conv" => FuseConv(graph, op, x, w, bias, ys, yz, outType),
                "MatMul" => bias is null ? FuseMatMul(graph, op, x, w, w.Data, ys, yz, outType, null) : null,
                _ => FuseGemm(graph, op, x, w, bias, ys, yz, outType),
            };
            if (fused is null) return;
            // Validate with the op's own checks on a scratch output before touching the graph.
            var probe = new Value(q.Outputs[0].Name + "_probe");
            fused.Outputs = new[] { probe };
            try
            {
                (fused.OpType == "QLinearConv" ? (OpDefinition)new QLinearConvOp() : new QLinearMatMulOp()).InferShapes(fused);
            }
            catch (Exception e) when (e is IrException or UnsupportedException)
            {
                return;
            }
            if (probe.Type != outType || probe.Shape is null || !probe.Shape.SequenceEqual(q.Outputs[0].Shape!)) return;
            fused.Outputs = new[] { q.Outputs[0] };
            foreach (var v in fused.Inputs) if (v is not null && v.Constant is not null) graph.Values[v.Name] = v;
            fused.Fused.Add((x.Node.Name, x.Node.OpType));
            fused.Fused.Add((op.Name, op.OpType));
            if (clip is not null) fused.Fused.Add((clip.Name, clip.OpType));
            fused.Fused.Add((q.Name, q.OpType));
            graph.Nodes[graph.Nodes.IndexOf(op)] = fused;
            if (clip is not null) graph.Nodes.Remove(clip);
            graph.Nodes.Remove(q);
            graph.Relink();
        }

        /// <summary>ONNX Runtime's rule: the quantization's clamp already does what the Relu or Clip does.</summary>
        private static bool ClipIsRedundant(Node clip, float scale, long zp, DataType type)
        {
            var (qmin, qmax) = QuantizationAxes.Range(type);
            if (clip.OpType == "Relu") return zp == qmin;
            double lo = double.NegativeInfinity, hi = double.PositiveInfinity;
            if (clip.Opset < 11)
            {
                lo = clip.Attributes.Float("min", float.MinValue);
                hi = clip.Attributes.Float("max", float.MaxValue);
            }
            else
            {
                var min = clip.Input(1); var max = clip.Input(2);
                if (min is not null) { if (min.Constant is null || min.Type != DataType.Float) return false; lo = min.Constant.AsFloats()[0]; }
                if (max is not null) { if (max.Constant is null || max.Type != DataType.Float) return false; hi = max.Constant.AsFloats()[0]; }
            }
            double qlo = Math.Round(lo / scale, MidpointRounding.ToEven) + zp, qhi = Math.Round(hi / scale, MidpointRounding.ToEven) + zp;
            return qlo <= qmin && qhi >= qmax;
        }

        private static Value ZeroPoint(Graph graph, Value? zp, DataType type, string owner)
        {
            if (zp is not null) return zp;
            string name = owner + "_zero_point";
            for (int i = 1; graph.Values.ContainsKey(name); i++) name = owner + "_zero_point_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new Value(name) { Type = type, Shape = Array.Empty<int>(), Constant = Tensor.FromLongs(type, Array.Empty<int>(), new long[] { 0 }) };
        }

        private static Node? FuseConv(Graph graph, Node conv, Quantized x, Quantized w, Quantized? bias, Value ys, Value? yz, DataType outType)
        {
            if (!PerTensorOrAxis(w, 0)) return null;
            var inputs = new List<Value?>
            {
                x.Data, x.Scale, ZeroPoint(graph, x.ZeroPoint, x.Type, x.Data.Name), w.Data, w.Scale, ZeroPoint(graph, w.ZeroPoint, w.Type, w.Data.Name),
                ys, ZeroPoint(graph, yz, outType, conv.Outputs[0].Name),
            };
            if (bias is not null) inputs.Add(bias.Data);
            return new Node(conv.Name, "QLinearConv", "", conv.Opset, inputs.ToArray(), conv.Outputs.ToArray(), conv.Attributes) { Guard = conv.Guard };
        }

        private static Node? FuseMatMul(Graph graph, Node op, Quantized x, Quantized w, Value b, Value ys, Value? yz, DataType outType, Value? bias)
        {
            if (b.Shape!.Length != 2) return null;
            var inputs = new List<Value?>
            {
                x.Data, x.Scale, ZeroPoint(graph, x.ZeroPoint, x.Type, x.Data.Name), b, w.Scale, ZeroPoint(graph, w.ZeroPoint, w.Type, w.Data.Name),
                ys, ZeroPoint(graph, yz, outType, op.Outputs[0].Name),
            };
            if (bias is not null) inputs.Add(bias);
            return new Node(op.Name, "QLinearMatMul", "", op.Opset, inputs.ToArray(), op.Outputs.ToArray(), Attributes.Empty) { Guard = op.Guard };
        }

        private static Node? FuseGemm(Graph graph, Node gemm, Quantized x, Quantized w, Quantized? bias, Value ys, Value? yz, DataType outType)
        {
            var a = gemm.Attributes;
            if (a.Int("transA", 0) != 0 || a.Float("alpha", 1f) != 1f || (bias is not null && a.Float("beta", 1f) != 1f)) return null;
            if (w.Data.Shape!.Length != 2 || x.Data.Shape!.Length != 2) return null;
            bool transB = a.Int("transB", 0) != 0;
            if (!PerTensorOrAxis(w, transB ? 0 : 1)) return null;
            var b = w.Data;
            if (transB)
            {
                int n = b.Shape[0], k = b.Shape[1];
                var values = b.Constant!.AsLongs();
                var t = new long[values.Length];
                for (int j = 0; j < n; j++)
                    for (int p = 0; p < k; p++) t[p * n + j] = values[j * k + p];
                string name = b.Name + "_transposed";
                for (int i = 1; graph.Values.ContainsKey(name); i++) name = b.Name + "_transposed_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                b = new Value(name) { Type = b.Type, Shape = new[] { k, n }, Constant = Tensor.FromLongs(b.Type, new[] { k, n }, t) };
            }
            if (bias is not null && (Shapes.Size(bias.Data.Shape!) != b.Shape![1] || bias.Data.Shape!.Length > 2)) return null;
            return FuseMatMul(graph, gemm, x, w, b, ys, yz, outType, bias?.Data);
        }
    }
}
