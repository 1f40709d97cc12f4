using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Gemm and MatMul with a constant, mostly-zero B (pruned fully connected layers): B is stored by output column as
    /// compressed rows of Bᵀ (the non-zero values, their 16-bit input indices, each column's start) and the runtime's
    /// <c>Kernels.SparseMatMul</c> visits only those. A few rows of A gather their inputs per output; more rows are
    /// transposed in blocks so each non-zero multiplies a run of rows. Hooked into <see cref="GemmOp"/> and
    /// <see cref="MatMulOp"/> by one line each.
    /// </summary>
    public static class SparseGemm
    {
        /// <summary>
        /// Densities (non-zeros / weights) up to which the sparse kernel is used. Below <see cref="GatherMaxRows"/> rows the
        /// dense kernel streams all of B from memory for a handful of multiplies per weight, so the sparse one wins up to a
        /// high density; with more rows the dense GEMM reuses each weight across rows and runs near peak.
        /// Measured in SparseGemmBenchmarks (1024×1024): see docs/compression/prune.md.
        /// </summary>
        public const double MaxDensityFewRows = 0.1;

        /// <summary>The same for batches of <see cref="GatherMaxRows"/> rows or more.</summary>
        public const double MaxDensityManyRows = 0.1;

        /// <summary>Must equal the runtime's Kernels.SparseMatMulGatherMaxRows.</summary>
        public const int GatherMaxRows = 4;

        /// <summary>Must equal the runtime's Kernels.SparseMatMulBlockRows.</summary>
        public const int BlockRows = 64;

        /// <summary>Smallest B (k·n) worth a sparse layout.</summary>
        public const long MinWeights = 1024;

        private sealed class Shape
        {
            public int M, K, N;
            public bool TransB;
            public float Alpha = 1f, Beta = 1f;
            public Value? C;
        }

        /// <summary>The product's rows, inputs and outputs when a Gemm or MatMul qualifies for the sparse kernel, else null.</summary>
        private static Shape? Analyze(Node node)
        {
            if (node.Domain.Length != 0 || node.Inputs.Length < 2 || node.Inputs[0] is null || node.Inputs[1] is null) return null;
            var av = node.Inputs[0]!; var bv = node.Inputs[1]!;
            if (av.Type != DataType.Float || bv.Type != DataType.Float || bv.Constant is null || av.Constant is not null || node.FusedResidual) return null;
            if (av.Shape is null || bv.Shape is null || bv.Rank != 2) return null;
            var s = new Shape();
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
            double max = s.M < GatherMaxRows ? MaxDensityFewRows : MaxDensityManyRows;
            return nonZeros > 0 && nonZeros <= max * b.Length ? s : null;
        }

        /// <summary>True when this Gemm or MatMul runs on the sparse kernel.</summary>
        public static bool Applies(Node node) => Analyze(node) is not null;

        /// <summary>The scratch of the sparse kernel (a block of transposed rows of A and of Y).</summary>
        public static long ScratchBytes(Node node)
        {
            var s = Analyze(node)!;
            return s.M < GatherMaxRows ? 0 : 4L * (s.K + s.N) * Math.Min(s.M, BlockRows);
        }

        public static void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var s = Analyze(node)!;
            var bv = node.Inputs[1]!;
            var b = bv.Constant!.AsFloats();
            var values = new List<float>();
            var indices = new List<long>();
            var starts = new long[s.N + 1];
            for (int j = 0; j < s.N; j++)
            {
                for (int p = 0; p < s.K; p++)
                {
                    float v = s.TransB ? b[j * s.K + p] : b[p * s.N + j];
                    if (v == 0f) continue;
                    values.Add(s.Alpha * v);
                    indices.Add(p);
                }
                starts[j + 1] = values.Count;
            }
            long weights = (long)s.K * s.N;
            ctx.ReportCompression("sparse columns", weights, values.Count, 4 * weights, 6L * values.Count + 4L * starts.Length);

            Arg bias = Arg.None;
            if (s.C is not null)
            {
                var c = s.C.Constant!.AsFloats();
                var colBias = Enumerable.Range(0, s.N).Select(j => s.Beta * c[c.Length == 1 ? 0 : j]).ToArray();
                bias = ctx.Weight(Tensor.FromFloats(new[] { s.N }, colBias), s.C.Name + "_bias");
            }
            ctx.Call("SparseMatMul",
                ("values", ctx.Weight(Tensor.FromFloats(new[] { values.Count }, values.ToArray()), bv.Name + "_values")),
                ("indices", ctx.Weight(new Tensor(DataType.UInt16, new[] { indices.Count }, longs: indices.ToArray()), bv.Name + "_indices")),
                ("starts", ctx.Weight(new Tensor(DataType.Int32, new[] { starts.Length }, longs: starts), bv.Name + "_starts")),
                ("n", s.N), ("k", s.K), ("a", ctx.Input(0)), ("m", s.M), ("bias", bias), ("y", ctx.Output(0)),
                ("activation", KernelLayout.Activation(node)), ("scratch", ScratchBytes(node) > 0 ? ctx.Scratch() : Arg.None));
        }
    }
}
