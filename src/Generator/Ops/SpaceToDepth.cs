using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// SpaceToDepth: [N, C, H, W] → [N, C·b², H/b, W/b], the inverse of DepthToSpace (DCR): [N, C, H/b, b, W/b, b]
    /// permuted (0, 3, 5, 1, 2, 4).
    /// </summary>
    public sealed class SpaceToDepthOp : OpDefinition
    {
        public override string OpType => "SpaceToDepth";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null, "needs input");
            var x = node.Inputs[0]!;
            Require(x.Rank == 4, $"input {Shapes.Format(x.Shape!)} must be [N, C, H, W]");
            int b = SpaceDepth.BlockSize(node);
            Require(x.Shape![2] % b == 0 && x.Shape![3] % b == 0, $"height and width of {Shapes.Format(x.Shape!)} are not multiples of blocksize {b}");
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = new[] { x.Shape![0], x.Shape![1] * b * b, x.Shape![2] / b, x.Shape![3] / b };
        }

        private static Region Move(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            int b = SpaceDepth.BlockSize(node);
            return SpaceDepth.Permuted(new[] { x[0], x[1], x[2] / b, b, x[3] / b, b }, new[] { 0, 3, 5, 1, 2, 4 });
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = new MoveProgram().Copy(0, Move(node)).Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx) => SpaceDepth.Lower(ctx, Move(ctx.Node));
    }
}
