using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>IsInf: a bool tensor, true where x is +∞ (when detect_positive, default 1) or −∞ (when detect_negative, default 1).</summary>
    public sealed class IsInfOp : OpDefinition
    {
        public override string OpType => "IsInf";

        public override void InferShapes(Node node)
        {
            node.Outputs[0].Shape = Broadcasting.InferShape(node, 1, IsNaNOp.IsSupportedFloating, "float, double and float16");
            node.Outputs[0].Type = DataType.Bool;
            Flags(node);
        }

        private static (bool Negative, bool Positive) Flags(Node node) =>
            (Broadcasting.Flag(node, "detect_negative", true), Broadcasting.Flag(node, "detect_positive", true));

        public override bool TryFold(Node node)
        {
            var (negative, positive) = Flags(node);
            var x = node.Inputs[0]!.Constant!;
            var result = new long[x.Length];
            for (int i = 0; i < result.Length; i++)
            {
                double v = x.GetDouble(i);
                result[i] = (positive && double.IsPositiveInfinity(v)) || (negative && double.IsNegativeInfinity(v)) ? 1 : 0;
            }
            node.Outputs[0].Constant = Tensor.FromLongs(DataType.Bool, x.Shape, result);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var (negative, positive) = Flags(ctx.Node);
            ctx.Call("IsInf", new TypeArg[] { ctx.Node.Inputs[0]!.Type }, ("x", ctx.Input(0)), ("destination", ctx.Output(0)),
                ("detectNegative", negative), ("detectPositive", positive));
        }
    }
}
