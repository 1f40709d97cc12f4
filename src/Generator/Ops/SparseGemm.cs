using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Gemm and MatMul with a constant, mostly-zero B (pruned fully connected layers) visit only the non-zeros. One or
    /// two rows of A (batch 1): B as vectors of 16 outputs over sliding windows of 32 inputs (<see cref="Blocked"/>), run
    /// by <c>Kernels.SparseGemvBlocked</c>. Batches of 32 rows or more: B by blocks of 128 inputs and output column
    /// (values, 16-bit input indices, starts of each block's column), run by <c>Kernels.SparseMatMul</c> on transposed
    /// blocks of 64 rows. Hooked into <see cref="GemmOp"/> and <see cref="MatMulOp"/> by one line each.
    /// </summary>
    public static class SparseGemm
    {
        /// <summary>
        /// One or two rows of A run <c>Kernels.SparseGemvBlocked</c> (vectors of 16 outputs over windows of 32 inputs of the
        /// row) when the density times the rows is at most this. Measured (1024×1024, AVX-512): one row 3.3x faster than
        /// the dense kernel at 10% non-zeros and 1.8x at 20% with fixed chunks of 32 inputs, about 1.4x faster again with
        /// the sliding windows; two rows 1.7x at 10% (chunks).
        /// </summary>
        public const double MaxDensityTimesRowsBlocked = 0.2;

        /// <summary>Rows up to which the blocked kernel is used.</summary>
        public const int BlockedMaxRows = 2;

        /// <summary>
        /// From this many rows on, <c>Kernels.SparseMatMul</c> (transposed blocks of 64 rows, blocks of 128 inputs) at most
        /// this density: measured 4.1x faster than the dense kernel at 64 rows and 10% (kernel loop, 140 vs 571 µs); between
        /// 3 and 31 rows the transposes cost more than the zeros save (0.6x at 8 rows and 10%, before the input blocks), so
        /// those stay dense.
        /// </summary>
        public const double MaxDensityManyRows = 0.1;

        /// <summary>Rows from which the transposed-block kernel is used.</summary>
        public const int ManyRowsMin = 32;

        /// <summary>Must equal the runtime's Kernels.SparseMatMulBlockRows.</summary>
        public const int BlockRows = 64;

        /// <summary>Must equal the runtime's Kernels.SparseMatMulBlockInputs.</summary>
        public const int BlockInputs = 128;

        /// <summary>Must equal the runtime's Kernels.SparseBlockOutputs and SparseBlockInputs.</summary>
        public const int GroupOutputs = 16, ChunkInputs = 32;

        /// <summary>Window starts of the blocked layout are multiples of this (unaligned 64-byte loads of the row split cache lines: 12.1 µs against 10.6 µs aligned, 1024×1024 at 10%).</summary>
        private const int WindowAlign = 16;

        /// <summary>Smallest B (k·n) worth a sparse layout.</summary>
        public const long MinWeights = 1024;

        private sealed class SparseLayer
        {
            public int M, K, N;
            public bool TransB;
            public float Alpha = 1f, Beta = 1f;
            public Value? C;
        }

        /// <summary>The product's rows, inputs and outputs when a Gemm or MatMul qualifies for the sparse kernel, else null.</summary>
        private static SparseLayer? Analyze(Node node)
        {
            if (node.Domain.Length != 0 || node.Inputs.Length < 2 || node.Inputs[0] is null || node.Inputs[1] is null) return null;
            var av = node.Inputs[0]!; var bv = node.Inputs[1]!;
            if (av.Type != DataType.Float || bv.Type != DataType.Float || bv.Constant is null || av.Constant is not null || node.FusedResidual) return null;
            if (av.Shape is null || bv.Shape is null || bv.Rank != 2) return null;
            var s = new SparseLayer();
            if (node.OpType == "Gemm")
            {
                if (node.Attributes.Int("transA", 0) != 0 || av.Rank != 2) return null;
                s.TransB = node.Attributes.Int("transB", 0) != 0;
                s.Alpha = node.Attributes.Float("alpha", 1f);
                s.Beta = node.Attributes.Float("beta", 1f);
                s.M = av.Shape[0]; s.K = av.Shape[1];
                s.N = s.TransB ? bv.Shape[0] : bv.Shape[1];
                if ((s.TransB ? bv.Shape[1] : bv.Shape[0]) != s.K) return null;
                var c = node.Input(2);
                if (c is not null && s.Beta != 0)
                {
                    // Only a constant row bias ([n], [1, n] or a scalar): other C forms stay on the dense kernel.
                    if (c.Constant is null || c.Shape is null || c.Rank > 2 || (c.Rank == 2 && c.Shape[0] != 1)) return null;
                    int cols = c.Rank == 0 ? 1 : c.Shape[c.Rank - 1];
                    if (cols != 1 && cols != s.N) return null;
                    s.C = c;
                }
            }
            else if (node.OpType == "MatMul")
            {
                if (node.Inputs.Length != 2 || av.Rank < 1) return null;
                s.K = av.Shape[av.Rank - 1];
                s.M = av.Rank == 1 ? 1 : Shapes.Size(av.Shape) / s.K;
                s.N = bv.Shape[1];
                if (bv.Shape[0] != s.K || s.N <= 1) return null;
            }
            else return null;
            if (s.K <= 0 || s.N <= 0 || s.M <= 0 || s.K > 65536 || (long)s.K * s.N < MinWeights) return null;
            var b = bv.Constant.AsFloats();
            long nonZeros = 0;
            foreach (float v in b) if (v != 0f) nonZeros++;
            if (nonZeros == 0) return null;
            if (s.M <= BlockedMaxRows) return nonZeros * s.M <= MaxDensityTimesRowsBlocked * b.Length ? s : null;
            return s.M >= ManyRowsMin && nonZeros <= MaxDensityManyRows * b.Length ? s : null;
        }

        /// <summary>True when this Gemm or MatMul runs on the sparse kernel.</summary>
        public static bool Applies(Node node) => Analyze(node) is not null;

        /// <summary>The scratch of the sparse kernel (a block of transposed rows of A and of Y).</summary>
        public static long ScratchBytes(Node node)
        {
            var s = Analyze(node)!;
            return s.M <= BlockedMaxRows ? 0 : 4L * (s.K + s.N) * Math.Min(s.M, BlockRows);
        }

        public static void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var s = Analyze(node)!;
            var bv = node.Inputs[1]!;
            var b = bv.Constant!.AsFloats();
            // Output j's non-zeros (input index, value), alpha folded in.
            var columns = new List<(int P, float V)>[s.N];
            long nonZeros = 0;
            for (int j = 0; j < s.N; j++)
            {
                columns[j] = new List<(int, float)>();
                for (int p = 0; p < s.K; p++)
                {
                    float v = s.TransB ? b[j * s.K + p] : b[p * s.N + j];
                    if (v != 0f) columns[j].Add((p, s.Alpha * v));
                }
                nonZeros += columns[j].Count;
            }
            long weights = (long)s.K * s.N;
            Arg bias = Arg.None;
            if (s.C is not null)
            {
                var c = s.C.Constant!.AsFloats();
                var colBias = Enumerable.Range(0, s.N).Select(j => s.Beta * c[c.Length == 1 ? 0 : j]).ToArray();
                bias = ctx.Weight(Tensor.FromFloats(new[] { s.N }, colBias), s.C.Name + "_bias");
            }
            var act = KernelLayout.Activation(node);
            if (s.M <= BlockedMaxRows)
            {
                var (vectors, lanes, bases, starts) = Blocked(columns, s.K, s.N);
                ctx.ReportCompression("sparse columns", weights, nonZeros, 4 * weights, 5L * vectors.Length + 4L * (bases.Length + starts.Length));
                ctx.Call("SparseGemvBlocked",
                    ("values", ctx.Weight(Tensor.FromFloats(new[] { vectors.Length }, vectors), bv.Name + "_values")),
                    ("lanes", ctx.Weight(new Tensor(DataType.UInt8, new[] { lanes.Length }, longs: lanes), bv.Name + "_lanes")),
                    ("bases", ctx.Weight(new Tensor(DataType.Int32, new[] { bases.Length }, longs: bases), bv.Name + "_bases")),
                    ("starts", ctx.Weight(new Tensor(DataType.Int32, new[] { starts.Length }, longs: starts), bv.Name + "_starts")),
                    ("n", s.N), ("k", s.K), ("a", ctx.Input(0)), ("m", s.M), ("bias", bias), ("y", ctx.Output(0)), ("activation", act));
                return;
            }
            // By input block, then output column, then input: one run of non-zeros per (block, column).
            int blocks = (s.K + BlockInputs - 1) / BlockInputs;
            var values = new float[nonZeros];
            var indices = new long[nonZeros];
            var columnStarts = new long[(long)blocks * s.N + 1];
            var cursor = new int[s.N];
            int q = 0;
            for (int blk = 0; blk < blocks; blk++)
                for (int j = 0; j < s.N; j++)
                {
                    var col = columns[j];
                    for (; cursor[j] < col.Count && col[cursor[j]].P < (blk + 1) * BlockInputs; cursor[j]++, q++)
                        (values[q], indices[q]) = (col[cursor[j]].V, col[cursor[j]].P);
                    columnStarts[blk * s.N + j + 1] = q;
                }
            ctx.ReportCompression("sparse columns", weights, nonZeros, 4 * weights, 6L * values.Length + 4L * columnStarts.Length);
            ctx.Call("SparseMatMul",
                ("values", ctx.Weight(Tensor.FromFloats(new[] { values.Length }, values), bv.Name + "_values")),
                ("indices", ctx.Weight(new Tensor(DataType.UInt16, new[] { indices.Length }, longs: indices), bv.Name + "_indices")),
                ("starts", ctx.Weight(new Tensor(DataType.Int32, new[] { columnStarts.Length }, longs: columnStarts), bv.Name + "_starts")),
                ("n", s.N), ("k", s.K), ("a", ctx.Input(0)), ("m", s.M), ("bias", bias), ("y", ctx.Output(0)),
                ("activation", act), ("scratch", ctx.Scratch()));
        }

        /// <summary>
        /// The layout of the runtime's SparseGemvBlocked: per group of 16 outputs, vectors over windows of 32 inputs. Each
        /// vector's window starts at the group's lowest pending input rounded down to a multiple of 16 (aligned loads of
        /// the row; clamped to k − 32, 0 when k &lt; 32), and every output of the group whose next non-zero falls in the
        /// window puts it in its lane (value, and position in the window), the others 0. Windows slide with the
        /// non-zeros instead of being fixed chunks, so fewer lanes stay empty: 1024×1024 at 10% non-zeros, 10.3k vectors
        /// for 104k non-zeros against 13.0k with fixed chunks of 32.
        /// </summary>
        private static (float[] Values, long[] Lanes, long[] Bases, long[] Starts) Blocked(List<(int P, float V)>[] columns, int k, int n)
        {
            int groups = (n + GroupOutputs - 1) / GroupOutputs;
            var values = new List<float>();
            var lanes = new List<long>();
            var bases = new List<long>();
            var starts = new long[groups + 1];
            var cursor = new int[GroupOutputs];
            for (int g = 0; g < groups; g++)
            {
                Array.Clear(cursor, 0, cursor.Length);
                while (true)
                {
                    int lowest = int.MaxValue;
                    for (int l = 0; l < GroupOutputs; l++)
                    {
                        int j = g * GroupOutputs + l;
                        if (j < n && cursor[l] < columns[j].Count) lowest = Math.Min(lowest, columns[j][cursor[l]].P);
                    }
                    if (lowest == int.MaxValue) break;
                    int start = k >= ChunkInputs ? Math.Min(lowest & ~(WindowAlign - 1), k - ChunkInputs) : 0;
                    for (int l = 0; l < GroupOutputs; l++)
                    {
                        int j = g * GroupOutputs + l;
                        bool has = j < n && cursor[l] < columns[j].Count && columns[j][cursor[l]].P < start + ChunkInputs;
                        values.Add(has ? columns[j][cursor[l]].V : 0f);
                        lanes.Add(has ? columns[j][cursor[l]].P - start : 0);
                        if (has) cursor[l]++;
                    }
                    bases.Add(start);
                }
                starts[g + 1] = bases.Count;
            }
            return (values.ToArray(), lanes.ToArray(), bases.ToArray(), starts);
        }
    }
}
