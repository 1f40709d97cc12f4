using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>Not: logical negation of a bool tensor.</summary>
    public sealed class NotOp : OpDefinition
    {
        public override string OpType => "Not";

        public override void InferShapes(Node node)
        {
            node.Outputs[0].Shape = Broadcasting.InferShape(node, 1, t => t == DataType.Bool, "bool");
            node.Outputs[0].Type = DataType.Bool;
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            var result = new long[x.Length];
            for (int i = 0; i < result.Length; i++) result[i] = x.GetLong(i) != 0 ? 0 : 1;
            node.Outputs[0].Constant = Tensor.FromLongs(DataType.Bool, x.Shape, result);
            return true;
        }

        public override void Lower(LoweringContext ctx) => ctx.Call("Not", ("x", ctx.Input(0)), ("destination", ctx.Output(0)));
    }
}
