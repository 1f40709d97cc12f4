using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Einsum of one or two operands (float, double, int32, int64), explicit or implicit output, ellipsis with broadcasting,
    /// repeated indices (diagonals). The equation becomes a loop plan at build time (sizes and per-operand strides, summed
    /// indices innermost) that the generic Kernels.Einsum runs; a batched matrix product (bij,bjk->bik and its relatives with
    /// row-major operands) runs as GEMMs instead.
    /// </summary>
    public sealed class EinsumOp : OpDefinition
    {
        public override string OpType => "Einsum";

        /// <summary>The equation resolved against the operand shapes: every index's size and each operand's strides.</summary>
        private sealed class Plan
        {
            public int[] OutputShape = Array.Empty<int>();
            /// <summary>Loop order: output indices first, then the summed ones.</summary>
            public List<string> Labels = new();
            public int[] Sizes = Array.Empty<int>();
            public int[][] OperandStrides = Array.Empty<int[]>();
            public int[] OutputStrides = Array.Empty<int>();
            public string[][] Terms = Array.Empty<string[]>();
            public string[] Output = Array.Empty<string>();
        }

        /// <summary>A term's indices, the ellipsis expanded into "...0", "...1", ... right-aligned to <paramref name="ellipsisRank"/>.</summary>
        private static List<string> Expand(string term, int rank, int ellipsisRank, out int ownEllipsis)
        {
            int dots = term.IndexOf("...", StringComparison.Ordinal);
            Require(dots < 0 || term.IndexOf("...", dots + 3, StringComparison.Ordinal) < 0, $"term '{term}' has more than one ellipsis");
            string letters = dots < 0 ? term : term.Remove(dots, 3);
            foreach (char c in letters)
                Require((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'), $"term '{term}' has '{c}', which is not a letter");
            ownEllipsis = dots < 0 ? 0 : rank - letters.Length;
            Require(ownEllipsis >= 0 && (dots >= 0 || letters.Length == rank) || rank < 0,
                $"term '{term}' does not match an operand of rank {rank}");
            var result = new List<string>();
            if (dots < 0) result.AddRange(letters.Select(c => c.ToString()));
            else
            {
                result.AddRange(term.Substring(0, dots).Select(c => c.ToString()));
                for (int i = 0; i < ownEllipsis; i++) result.Add("..." + (ellipsisRank - ownEllipsis + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
                result.AddRange(term.Substring(dots + 3).Select(c => c.ToString()));
            }
            return result;
        }

        private static Plan Analyze(Node node)
        {
            string equation = node.Attributes.String("equation", "");
            Require(equation.Length > 0, "needs an equation");
            equation = new string(equation.Where(c => !char.IsWhiteSpace(c)).ToArray());
            int arrow = equation.IndexOf("->", StringComparison.Ordinal);
            string lhs = arrow < 0 ? equation : equation.Substring(0, arrow);
            string? rhs = arrow < 0 ? null : equation.Substring(arrow + 2);
            var terms = lhs.Split(',');
            Require(node.Inputs.Length == terms.Length && node.Inputs.All(v => v is not null), $"equation '{equation}' has {terms.Length} terms for {node.Inputs.Length} inputs");
            RequireSupported(terms.Length is 1 or 2, $"Einsum of {terms.Length} operands (one or two are supported)");
            var type = node.Inputs[0]!.Type;
            Require(node.Inputs.All(v => v!.Type == type), "operands have different element types");
            RequireSupported(type is DataType.Float or DataType.Double or DataType.Int32 or DataType.Int64,
                $"Einsum on {DataTypes.OnnxName(type)} (float, double, int32 and int64 are supported)");

            var shapes = node.Inputs.Select(v => v!.Shape!).ToArray();
            int ellipsisRank = 0;
            for (int i = 0; i < terms.Length; i++)
            {
                Expand(terms[i], shapes[i].Length, 0, out int own);
                ellipsisRank = Math.Max(ellipsisRank, own);
            }
            var p = new Plan { Terms = terms.Select((t, i) => Expand(t, shapes[i].Length, ellipsisRank, out _).ToArray()).ToArray() };

            // Each index's size: equal everywhere, except that 1 broadcasts (as numpy does for ellipsis axes).
            var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < terms.Length; i++)
                for (int k = 0; k < p.Terms[i].Length; k++)
                {
                    string label = p.Terms[i][k];
                    int size = shapes[i][k];
                    if (!sizes.TryGetValue(label, out int known) || known == 1) sizes[label] = size;
                    else Require(size == known || size == 1, $"index '{label}' has sizes {known} and {size}");
                }

            if (rhs is null)
            {
                // Implicit output: the ellipsis axes, then the letters used exactly once, in alphabetical order.
                var counts = p.Terms.SelectMany(t => t).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
                p.Output = Enumerable.Range(0, ellipsisRank).Select(i => "..." + i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Concat(counts.Where(kv => !kv.Key.StartsWith("...", StringComparison.Ordinal) && kv.Value == 1).Select(kv => kv.Key).OrderBy(l => l, StringComparer.Ordinal))
                    .ToArray();
            }
            else
            {
                p.Output = Expand(rhs, -1, ellipsisRank, out _).ToArray();
                if (rhs.Contains("...")) p.Output = ExpandOutputEllipsis(rhs, ellipsisRank);
                Require(p.Output.Distinct(StringComparer.Ordinal).Count() == p.Output.Length, $"output '{rhs}' repeats an index");
                foreach (var l in p.Output) Require(sizes.ContainsKey(l), $"output index '{l}' appears in no input");
            }
            p.OutputShape = p.Output.Select(l => sizes[l]).ToArray();
            p.Labels = p.Output.Concat(sizes.Keys.Where(l => !p.Output.Contains(l)).OrderBy(l => l, StringComparer.Ordinal)).ToList();
            p.Sizes = p.Labels.Select(l => sizes[l]).ToArray();
            p.OperandStrides = new int[terms.Length][];
            for (int i = 0; i < terms.Length; i++)
            {
                var strides = Shapes.Strides(shapes[i]);
                var s = new int[p.Labels.Count];
                for (int k = 0; k < p.Terms[i].Length; k++)
                    if (shapes[i][k] != 1 || p.Sizes[p.Labels.IndexOf(p.Terms[i][k])] == 1)
                        s[p.Labels.IndexOf(p.Terms[i][k])] += strides[k];
                p.OperandStrides[i] = s;
            }
            var ys = Shapes.Strides(p.OutputShape);
            p.OutputStrides = p.Labels.Select(l => Array.IndexOf(p.Output, l) is var k && k >= 0 ? ys[k] : 0).ToArray();
            return p;
        }

        private static string[] ExpandOutputEllipsis(string rhs, int ellipsisRank)
        {
            int dots = rhs.IndexOf("...", StringComparison.Ordinal);
            Require(rhs.IndexOf("...", dots + 3, StringComparison.Ordinal) < 0, $"output '{rhs}' has more than one ellipsis");
            return rhs.Substring(0, dots).Select(c => c.ToString())
                .Concat(Enumerable.Range(0, ellipsisRank).Select(i => "..." + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Concat(rhs.Substring(dots + 3).Select(c => c.ToString())).ToArray();
        }

        public override void InferShapes(Node node)
        {
            var p = Analyze(node);
            node.Outputs[0].Type = node.Inputs[0]!.Type;
            node.Outputs[0].Shape = p.OutputShape;
        }

        public override long Macs(Node node) => Analyze(node).Sizes.Aggregate(1L, (a, b) => a * b);

        public override bool TryFold(Node node)
        {
            var p = Analyze(node);
            var operands = node.Inputs.Select(v => v!.Constant!).ToArray();
            var y = new double[Shapes.Size(p.OutputShape)];
            int loops = p.Sizes.Length;
            long total = p.Sizes.Aggregate(1L, (a, b) => a * b);
            var index = new int[loops];
            for (long i = 0; i < total; i++)
            {
                long rem = i;
                for (int d = loops - 1; d >= 0; d--) { index[d] = (int)(rem % p.Sizes[d]); rem /= p.Sizes[d]; }
                double v = 1;
                for (int o = 0; o < operands.Length; o++)
                {
                    int offset = 0;
                    for (int d = 0; d < loops; d++) offset += index[d] * p.OperandStrides[o][d];
                    v *= operands[o].GetDouble(offset);
                }
                int yo = 0;
                for (int d = 0; d < loops; d++) yo += index[d] * p.OutputStrides[d];
                y[yo] += v;
            }
            node.Outputs[0].Constant = Tensor.FromDoubles(node.Outputs[0].Type, p.OutputShape, y);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var p = Analyze(node);
            var type = node.Inputs[0]!.Type;
            if (TryLowerBatchedMatMul(ctx, p)) return;
            int loops = p.Sizes.Length;
            var plan = new List<long> { loops, node.Inputs.Length };
            plan.AddRange(p.Sizes.Select(v => (long)v));
            foreach (var s in p.OperandStrides) plan.AddRange(s.Select(v => (long)v));
            plan.AddRange(p.OutputStrides.Select(v => (long)v));
            var planArg = ctx.Weight(new Tensor(DataType.Int32, new[] { plan.Count }, longs: plan.ToArray()), node.Name + "_plan");
            ctx.Call("Einsum", new TypeArg[] { type }, ("a", ctx.Input(0)), ("b", node.Inputs.Length == 2 ? ctx.Input(1) : Arg.None), ("y", ctx.Output(0)), ("plan", planArg));
        }

        /// <summary>
        /// Two float operands whose plan is y[batch…, i, k] = Σ_j a[batch…, i, j]·b[batch…, j, k] with every operand row-major in
        /// that order (bij,bjk->bik, ij,jk->ik): the batch count and the matrix sizes, else null.
        /// </summary>
        private static (int Count, int M, int K, int N)? BatchedMatMul(Node node, Plan p)
        {
            if (p.Terms.Length != 2 || node.Inputs[0]!.Type != DataType.Float) return null;
            var a = p.Terms[0]; var b = p.Terms[1]; var y = p.Output;
            if (a.Length < 2 || b.Length != a.Length || y.Length != a.Length) return null;
            int batchRank = a.Length - 2;
            string i = a[batchRank], j = a[batchRank + 1], k = b[batchRank + 1];
            int labels = a.Concat(b).Concat(y).Distinct(StringComparer.Ordinal).Count();
            if (labels != batchRank + 3 || i == j || j == k || i == k) return null;
            for (int d = 0; d < batchRank; d++)
                if (a[d] != b[d] || a[d] != y[d]) return null;
            if (b[batchRank] != j || y[batchRank] != i || y[batchRank + 1] != k) return null;
            var shapes = node.Inputs.Select(v => v!.Shape!).ToArray();
            if (!shapes[0].Take(batchRank).SequenceEqual(shapes[1].Take(batchRank))) return null;
            int m = shapes[0][batchRank], kk = shapes[0][batchRank + 1], n = shapes[1][batchRank + 1];
            int count = shapes[0].Take(batchRank).Aggregate(1, (x, z) => x * z);
            return count == 0 || m == 0 || n == 0 || kk == 0 ? null : (count, m, kk, n);
        }

        /// <summary>The GEMM's copy of a partial last 16-column panel of B.</summary>
        public override long ScratchBytes(Node node) =>
            BatchedMatMul(node, Analyze(node)) is { } d && d.N % KernelLayout.PanelWidth != 0 ? 4L * d.K * KernelLayout.PanelWidth : 0;

        /// <summary>A batched matrix product (see <see cref="BatchedMatMul"/>) as one GEMM per batch.</summary>
        private static bool TryLowerBatchedMatMul(LoweringContext ctx, Plan p)
        {
            if (BatchedMatMul(ctx.Node, p) is not { } d) return false;
            var (count, m, kk, n) = d;
            Arg edge = n % KernelLayout.PanelWidth != 0 ? ctx.Scratch() : Arg.None;
            var call = ctx.MakeCall("GemmRowMajorB", Array.Empty<TypeArg>(), ("a", ctx.Input(0)), ("lda", kk), ("b", ctx.Input(1)), ("ldb", n), ("c", ctx.Output(0)),
                ("ldc", n), ("m", m), ("n", n), ("k", kk), ("rowBias", Arg.None), ("colBias", Arg.None), ("alpha", 1f), ("accumulate", false),
                ("activation", Arg.None), ("scratch", edge));
            if (count == 1) { ctx.Add(call); return true; }
            var offsets = new[]
            {
                new RepeatOffsets("a", new Common.EquatableArray<int>(Enumerable.Range(0, count).Select(x => x * m * kk).ToArray())),
                new RepeatOffsets("b", new Common.EquatableArray<int>(Enumerable.Range(0, count).Select(x => x * kk * n).ToArray())),
                new RepeatOffsets("c", new Common.EquatableArray<int>(Enumerable.Range(0, count).Select(x => x * m * n).ToArray())),
            };
            ctx.Add(new RepeatedCall(ctx.Origin, count, call, new Common.EquatableArray<RepeatOffsets>(offsets)));
            return true;
        }
    }
}
