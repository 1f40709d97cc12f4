using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Ops;

namespace ModelGen.Passes
{
    /// <summary>
    /// Folds an inference BatchNormalization with constant parameters into the Conv, Gemm or MatMul (2-D, constant B) that
    /// produces its input, when nothing else reads that intermediate: y = a·(W·x + B) + b becomes (a·W)·x + (a·B + b), so
    /// the normalization costs nothing at run time. A folded MatMul becomes a Gemm (it gains a bias).
    /// </summary>
    public static class FoldBatchNorm
    {
        public static void Run(Graph graph)
        {
            bool changed = false;
            foreach (var bn in graph.Nodes.Where(n => n.OpType == "BatchNormalization" && n.Domain.Length == 0).ToList())
            {
                if (bn.Inputs.Length != 5 || bn.Inputs.Any(i => i is null) || !BatchNormalizationOp.HasConstantParameters(bn)) continue;
                if (BatchNormalizationOp.IsTraining(bn) || !BatchNormalizationOp.IsSpatial(bn)) continue;
                if (bn.Outputs.Skip(1).Any(o => o.IsGraphOutput || o.Consumers.Count > 0)) continue;
                var x = bn.Inputs[0]!;
                var producer = x.Producer;
                if (producer is null || producer.Domain.Length != 0 || x.IsGraphOutput || x.Consumers.Count != 1 || producer.FusedActivation is not null) continue;
                if (x.Type != DataType.Float || producer.Outputs[0] != x) continue;
                var (a, b) = BatchNormalizationOp.Fold(bn);
                Node? folded = producer.OpType switch
                {
                    "Conv" => IntoConv(graph, producer, a, b),
                    "Gemm" => IntoGemm(graph, producer, a, b),
                    "MatMul" => IntoMatMul(graph, producer, a, b),
                    _ => null,
                };
                if (folded is null) continue;
                folded.Outputs[0] = bn.Outputs[0];
                int index = graph.Nodes.IndexOf(producer);
                graph.Nodes[index] = folded;
                graph.Nodes.Remove(bn);
                changed = true;
            }
            if (changed) graph.Relink();
        }

        private static Node? IntoConv(Graph graph, Node conv, float[] a, float[] b)
        {
            var w = conv.Inputs[1];
            var bias = conv.Input(2);
            if (w?.Constant is null || (bias is not null && bias.Constant is null)) return null;
            int m = w.Shape![0];
            if (a.Length != m) return null;
            int per = w.Length / m;
            var wf = w.Constant.AsFloats();
            var nw = new float[wf.Length];
            for (int i = 0; i < wf.Length; i++) nw[i] = wf[i] * a[i / per];
            var bf = bias?.Constant!.AsFloats();
            var nb = new float[m];
            for (int i = 0; i < m; i++) nb[i] = (bf is null ? 0f : bf[i]) * a[i] + b[i];
            conv.Inputs = new[] { conv.Inputs[0], Constant(graph, w.Name + "_bn", w.Shape, nw), Constant(graph, (bias?.Name ?? conv.Name) + "_bn", new[] { m }, nb) };
            return conv;
        }

        private static Node? IntoGemm(Graph graph, Node gemm, float[] a, float[] b)
        {
            var bv = gemm.Inputs[1];
            var c = gemm.Input(2);
            if (bv?.Constant is null || (c is not null && c.Constant is null)) return null;
            var y = gemm.Outputs[0].Shape!;
            int m = y[0], n = y[1];
            if (a.Length != n) return null;
            bool tb = gemm.Attributes.Int("transB", 0) != 0;
            float beta = gemm.Attributes.Float("beta", 1f);
            var bf = bv.Constant.AsFloats();
            var nb = new float[bf.Length];
            for (int i = 0; i < bf.Length; i++) nb[i] = bf[i] * a[tb ? i / bv.Shape![1] : i % n];
            // New C = a·beta·C + b, broadcast to [n] or [m, n]; beta becomes 1.
            bool rows = c is not null && c.Rank == 2 && c.Shape![0] != 1;
            var cs = c is null ? null : Ops.BinaryFloatOp.BroadcastStrides(c.Shape!, new[] { m, n });
            int cm = rows ? m : 1;
            var nc = new float[cm * n];
            for (int i = 0; i < cm; i++)
                for (int j = 0; j < n; j++)
                    nc[i * n + j] = (c is null ? 0f : beta * c.Constant!.Floats![i * cs![0] + j * cs[1]]) * a[j] + b[j];
            var folded = new Node(gemm.Name, "Gemm", "", gemm.Opset,
                new[] { gemm.Inputs[0], Constant(graph, bv.Name + "_bn", bv.Shape!, nb), Constant(graph, (c?.Name ?? gemm.Name) + "_bn", rows ? new[] { m, n } : new[] { n }, nc) },
                gemm.Outputs, CopyAttributes(gemm, "transA", "transB", "alpha")) { Guard = gemm.Guard };
            return folded;
        }

        private static Node? IntoMatMul(Graph graph, Node matmul, float[] a, float[] b)
        {
            var bv = matmul.Inputs[1];
            var av = matmul.Inputs[0];
            if (bv?.Constant is null || av is null || av.Rank != 2 || bv.Rank != 2) return null;
            int n = bv.Shape![1];
            if (a.Length != n) return null;
            var bf = bv.Constant.AsFloats();
            var nb = new float[bf.Length];
            for (int i = 0; i < bf.Length; i++) nb[i] = bf[i] * a[i % n];
            return new Node(matmul.Name, "Gemm", "", matmul.Opset,
                new[] { av, Constant(graph, bv.Name + "_bn", bv.Shape, nb), Constant(graph, matmul.Name + "_bn_bias", new[] { n }, (float[])b.Clone()) },
                matmul.Outputs, Ir.Attributes.Empty) { Guard = matmul.Guard };
        }

        private static Ir.Attributes CopyAttributes(Node node, params string[] names) =>
            new(names.Select(node.Attributes.Raw).Where(r => r is not null).Select(r => r!));

        private static Value Constant(Graph graph, string name, int[] shape, float[] data)
        {
            string unique = name;
            for (int i = 2; graph.Values.ContainsKey(unique); i++) unique = name + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var v = new Value(unique) { Type = DataType.Float, Shape = shape, Constant = Tensor.FromFloats(shape, data) };
            graph.Values[unique] = v;
            return v;
        }
    }
}
