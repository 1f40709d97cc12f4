using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// MatMul with numpy semantics: N-D operands with broadcast batch axes, 1-D operands promoted and their axis removed.
    /// A constant B is packed into GEMM panels at build time; a B shared by every batch with a contiguous A folds the batch
    /// into the rows of one product; a matrix-vector product (N = 1) uses a dot-product kernel.
    /// </summary>
    public sealed class MatMulOp : OpDefinition
    {
        public override string OpType => "MatMul";

        private sealed class Dims
        {
            public int M, N, K;
            public int[] ABatch = Array.Empty<int>(), BBatch = Array.Empty<int>(), Batch = Array.Empty<int>();
            public int[] Output = Array.Empty<int>();
            public int Count => Shapes.Size(Batch);

            /// <summary>Element offsets of A, B and Y for every output batch, in order.</summary>
            public (int[] A, int[] B, int[] Y) Offsets()
            {
                int count = Count;
                var sa = BinaryFloatOp.BroadcastStrides(ABatch, Batch);
                var sb = BinaryFloatOp.BroadcastStrides(BBatch, Batch);
                var strides = Shapes.Strides(Batch);
                var a = new int[count]; var b = new int[count]; var y = new int[count];
                for (int i = 0; i < count; i++)
                {
                    int ia = 0, ib = 0, rem = i;
                    for (int d = 0; d < Batch.Length; d++)
                    {
                        int idx = rem / strides[d]; rem %= strides[d];
                        ia += idx * sa[d]; ib += idx * sb[d];
                    }
                    a[i] = ia * M * K; b[i] = ib * K * N; y[i] = i * M * N;
                }
                return (a, b, y);
            }
        }

        private static Dims Analyze(Node node)
        {
            Require(node.Inputs.Length == 2 && node.Inputs[0] is not null && node.Inputs[1] is not null, "expects A and B");
            var av = node.Inputs[0]!; var bv = node.Inputs[1]!;
            Require(av.Type == bv.Type, $"A and B have different element types {DataTypes.OnnxName(av.Type)} and {DataTypes.OnnxName(bv.Type)}");
            var a = av.Shape!; var b = bv.Shape!;
            Require(a.Length >= 1 && b.Length >= 1, "A and B must have at least one axis");
            var am = a.Length == 1 ? new[] { 1, a[0] } : a;
            var bm = b.Length == 1 ? new[] { b[0], 1 } : b;
            var d = new Dims { M = am[am.Length - 2], K = am[am.Length - 1], N = bm[bm.Length - 1] };
            Require(bm[bm.Length - 2] == d.K, $"inner dimensions differ: A {Shapes.Format(a)}, B {Shapes.Format(b)}");
            d.ABatch = am.Take(am.Length - 2).ToArray();
            d.BBatch = bm.Take(bm.Length - 2).ToArray();
            var batch = Shapes.Broadcast(d.ABatch, d.BBatch);
            Require(batch is not null, $"batch axes of A {Shapes.Format(a)} and B {Shapes.Format(b)} do not broadcast");
            d.Batch = batch!;
            var output = new List<int>(d.Batch);
            if (a.Length > 1) output.Add(d.M);
            if (b.Length > 1) output.Add(d.N);
            d.Output = output.ToArray();
            return d;
        }

        public override void InferShapes(Node node)
        {
            var d = Analyze(node);
            var t = node.Inputs[0]!.Type;
            bool constant = node.Inputs[0]!.Constant is not null && node.Inputs[1]!.Constant is not null;
            RequireSupported(t == DataType.Float || (constant && (DataTypes.IsFloating(t) || DataTypes.IsInteger(t))),
                $"MatMul on {DataTypes.OnnxName(t)} (float is supported, other types only on constants)");
            node.Outputs[0].Type = t;
            node.Outputs[0].Shape = d.Output;
        }

        public override bool TryFold(Node node)
        {
            var d = Analyze(node);
            var a = node.Inputs[0]!.Constant!; var b = node.Inputs[1]!.Constant!;
            var (ao, bo, yo) = d.Offsets();
            var result = new double[Shapes.Size(d.Output)];
            for (int i = 0; i < d.Count; i++)
                for (int r = 0; r < d.M; r++)
                    for (int c = 0; c < d.N; c++)
                    {
                        double s = 0;
                        for (int p = 0; p < d.K; p++) s += a.GetDouble(ao[i] + r * d.K + p) * b.GetDouble(bo[i] + p * d.N + c);
                        result[yo[i] + r * d.N + c] = s;
                    }
            node.Outputs[0].Constant = Tensor.FromDoubles(node.Outputs[0].Type, d.Output, result);
            return true;
        }

        public override long Macs(Node node)
        {
            var d = Analyze(node);
            return (long)d.Count * d.M * d.N * d.K;
        }

        public override long ScratchBytes(Node node)
        {
            if (SparseGemm.Applies(node)) return SparseGemm.ScratchBytes(node);
            if (CodebookWeights.ForMatMul(node) is not null) return CodebookWeights.GemmScratchBytes(node);
            var d = Analyze(node);
            bool runtimeB = node.Inputs[1]!.Constant is null;
            return runtimeB && d.N > 1 && d.N % KernelLayout.PanelWidth != 0 ? 4L * d.K * KernelLayout.PanelWidth : 0;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            Passes.RemoveZeroFilters.Report(ctx);
            if (SparseGemm.Applies(node)) { SparseGemm.Lower(ctx); return; }
            if (CodebookWeights.ForMatMul(node) is { } codebook) { CodebookWeights.LowerMatMul(ctx, codebook); return; }
            var d = Analyze(node);
            var act = KernelLayout.Activation(node);
            BufferArg a = ctx.Input(0), y = ctx.Output(0);
            var (ao, bo, yo) = d.Offsets();
            int count = d.Count;
            var bConst = node.Inputs[1]!.Constant;

            // One product over all batches when B is shared and A's batches are laid out in order.
            bool fold = bo.All(o => o == bo[0]) && ao.Select((o, i) => o == i * d.M * d.K).All(x => x);
            int m = d.M;
            if (fold && count > 1)
            {
                m = d.M * count;
                ao = new[] { 0 }; bo = new[] { bo[0] }; yo = new[] { 0 };
                count = 1;
            }

            BufferArg b;
            int[] bOffsets = bo;
            Func<BufferArg, BufferArg, BufferArg, KernelCall> call;
            // The names of the call's A, B and Y parameters, for batched calls that move them.
            (string A, string B, string Y) names = ("a", "b", "c");
            if (d.N == 1)
            {
                b = ctx.Input(1);
                names = ("a", "x", "y");
                call = (aa, bb, yy) => ctx.MakeCall("Gemv", Array.Empty<TypeArg>(), ("a", aa), ("lda", d.K), ("x", bb), ("bias", Arg.None), ("y", yy), ("m", m), ("k", d.K), ("activation", act));
            }
            else if (bConst is not null)
            {
                // Pack each distinct B matrix once.
                var distinct = bo.Distinct().ToList();
                int packedLength = KernelLayout.PanelWidth * ((d.N + KernelLayout.PanelWidth - 1) / KernelLayout.PanelWidth) * d.K;
                var packed = new float[distinct.Count * packedLength];
                var floats = bConst.AsFloats();
                for (int i = 0; i < distinct.Count; i++)
                {
                    var matrix = new float[d.K * d.N];
                    Array.Copy(floats, distinct[i], matrix, 0, matrix.Length);
                    Array.Copy(KernelLayout.PackB(matrix, d.K, d.N), 0, packed, i * packedLength, packedLength);
                }
                b = ctx.Weight(Tensor.FromFloats(new[] { packed.Length }, packed), node.Inputs[1]!.Name + "_packed");
                bOffsets = bo.Select(o => distinct.IndexOf(o) * packedLength).ToArray();
                names = ("a", "packedB", "c");
                call = (aa, bb, yy) => ctx.MakeCall("GemmPackedB", Array.Empty<TypeArg>(), ("a", aa), ("lda", d.K), ("packedB", bb), ("c", yy), ("ldc", d.N), ("m", m), ("n", d.N), ("k", d.K),
                    ("rowBias", Arg.None), ("colBias", Arg.None), ("alpha", 1f), ("accumulate", false), ("activation", act));
            }
            else
            {
                b = ctx.Input(1);
                Arg scratch = ScratchBytes(node) > 0 ? ctx.Scratch() : Arg.None;
                call = (aa, bb, yy) => ctx.MakeCall("GemmRowMajorB", Array.Empty<TypeArg>(), ("a", aa), ("lda", d.K), ("b", bb), ("ldb", d.N), ("c", yy), ("ldc", d.N), ("m", m), ("n", d.N), ("k", d.K),
                    ("rowBias", Arg.None), ("colBias", Arg.None), ("alpha", 1f), ("accumulate", false), ("activation", act), ("scratch", scratch));
            }

            if (count == 1)
            {
                ctx.Add(call(Slice(a, ao[0]), Slice(b, bOffsets[0]), Slice(y, yo[0])));
                return;
            }
            var offsets = new[]
            {
                new RepeatOffsets(names.A, new Common.EquatableArray<int>(ao)),
                new RepeatOffsets(names.B, new Common.EquatableArray<int>(bOffsets)),
                new RepeatOffsets(names.Y, new Common.EquatableArray<int>(Enumerable.Range(0, count).Select(i => i * d.M * d.N).ToArray())),
            };
            ctx.Add(new RepeatedCall(ctx.Origin, count, call(a, b, y), new Common.EquatableArray<RepeatOffsets>(offsets)));
        }

        /// <summary>The buffer from element <paramref name="offset"/> on.</summary>
        private static BufferArg Slice(BufferArg span, int offset) => offset == 0 ? span : new BufferArg(span.Buffer, span.Start + offset);
    }
}
