using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>NegativeLogLikelihoodLoss: loss(n, d) = -input[n, target(n, d), d] · weight[target] (see <see cref="LossBase"/>).</summary>
    public sealed class NegativeLogLikelihoodLossOp : LossBase
    {
        public override string OpType => "NegativeLogLikelihoodLoss";

        public override void InferShapes(Node node) => InferLoss(node);

        public override bool TryFold(Node node)
        {
            var (batch, classes, inner) = Dims(node);
            FoldLoss(node, node.Inputs[0]!.Constant!.AsFloats(), batch, classes, inner);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var (batch, classes, inner) = Dims(ctx.Node);
            LowerLoss(ctx, ctx.Input(0), batch, classes, inner);
        }
    }
}
