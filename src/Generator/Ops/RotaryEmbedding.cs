using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// RotaryEmbedding (opset 23): input [B, H, S, D], or [B, S, H·D] with num_heads; the first rotary_embedding_dim
    /// (default D) elements of each head row rotate by the cos/sin cache row of its position, the rest pass through. The
    /// caches are [positions, rot/2] indexed by position_ids [B, S], or [B, S, rot/2] without position ids. interleaved
    /// pairs (x[2i], x[2i+1]) instead of the halves (x[i], x[i + rot/2]).
    /// </summary>
    public sealed class RotaryEmbeddingOp : OpDefinition
    {
        public override string OpType => "RotaryEmbedding";

        private readonly record struct RotaryGeometry(int Batch, int Heads, int Sequence, int HeadSize, int RotaryDim, int BatchStride, int HeadStride, int SequenceStride, bool Interleaved);

        private static RotaryGeometry Infer(Node node)
        {
            Require(node.Inputs.Length >= 3 && node.Inputs[0] is not null && node.Inputs[1] is not null && node.Inputs[2] is not null,
                "needs input, cos_cache and sin_cache");
            RequireFloat(node);
            RequireFloat(node, 1);
            RequireFloat(node, 2);
            var x = node.Inputs[0]!;
            bool interleaved = AttributeChecks.Flag(node, "interleaved");
            long numHeads = AttributeChecks.Int(node, "num_heads", 0);
            long rotaryAttr = AttributeChecks.Int(node, "rotary_embedding_dim", 0);
            Require(numHeads >= 0, $"num_heads {numHeads} is negative");
            Require(rotaryAttr >= 0, $"rotary_embedding_dim {rotaryAttr} is negative");
            Require(x.Rank is 3 or 4, $"input '{x.Name}' has rank {x.Rank}; 3 or 4 expected");
            var s = x.Shape!;
            int batch = s[0], heads, sequence, headSize;
            if (x.Rank == 4)
            {
                (heads, sequence, headSize) = (s[1], s[2], s[3]);
                Require(numHeads == 0 || numHeads == heads, $"num_heads {numHeads} differs from the input's {heads} heads");
            }
            else
            {
                Require(numHeads > 0, "num_heads is required for a 3-D input");
                Require(s[2] % numHeads == 0, $"hidden size {s[2]} is not a multiple of num_heads {numHeads}");
                (heads, sequence, headSize) = ((int)numHeads, s[1], s[2] / (int)numHeads);
            }
            int rotary = rotaryAttr == 0 ? headSize : (int)rotaryAttr;
            Require(rotary <= headSize && rotary % 2 == 0, $"rotary_embedding_dim {rotary} must be even and at most the head size {headSize}");
            var cos = node.Inputs[1]!;
            var sin = node.Inputs[2]!;
            var cs = cos.Shape!;
            Require(cos.Shape!.SequenceEqual(sin.Shape!), $"cos_cache {Shapes.Format(cos.Shape!)} and sin_cache {Shapes.Format(sin.Shape!)} differ in shape");
            var positions = node.Input(3);
            if (positions is not null)
            {
                Require(positions.Type == DataType.Int64, $"position_ids '{positions.Name}' has type {DataTypes.OnnxName(positions.Type)}; int64 expected");
                Require(positions.Rank == 2 && positions.Shape![0] == batch && positions.Shape[1] == sequence,
                    $"position_ids '{positions.Name}' has shape {Shapes.Format(positions.Shape!)}; [{batch}, {sequence}] expected");
                Require(cos.Rank == 2 && cs[1] == rotary / 2, $"cos_cache has shape {Shapes.Format(cs)}; [positions, {rotary / 2}] expected with position_ids");
                if (positions.Constant is not null)
                    foreach (long p in positions.Constant.AsLongs())
                        Require(p >= 0 && p < cs[0], $"position id {p} is outside the cache's [0, {cs[0]})");
            }
            else
                Require(cos.Rank == 3 && cs[0] == batch && cs[1] == sequence && cs[2] == rotary / 2,
                    $"cos_cache has shape {Shapes.Format(cs)}; [{batch}, {sequence}, {rotary / 2}] expected without position_ids");
            return x.Rank == 4
                ? new RotaryGeometry(batch, heads, sequence, headSize, rotary, heads * sequence * headSize, sequence * headSize, headSize, interleaved)
                : new RotaryGeometry(batch, heads, sequence, headSize, rotary, sequence * heads * headSize, headSize, heads * headSize, interleaved);
        }

        public override void InferShapes(Node node)
        {
            Infer(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = node.Inputs[0]!.Shape;
        }

        public override bool TryFold(Node node)
        {
            var g = Infer(node);
            var x = node.Inputs[0]!.Constant!.AsFloats();
            var cos = node.Inputs[1]!.Constant!.AsFloats();
            var sin = node.Inputs[2]!.Constant!.AsFloats();
            var positions = node.Input(3)?.Constant!.AsLongs();
            var y = (float[])x.Clone();
            int half = g.RotaryDim / 2;
            for (int b = 0; b < g.Batch; b++)
                for (int s = 0; s < g.Sequence; s++)
                {
                    int row = positions is null ? b * g.Sequence + s : (int)positions[b * g.Sequence + s];
                    for (int h = 0; h < g.Heads; h++)
                    {
                        int start = b * g.BatchStride + h * g.HeadStride + s * g.SequenceStride;
                        for (int i = 0; i < half; i++)
                        {
                            int first = g.Interleaved ? start + 2 * i : start + i;
                            int second = g.Interleaved ? first + 1 : first + half;
                            float c = cos[row * half + i], sn = sin[row * half + i];
                            y[first] = x[first] * c - x[second] * sn;
                            y[second] = x[second] * c + x[first] * sn;
                        }
                    }
                }
            node.Outputs[0].Constant = Tensor.FromFloats(node.Inputs[0]!.Shape!, y);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var g = Infer(ctx.Node);
            ctx.Call("RotaryEmbedding", ("x", ctx.Input(0)), ("cosCache", ctx.Input(1)), ("sinCache", ctx.Input(2)),
                ("positionIds", ctx.HasInput(3) ? ctx.Input(3) : Arg.None), ("destination", ctx.Output(0)),
                ("batch", g.Batch), ("heads", g.Heads), ("sequence", g.Sequence), ("headSize", g.HeadSize), ("rotaryDim", g.RotaryDim),
                ("batchStride", g.BatchStride), ("headStride", g.HeadStride), ("sequenceStride", g.SequenceStride), ("interleaved", g.Interleaved));
        }
    }
}
