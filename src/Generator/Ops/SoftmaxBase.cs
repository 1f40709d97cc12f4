using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Shared rule for Softmax and LogSoftmax. Before opset 13 the input is coerced to 2-D at <c>axis</c> (default 1) and
    /// the op runs over the whole second dimension: [outer, prod(dims[axis..]), 1]. From opset 13 it runs over the one
    /// axis (default -1): [prod(dims[..axis]), dims[axis], prod(dims[axis+1..])]. The kernel takes that triple.
    /// </summary>
    public abstract class SoftmaxBase : OpDefinition
    {
        protected abstract string Kernel { get; }

        /// <summary>The row's result from x, the row maximum and Σe^(x - max).</summary>
        protected abstract double Reference(double x, double max, double sum);

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 1 && node.Inputs[0] is not null, "expects one input");
            RequireFloat(node);
            var x = node.Inputs[0]!;
            Require(x.Rank >= 1 || node.Opset >= 13, "needs an input of rank 1 or more");
            Dims(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = x.Shape;
        }

        /// <summary>[outer, axis, inner] of the reduction.</summary>
        public static (int Outer, int Axis, int Inner) Dims(Node node)
        {
            var shape = node.Inputs[0]!.Shape!;
            if (shape.Length == 0) return (1, 1, 1);
            if (node.Opset < 13)
            {
                long attr = node.Attributes.Int("axis", 1);
                Require(attr >= -shape.Length && attr <= shape.Length, $"axis {attr} is out of range for rank {shape.Length}");
                int a = (int)(attr < 0 ? attr + shape.Length : attr);
                return (Size(shape, 0, a), Size(shape, a, shape.Length), 1);
            }
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", -1), shape.Length);
            return (Size(shape, 0, axis), shape[axis], Size(shape, axis + 1, shape.Length));
        }

        private static int Size(int[] shape, int from, int to)
        {
            int n = 1;
            for (int i = from; i < to; i++) n *= shape[i];
            return n;
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!.Floats!;
            var (outer, axis, inner) = Dims(node);
            var y = new float[x.Length];
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++)
                {
                    int at(int k) => (o * axis + k) * inner + j;
                    double max = double.NegativeInfinity, sum = 0;
                    for (int k = 0; k < axis; k++) max = Math.Max(max, x[at(k)]);
                    for (int k = 0; k < axis; k++) sum += Math.Exp(x[at(k)] - max);
                    for (int k = 0; k < axis; k++) y[at(k)] = (float)Reference(x[at(k)], max, sum);
                }
            node.Outputs[0].Constant = Tensor.FromFloats(node.Inputs[0]!.Shape!, y);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var (outer, axis, inner) = Dims(ctx.Node);
            ctx.Call(Kernel, ("x", ctx.Input(0)), ("destination", ctx.Output(0)), ("outer", outer), ("axis", axis), ("inner", inner));
        }
    }
}
