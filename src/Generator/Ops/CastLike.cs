using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>CastLike (opset 15; saturate 19, round_mode 24): Cast to the element type of the second input, whose data is not read.</summary>
    public sealed class CastLikeOp : OpDefinition
    {
        public override string OpType => "CastLike";

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            var like = node.Input(1);
            Require(like is not null, "needs target_type");
            RequireSupported(DataTypes.IsSupported(like!.Type), $"casting to {DataTypes.OnnxName(like.Type)} is not supported");
            RequireSupported(DataTypes.IsSupported(x.Type) || x.Constant is not null, $"casting from {DataTypes.OnnxName(x.Type)} is not supported");
            CastOp.ReadConversionAttributes(node);
            node.Outputs[0].Type = like.Type;
            node.Outputs[0].Shape = x.Shape;
        }

        /// <summary>Folds when the data is constant; the target only lends its type.</summary>
        public override bool FoldsWithoutConstantInputs => true;

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!;
            if (x.Constant is null) return false;
            var (saturate, roundMode) = CastOp.ReadConversionAttributes(node);
            node.Outputs[0].Constant = CastOp.Convert(x.Constant, node.Outputs[0].Type, saturate, roundMode);
            return true;
        }

        public override void Lower(LoweringContext ctx) => CastOp.LowerCast(ctx);
    }
}
