using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>IsNaN: a bool tensor, true where x is NaN (float, double, float16).</summary>
    public sealed class IsNaNOp : OpDefinition
    {
        public override string OpType => "IsNaN";

        public override void InferShapes(Node node)
        {
            node.Outputs[0].Shape = Broadcasting.InferShape(node, 1, IsSupportedFloating, "float, double and float16");
            node.Outputs[0].Type = DataType.Bool;
        }

        /// <summary>The floating types with a runtime element type (bfloat16 has none).</summary>
        public static bool IsSupportedFloating(DataType t) => t is DataType.Float or DataType.Double or DataType.Float16;

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            var result = new long[x.Length];
            for (int i = 0; i < result.Length; i++) result[i] = double.IsNaN(x.GetDouble(i)) ? 1 : 0;
            node.Outputs[0].Constant = Tensor.FromLongs(DataType.Bool, x.Shape, result);
            return true;
        }

        public override void Lower(LoweringContext ctx) =>
            ctx.Call("IsNaN", new TypeArg[] { ctx.Node.Inputs[0]!.Type }, ("x", ctx.Input(0)), ("destination", ctx.Output(0)));
    }
}
