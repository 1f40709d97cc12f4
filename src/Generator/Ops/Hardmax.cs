using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Hardmax: 1 at the first maximum along the axis, 0 elsewhere. The axis works as Softmax's (before opset 13 the input
    /// is coerced to 2-D at axis, default 1; from 13 one axis, default -1), so it shares <see cref="SoftmaxBase.Dims"/>.
    /// </summary>
    public sealed class HardmaxOp : OpDefinition
    {
        public override string OpType => "Hardmax";

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 1 && node.Inputs[0] is not null, "expects one input");
            RequireFloat(node);
            var x = node.Inputs[0]!;
            Require(x.Rank >= 1, "needs an input of rank 1 or more");
            SoftmaxBase.Dims(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = x.Shape;
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!.Floats!;
            var (outer, axis, inner) = SoftmaxBase.Dims(node);
            var y = new float[x.Length];
            for (int o = 0; o < outer && axis > 0; o++)
                for (int j = 0; j < inner; j++)
                {
                    int best = 0;
                    for (int k = 1; k < axis; k++)
                        if (x[(o * axis + k) * inner + j] > x[(o * axis + best) * inner + j]) best = k;
                    y[(o * axis + best) * inner + j] = 1f;
                }
            node.Outputs[0].Constant = Tensor.FromFloats(node.Inputs[0]!.Shape!, y);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var (outer, axis, inner) = SoftmaxBase.Dims(ctx.Node);
            ctx.Call("Hardmax", ("x", ctx.Input(0)), ("destination", ctx.Output(0)), ("outer", outer), ("axis", axis), ("inner", inner));
        }
    }
}
