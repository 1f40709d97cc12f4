using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// AffineGrid (20): the sampling grid [N, (D,) H, W, r] of theta [N, r, r + 1] applied to the normalized coordinates
    /// of an output of size [N, C, (D,) H, W]. The size input fixes the output shape, so it must be known at build time.
    /// Kernels.AffineGrid.
    /// </summary>
    public sealed class AffineGridOp : OpDefinition
    {
        public override string OpType => "AffineGrid";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null && node.Outputs.Length == 1, "expects inputs theta and size and one output");
            RequireFloat(node, 0);
            var size = OpInputs.ConstantLongs(node, 1, "size")!;
            RequireSupported(size.Length is 4 or 5, $"size {OpInputs.Format(size)} must have 4 or 5 entries (2-D or 3-D grids)");
            Require(size.All(d => d >= 1 && d <= int.MaxValue), $"size {OpInputs.Format(size)} must be positive");
            int rank = size.Length - 2;
            var theta = node.Inputs[0]!.Shape!;
            Require(theta.Length == 3 && theta[0] == size[0] && theta[1] == rank && theta[2] == rank + 1,
                $"theta {Shapes.Format(theta)} must be [{size[0]}, {rank}, {rank + 1}] for size {OpInputs.Format(size)}");
            AttributeChecks.Flag(node, "align_corners");
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = new[] { (int)size[0] }.Concat(size.Skip(2).Select(d => (int)d)).Concat(new[] { rank }).ToArray();
        }

        private static (int Batch, int Depth, int Height, int Width, int Rank) Dims(Node node)
        {
            var y = node.Outputs[0].Shape!;
            int rank = y.Length - 2;
            return (y[0], rank == 3 ? y[1] : 1, y[y.Length - 3], y[y.Length - 2], rank);
        }

        /// <summary>Normalized coordinate of index i of n: ±1 at the corner centres with align_corners, else at the edges.</summary>
        private static double Coordinate(int i, int n, bool align) => align ? (n == 1 ? -1.0 : -1.0 + 2.0 * i / (n - 1)) : -1.0 + (2.0 * i + 1) / n;

        public override bool TryFold(Node node)
        {
            var theta = node.Inputs[0]!.Constant!.AsFloats();
            var (batch, depth, height, width, rank) = Dims(node);
            bool align = AttributeChecks.Flag(node, "align_corners");
            int cols = rank + 1;
            var y = new float[node.Outputs[0].Length];
            int o = 0;
            for (int b = 0; b < batch; b++)
                for (int d = 0; d < depth; d++)
                    for (int h = 0; h < height; h++)
                        for (int w = 0; w < width; w++)
                        {
                            var point = rank == 2
                                ? new[] { Coordinate(w, width, align), Coordinate(h, height, align), 1.0 }
                                : new[] { Coordinate(w, width, align), Coordinate(h, height, align), Coordinate(d, depth, align), 1.0 };
                            for (int i = 0; i < rank; i++)
                            {
                                double sum = 0;
                                for (int j = 0; j < cols; j++) sum += theta[(b * rank + i) * cols + j] * point[j];
                                y[o++] = (float)sum;
                            }
                        }
            node.Outputs[0].Constant = Tensor.FromFloats(node.Outputs[0].Shape!, y);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var (batch, depth, height, width, rank) = Dims(ctx.Node);
            ctx.Call("AffineGrid", ("theta", ctx.Input(0)), ("grid", ctx.Output(0)), ("batch", batch), ("depth", depth), ("height", height),
                ("width", width), ("spatialRank", rank), ("alignCorners", AttributeChecks.Flag(ctx.Node, "align_corners")));
        }
    }
}
