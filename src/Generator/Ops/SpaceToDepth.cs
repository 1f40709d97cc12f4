using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// SpaceToDepth: [N, C, H, W] → [N, C·b², H/b, W/b], the inverse of DepthToSpace (DCR): [N, C, H/b, b, W/b, b]
    /// permuted (0, 3, 5, 1, 2, 4).
    /// </summary>
    public sealed class SpaceToDepthOp : SpaceDepthOp
    {
        public override string OpType => "SpaceToDepth";

        protected override int[] OutputShape(Node node, int[] x, int b)
        {
            Require(x[2] % b == 0 && x[3] % b == 0, $"height and width of {Shapes.Format(x)} are not multiples of blocksize {b}");
            return new[] { x[0], x[1] * b * b, x[2] / b, x[3] / b };
        }

        private protected override Region Move(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            int b = BlockSize(node);
            return Permuted(new[] { x[0], x[1], x[2] / b, b, x[3] / b, b }, new[] { 0, 3, 5, 1, 2, 4 });
        }
    }
}
