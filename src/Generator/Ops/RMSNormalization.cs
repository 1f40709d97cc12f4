using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// RMSNormalization (opset 23): x viewed as [rows, cols] with cols = prod(shape[axis..]) becomes
    /// x / √(mean(x²) + epsilon) · scale, scale broadcast to shape[axis..]. Statistics in float (stash_type 1).
    /// Kernels.RmsNormalization: one vectorized pass for Σx², one for the scaling.
    /// </summary>
    public sealed class RMSNormalizationOp : OpDefinition
    {
        public override string OpType => "RMSNormalization";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null, "needs X and scale");
            Require(node.Outputs.Length == 1, "has one output");
            RequireFloat(node, 0);
            RequireFloat(node, 1);
            long stash = node.Attributes.Int("stash_type", 1);
            RequireSupported(stash == 1, $"stash_type {stash}: only 1 (float statistics) is supported");
            var (axis, _, _) = Normalization.Rows(node);
            Normalization.RequireBroadcastable(node.Inputs[1]!, node.Inputs[0]!.Shape!.Skip(axis).ToArray());
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = node.Inputs[0]!.Shape;
        }

        public override bool TryFold(Node node)
        {
            var (axis, rows, cols) = Normalization.Rows(node);
            var scale = Normalization.Broadcast(node.Inputs[1]!.Constant!, node.Inputs[0]!.Shape!.Skip(axis).ToArray());
            var (y, _, _) = Normalization.Reference(node.Inputs[0]!.Constant!.AsFloats(), rows, cols, Normalization.Epsilon(node), false, scale, null);
            node.Outputs[0].Constant = Tensor.FromFloats(node.Outputs[0].Shape!, y);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var (axis, rows, cols) = Normalization.Rows(ctx.Node);
            var normalized = ctx.Node.Inputs[0]!.Shape!.Skip(axis).ToArray();
            ctx.Call("RmsNormalization", ("x", ctx.Input(0)), ("scale", Normalization.Parameter(ctx, 1, normalized)), ("destination", ctx.Output(0)),
                ("rows", rows), ("cols", cols), ("epsilon", Normalization.Epsilon(ctx.Node)));
        }
    }
}
