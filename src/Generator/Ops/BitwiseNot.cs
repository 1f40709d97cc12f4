using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>BitwiseNot: ~x on an integer type.</summary>
    public sealed class BitwiseNotOp : OpDefinition
    {
        public override string OpType => "BitwiseNot";

        public override void InferShapes(Node node)
        {
            node.Outputs[0].Shape = Broadcasting.InferShape(node, 1, DataTypes.IsInteger, "integer types");
            node.Outputs[0].Type = node.Inputs[0]!.Type;
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            var result = new long[x.Length];
            for (int i = 0; i < result.Length; i++) result[i] = BinaryFloatOp.Wrap(x.Type, ~x.GetLong(i));
            node.Outputs[0].Constant = Tensor.FromLongs(x.Type, x.Shape, result);
            return true;
        }

        public override void Lower(LoweringContext ctx) =>
            ctx.Call("BitwiseNot", new TypeArg[] { ctx.Node.Inputs[0]!.Type }, ("x", ctx.Input(0)), ("destination", ctx.Output(0)));
    }
}
