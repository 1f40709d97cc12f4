using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// InstanceNormalization: each channel of each batch item of X [N, C, D…] normalized over its spatial elements, then
    /// scaled and shifted by scale[c] and B[c]: GroupNormalization with one channel per group.
    /// </summary>
    public sealed class InstanceNormalizationOp : OpDefinition
    {
        public override string OpType => "InstanceNormalization";

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 3 && node.Inputs.All(i => i is not null), "needs input, scale and B");
            for (int i = 0; i < 3; i++) RequireFloat(node, i);
            var x = node.Inputs[0]!.Shape!;
            Require(x.Length >= 2, $"input {Shapes.Format(x)} needs a batch and a channel axis");
            for (int i = 1; i < 3; i++)
                Require(node.Inputs[i]!.Rank == 1 && node.Inputs[i]!.Length == x[1], $"'{node.Inputs[i]!.Name}' {Shapes.Format(node.Inputs[i]!.Shape!)} must be [{x[1]}]");
            Normalization.Epsilon(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = x;
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = GroupNormalization.Fold(node, node.Inputs[0]!.Shape![1], perGroup: false);
            return true;
        }

        public override void Lower(LoweringContext ctx) => GroupNormalization.Lower(ctx, ctx.Node.Inputs[0]!.Shape![1], perGroup: false);
    }
}
