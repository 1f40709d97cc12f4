using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// GatherND with batch_dims b: indices [B…, Q…, m] select, per batch, slices data[B…, i₁, …, iₘ, :]; the output is
    /// indices.shape[..-1] followed by data.shape[b+m..]. Folds on constants; otherwise Kernels.GatherND (one copy per slice).
    /// </summary>
    public sealed class GatherNDOp : OpDefinition
    {
        public override string OpType => "GatherND";

        /// <summary>The view both paths use: batches, tuples per batch, tuple length, indexed dims and strides, batch stride, slice size.</summary>
        internal static (int Batches, int Tuples, int[] Dims, int[] DimStrides, int BatchStride, int SliceSize) Layout(int[] data, int[] indices, int batchDims)
        {
            int m = indices[indices.Length - 1];
            var inBatch = data.Skip(batchDims).ToArray();
            var strides = Shapes.Strides(inBatch);
            return (Indexing.Product(data, 0, batchDims), Indexing.Product(indices, batchDims, indices.Length - 1), inBatch.Take(m).ToArray(),
                strides.Take(m).ToArray(), Shapes.Size(inBatch), Shapes.Size(inBatch.Skip(m).ToArray()));
        }

        private static int BatchDims(Node node)
        {
            long b = node.Attributes.Int("batch_dims", 0);
            var data = node.Inputs[0]!;
            var indices = node.Inputs[1]!;
            Require(b >= 0 && b < indices.Rank && b < data.Rank, $"batch_dims {b} must be in [0, min(rank(data), rank(indices)))");
            return (int)b;
        }

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null, "needs data and indices");
            var data = node.Inputs[0]!;
            var indices = node.Inputs[1]!;
            Require(indices.Type == DataType.Int64, $"indices have type {DataTypes.OnnxName(indices.Type)}; int64 expected");
            Require(data.Rank >= 1 && indices.Rank >= 1, "data and indices need rank 1 or more");
            int b = BatchDims(node);
            int m = indices.Shape![indices.Rank - 1];
            Require(m >= 1 && m <= data.Rank - b, $"the index tuple length {m} must be in [1, {data.Rank - b}]");
            Require(data.Shape!.Take(b).SequenceEqual(indices.Shape!.Take(b)), $"the batch dimensions of data {Shapes.Format(data.Shape!)} and indices {Shapes.Format(indices.Shape!)} differ");
            if (indices.Constant is not null)
            {
                var raw = indices.Constant.AsLongs();
                for (int i = 0; i < raw.Length; i++) Indexing.RequireInRange(raw[i], data.Shape![b + i % m], "GatherND");
            }
            node.Outputs[0].Type = data.Type;
            node.Outputs[0].Shape = indices.Shape!.Take(indices.Rank - 1).Concat(data.Shape!.Skip(b + m)).ToArray();
        }

        public override bool TryFold(Node node)
        {
            var (batches, tuples, dims, dimStrides, batchStride, slice) = Layout(node.Inputs[0]!.Shape!, node.Inputs[1]!.Shape!, BatchDims(node));
            var raw = node.Inputs[1]!.Constant!.AsLongs();
            int m = dims.Length;
            var program = new MoveProgram();
            for (int t = 0; t < batches * tuples; t++)
            {
                int offset = t / System.Math.Max(tuples, 1) * batchStride;
                for (int k = 0; k < m; k++) offset += Indexing.Normalize(raw[t * m + k], dims[k]) * dimStrides[k];
                program.Copy(0, new Region(offset, t * slice, new[] { slice }, new[] { 1 }, new[] { 1 }));
            }
            node.Outputs[0].Constant = program.Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            if (node.Outputs[0].Length == 0) return;
            var (batches, tuples, dims, dimStrides, batchStride, slice) = Layout(node.Inputs[0]!.Shape!, node.Inputs[1]!.Shape!, BatchDims(node));
            ctx.Call("GatherND", Indexing.Types(node, 0, 1), ("data", ctx.Input(0)), ("indices", ctx.Input(1)), ("destination", ctx.Output(0)),
                ("batches", batches), ("tuples", tuples), ("dims", Arg.Ints(dims)), ("dimStrides", Arg.Ints(dimStrides)), ("batchStride", batchStride), ("sliceSize", slice));
        }
    }
}
