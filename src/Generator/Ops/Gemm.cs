using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Gemm: Y = alpha·A'·B' + beta·C. A constant B is transposed, scaled by alpha and packed into GEMM panels at build
    /// time; a constant C becomes a row or column bias (scaled by beta) applied in the kernel's epilogue, or is copied into
    /// Y before an accumulating product when it is a full matrix. Constant A is transposed at build time too; run-time
    /// transposes go through scratch.
    /// </summary>
    public sealed class GemmOp : OpDefinition
    {
        public override string OpType => "Gemm";

        private static (int M, int N, int K) Dims(Node node)
        {
            var a = node.Inputs[0]!.Shape!; var b = node.Inputs[1]!.Shape!;
            bool ta = node.Attributes.Int("transA", 0) != 0, tb = node.Attributes.Int("transB", 0) != 0;
            int m = ta ? a[1] : a[0], k = ta ? a[0] : a[1];
            int kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
            Require(k == kb, $"inner dimensions differ: A {Shapes.Format(a)}, B {Shapes.Format(b)}");
            return (m, n, k);
        }

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length >= 2 && node.Inputs[0] is not null && node.Inputs[1] is not null, "expects A and B");
            RequireFloat(node, 0);
            RequireFloat(node, 1);
            Require(node.Inputs[0]!.Rank == 2 && node.Inputs[1]!.Rank == 2, "A and B must be matrices");
            var (m, n, _) = Dims(node);
            var c = node.Input(2);
            if (c is not null)
            {
                RequireFloat(node, 2);
                Require(c.Rank <= 2 && Shapes.Broadcast(c.Shape!, new[] { m, n }) is { } s && s[0] == m && s[1] == n, $"C {Shapes.Format(c.Shape!)} does not broadcast to [{m}x{n}]");
            }
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = new[] { m, n };
        }

        public override bool TryFold(Node node)
        {
            var (m, n, k) = Dims(node);
            bool ta = node.Attributes.Int("transA", 0) != 0, tb = node.Attributes.Int("transB", 0) != 0;
            float alpha = node.Attributes.Float("alpha", 1f), beta = node.Attributes.Float("beta", 1f);
            var a = node.Inputs[0]!.Constant!.AsFloats(); var b = node.Inputs[1]!.Constant!.AsFloats();
            var c = node.Input(2);
            var cs = c is null ? null : BinaryFloatOp.BroadcastStrides(c.Shape!, new[] { m, n });
            var y = new float[m * n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += (double)a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
                    double v = alpha * s;
                    if (c is not null) v += beta * c.Constant!.GetDouble(i * cs![0] + j * cs[1]);
                    y[i * n + j] = (float)v;
                }
            node.Outputs[0].Constant = Tensor.FromFloats(new[] { m, n }, y);
            return true;
        }

        public override long Macs(Node node)
        {
            var (m, n, k) = Dims(node);
            return (long)m * n * k;
        }

        private static long Align(long bytes) => ExecutionPlan.Align(bytes);

        private static bool RuntimeB(Node node) => node.Inputs[1]!.Constant is null;

        public override long ScratchBytes(Node node)
        {
            if (SparseGemm.Applies(node)) return SparseGemm.ScratchBytes(node);
            if (CodebookWeights.ForGemm(node) is not null) return CodebookWeights.GemmScratchBytes(node);
            var (m, n, k) = Dims(node);
            long bytes = 0;
            if (node.Attributes.Int("transA", 0) != 0 && node.Inputs[0]!.Constant is null) bytes += Align(m * k * 4L);
            if (RuntimeB(node))
            {
                if (node.Attributes.Int("transB", 0) != 0) bytes += Align(k * n * 4L);
                if (n % KernelLayout.PanelWidth != 0) bytes += Align(4L * k * KernelLayout.PanelWidth);
            }
            return bytes;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            Passes.RemoveZeroFilters.Report(ctx);
            if (SparseGemm.Applies(node)) { SparseGemm.Lower(ctx); return; }
            if (CodebookWeights.ForGemm(node) is { } codebook) { CodebookWeights.LowerGemm(ctx, codebook); return; }
            var (m, n, k) = Dims(node);
            bool ta = node.Attributes.Int("transA", 0) != 0, tb = node.Attributes.Int("transB", 0) != 0;
            float alpha = node.Attributes.Float("alpha", 1f), beta = node.Attributes.Float("beta", 1f);
            long scratchOffset = 0;
            Arg Scratch(long floats)
            {
                var s = ctx.Scratch(DataType.Float, scratchOffset, floats * 4);
                scratchOffset += Align(floats * 4);
                return s;
            }

            // A as row-major [m, k].
            Arg a;
            var av = node.Inputs[0]!;
            if (!ta) a = ctx.Input(0);
            else if (av.Constant is not null) a = ctx.Weight(Transpose(av.Constant.AsFloats(), k, m), av.Name + "_T");
            else
            {
                a = Scratch((long)m * k);
                ctx.Call("Transpose2D", ("src", ctx.Input(0)), ("dst", a), ("rows", k), ("cols", m));
            }

            // C: a row bias [n], a column bias [m] or a full matrix loaded into Y first.
            Arg rowBias = Arg.None, colBias = Arg.None;
            bool accumulate = false;
            var c = node.Input(2);
            if (c is not null && beta != 0)
            {
                int cRows = c.Rank == 2 ? c.Shape![0] : 1;
                int cCols = c.Rank == 0 ? 1 : c.Shape![c.Rank - 1];
                if (c.Constant is not null && cRows == 1)
                {
                    var data = c.Constant.AsFloats();
                    var bias = Enumerable.Range(0, n).Select(j => beta * data[cCols == 1 ? 0 : j]).ToArray();
                    colBias = ctx.Weight(Tensor.FromFloats(new[] { n }, bias), c.Name + "_bias");
                }
                else if (c.Constant is not null && cCols == 1 && m > 1)
                {
                    var data = c.Constant.AsFloats();
                    var bias = Enumerable.Range(0, m).Select(i => beta * data[i]).ToArray();
                    rowBias = ctx.Weight(Tensor.FromFloats(new[] { m }, bias), c.Name + "_bias");
                }
                else
                {
                    ctx.Call("GemmLoadC", ("c", ctx.Input(2)), ("cRows", cRows), ("cCols", cCols), ("beta", beta), ("y", ctx.Output(0)), ("m", m), ("n", n));
                    accumulate = true;
                }
            }
            var act = KernelLayout.Activation(node);

            var bv = node.Inputs[1]!;
            if (bv.Constant is not null)
            {
                // Row-major [k, n], alpha folded in, packed into panels.
                var b = bv.Constant.AsFloats();
                if (tb) b = Transpose(b, n, k).Floats!;
                var packed = KernelLayout.PackB(b, k, n, alpha);
                var pb = ctx.Weight(Tensor.FromFloats(new[] { packed.Length }, packed), bv.Name + "_packed");
                ctx.Call("GemmPackedB", ("a", a), ("lda", k), ("packedB", pb), ("c", ctx.Output(0)), ("ldc", n), ("m", m), ("n", n), ("k", k),
                    ("rowBias", rowBias), ("colBias", colBias), ("alpha", 1f), ("accumulate", accumulate), ("activation", act));
                return;
            }
            Arg bm = ctx.Input(1);
            if (tb)
            {
                bm = Scratch((long)k * n);
                ctx.Call("Transpose2D", ("src", ctx.Input(1)), ("dst", bm), ("rows", n), ("cols", k));
            }
            Arg edge = n % KernelLayout.PanelWidth != 0 ? Scratch((long)k * KernelLayout.PanelWidth) : Arg.None;
            ctx.Call("GemmRowMajorB", ("a", a), ("lda", k), ("b", bm), ("ldb", n), ("c", ctx.Output(0)), ("ldc", n), ("m", m), ("n", n), ("k", k),
                ("rowBias", rowBias), ("colBias", colBias), ("alpha", alpha), ("accumulate", accumulate), ("activation", act), ("scratch", edge));
        }

        /// <summary>The [cols, rows] transpose of a row-major [rows, cols] matrix.</summary>
        private static Tensor Transpose(float[] src, int rows, int cols)
        {
            var dst = new float[src.Length];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    dst[c * rows + r] = src[r * cols + c];
            return Tensor.FromFloats(new[] { cols, rows }, dst);
        }
    }
}
