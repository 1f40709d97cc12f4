using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// LpNormalization: x / ‖x‖ₚ along one axis (default -1), p = 1 or 2 (default 2); a zero norm leaves zeros.
    /// Kernels.LpNormalization on [outer, axis, inner] (vectorized rows when the axis is innermost).
    /// </summary>
    public sealed class LpNormalizationOp : OpDefinition
    {
        public override string OpType => "LpNormalization";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Outputs.Length == 1, "expects one input and one output");
            RequireFloat(node);
            Require(node.Inputs[0]!.Rank >= 1, "needs an input of rank 1 or more");
            P(node);
            Dims(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = node.Inputs[0]!.Shape;
        }

        private static int P(Node node)
        {
            long p = node.Attributes.Int("p", 2);
            Require(p is 1 or 2, $"p {p} must be 1 or 2");
            return (int)p;
        }

        private static (int Outer, int Axis, int Inner) Dims(Node node)
        {
            var shape = node.Inputs[0]!.Shape!;
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", -1), shape.Length);
            return (Shapes.Size(shape.Take(axis).ToArray()), shape[axis], Shapes.Size(shape.Skip(axis + 1).ToArray()));
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!.AsFloats();
            var (outer, axis, inner) = Dims(node);
            int p = P(node);
            var y = new float[x.Length];
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++)
                {
                    double norm = 0;
                    for (int k = 0; k < axis; k++) norm += p == 1 ? Math.Abs(x[(o * axis + k) * inner + j]) : (double)x[(o * axis + k) * inner + j] * x[(o * axis + k) * inner + j];
                    if (p == 2) norm = Math.Sqrt(norm);
                    for (int k = 0; k < axis; k++)
                    {
                        int at = (o * axis + k) * inner + j;
                        y[at] = norm == 0 ? x[at] : (float)(x[at] / norm);
                    }
                }
            node.Outputs[0].Constant = Tensor.FromFloats(node.Outputs[0].Shape!, y);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var (outer, axis, inner) = Dims(ctx.Node);
            ctx.Call("LpNormalization", ("x", ctx.Input(0)), ("destination", ctx.Output(0)), ("outer", outer), ("axis", axis), ("inner", inner), ("p", P(ctx.Node)));
        }
    }
}
