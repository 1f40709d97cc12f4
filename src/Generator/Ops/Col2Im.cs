using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Col2Im (18): the inverse of im2col. input [N, C·∏block_shape, L] holds, for each block position l, the block's
    /// values; they are summed into an image [N, C, *image_shape] at their positions under strides, dilations and pads
    /// (1-D to 3-D images). image_shape and block_shape fix the output shape and the block count L, so both must be known
    /// at build time.
    /// </summary>
    public sealed class Col2ImOp : OpDefinition
    {
        public override string OpType => "Col2Im";

        private sealed record Col2ImGeometry(int Batch, int Channels, int[] Image, int[] Block, int[] Blocks, int[] Strides, int[] Dilations, int[] PadBegin);

        private static int[] Constant(Node node, int input, string role, string why)
        {
            var v = node.Inputs[input]!;
            Require(v.Type == DataType.Int64, $"{role} '{v.Name}' must be int64");
            RequireSupported(v.Constant is not null, $"input '{v.Name}' must be known at build time: {why}");
            var values = v.Constant!.AsLongs();
            Require(values.All(d => d > 0 && d <= int.MaxValue), $"{role} '{v.Name}' [{string.Join(", ", values)}] must be positive");
            return values.Select(d => (int)d).ToArray();
        }

        private static Col2ImGeometry Describe(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null && node.Input(2) is not null && node.Outputs.Length == 1,
                "expects inputs input, image_shape and block_shape and one output");
            RequireFloat(node, 0);
            var x = node.Inputs[0]!.Shape!;
            Require(x.Length == 3, $"input {Shapes.Format(x)} must be 3-D [N, C·prod(block_shape), L]");
            var image = Constant(node, 1, "image_shape", "it is the output shape");
            var block = Constant(node, 2, "block_shape", "it fixes the channel count of the output");
            int rank = image.Length;
            Require(block.Length == rank, $"block_shape has {block.Length} values for {rank} image axes");
            RequireSupported(rank is >= 1 and <= 3, $"{rank}-D Col2Im (1-D to 3-D images are supported)");
            int[] Attr(string name, int fallback, int count)
            {
                var v = node.Attributes.Ints(name);
                if (v is null) return Enumerable.Repeat(fallback, count).ToArray();
                Require(v.Length == count, $"{name} has {v.Length} values, expected {count}");
                return v.Select(d => checked((int)d)).ToArray();
            }
            var strides = Attr("strides", 1, rank);
            var dilations = Attr("dilations", 1, rank);
            var pads = Attr("pads", 0, 2 * rank);
            Require(strides.All(s => s > 0) && dilations.All(d => d > 0) && pads.All(p => p >= 0), "strides and dilations must be positive and pads not negative");
            int kernel = block.Aggregate(1, (a, b) => checked(a * b));
            Require(x[1] % kernel == 0, $"input channels {x[1]} are not a multiple of the block size {kernel}");
            var blocks = new int[rank];
            for (int d = 0; d < rank; d++)
            {
                long span = (long)image[d] + pads[d] + pads[rank + d] - (long)dilations[d] * (block[d] - 1) - 1;
                Require(span >= 0, $"block {block[d]} (dilation {dilations[d]}) does not fit image axis {d} of {image[d]} with its pads");
                blocks[d] = (int)(span / strides[d] + 1);
            }
            long count = blocks.Aggregate(1L, (a, b) => a * b);
            Require(x[2] == count, $"input has {x[2]} blocks, but image_shape, block_shape, strides, dilations and pads give {count}");
            return new Col2ImGeometry(x[0], x[1] / kernel, image, block, blocks, strides, dilations, pads.Take(rank).ToArray());
        }

        public override void InferShapes(Node node)
        {
            var g = Describe(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = new[] { g.Batch, g.Channels }.Concat(g.Image).ToArray();
        }

        public override void Lower(LoweringContext ctx)
        {
            var g = Describe(ctx.Node);
            if (ctx.Node.Outputs[0].Length == 0) return;
            int pad = 3 - g.Image.Length;
            int[] P(int[] v, int fill) => Enumerable.Repeat(fill, pad).Concat(v).ToArray();
            ctx.Call("Col2Im", ("x", ctx.Input(0)), ("y", ctx.Output(0)), ("planes", g.Batch * g.Channels), ("image", Arg.Ints(P(g.Image, 1))),
                ("block", Arg.Ints(P(g.Block, 1))), ("blocks", Arg.Ints(P(g.Blocks, 1))), ("strides", Arg.Ints(P(g.Strides, 1))),
                ("dilations", Arg.Ints(P(g.Dilations, 1))), ("padBegin", Arg.Ints(P(g.PadBegin, 0))));
        }
    }
}
