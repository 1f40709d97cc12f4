using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// ScatterND: output = data, then each index tuple of indices [Q…, m] combines its slice of updates
    /// (indices.shape[..-1] followed by data.shape[m..]) into data[i₁, …, iₘ, :] by reduction (none, add, mul, max, min).
    /// Folds on constants; otherwise Kernels.ScatterND.
    /// </summary>
    public sealed class ScatterNDOp : OpDefinition
    {
        public override string OpType => "ScatterND";

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 3 && node.Inputs.All(i => i is not null), "needs data, indices and updates");
            var data = node.Inputs[0]!;
            var indices = node.Inputs[1]!;
            var updates = node.Inputs[2]!;
            Require(indices.Type == DataType.Int64, $"indices have type {DataTypes.OnnxName(indices.Type)}; int64 expected");
            Indexing.RequireNumeric(data, "data");
            Require(updates.Type == data.Type, $"updates have type {DataTypes.OnnxName(updates.Type)}, data {DataTypes.OnnxName(data.Type)}");
            Require(data.Rank >= 1 && indices.Rank >= 1, "data and indices need rank 1 or more");
            int m = indices.Shape![indices.Rank - 1];
            Require(m >= 1 && m <= data.Rank, $"the index tuple length {m} must be in [1, {data.Rank}]");
            var expected = indices.Shape!.Take(indices.Rank - 1).Concat(data.Shape!.Skip(m)).ToArray();
            Require(updates.Shape!.SequenceEqual(expected), $"updates {Shapes.Format(updates.Shape!)} must be {Shapes.Format(expected)}");
            Indexing.Reduction(node);
            if (indices.Constant is not null)
            {
                var raw = indices.Constant.AsLongs();
                for (int i = 0; i < raw.Length; i++) Indexing.RequireInRange(raw[i], data.Shape![i % m], "ScatterND");
            }
            node.Outputs[0].Type = data.Type;
            node.Outputs[0].Shape = data.Shape;
        }

        public override bool TryFold(Node node)
        {
            var (_, tuples, dims, dimStrides, _, slice) = GatherNDOp.Layout(node.Inputs[0]!.Shape!, node.Inputs[1]!.Shape!, 0);
            var raw = node.Inputs[1]!.Constant!.AsLongs();
            var pairs = new List<(int, int)>();
            for (int t = 0; t < tuples; t++)
            {
                int offset = 0;
                for (int k = 0; k < dims.Length; k++) offset += Indexing.Normalize(raw[t * dims.Length + k], dims[k]) * dimStrides[k];
                for (int i = 0; i < slice; i++) pairs.Add((t * slice + i, offset + i));
            }
            node.Outputs[0].Constant = Indexing.Scatter(node, pairs);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var (_, tuples, dims, dimStrides, _, slice) = GatherNDOp.Layout(node.Inputs[0]!.Shape!, node.Inputs[1]!.Shape!, 0);
            ctx.Call("ScatterND", Indexing.Types(node, 0, 1), ("data", ctx.Input(0)), ("indices", ctx.Input(1)), ("updates", ctx.Input(2)), ("destination", ctx.Output(0)),
                ("tuples", tuples), ("dims", Arg.Ints(dims)), ("dimStrides", Arg.Ints(dimStrides)), ("sliceSize", slice),
                ("reduction", Arg.Enum("ScatterReduction", Indexing.Reduction(node))));
        }
    }
}
