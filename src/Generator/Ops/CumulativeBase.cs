using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Shared rule for CumSum and CumProd: running sums (products) of x along the axis given by the second input (a
    /// 0-D or 1-element int32/int64 tensor, negative from the end), exclusive and reverse attributes 0 or 1. The output
    /// shape does not depend on the axis, so it may come at run time: the kernel reads it. Every numeric type runs.
    /// </summary>
    public abstract class CumulativeBase : OpDefinition
    {
        /// <summary>True for CumProd.</summary>
        protected abstract bool IsProduct { get; }

        private static (bool Exclusive, bool Reverse) Flags(Node node)
        {
            long exclusive = node.Attributes.Int("exclusive", 0), reverse = node.Attributes.Int("reverse", 0);
            Require(exclusive is 0 or 1, $"exclusive is {exclusive}; it must be 0 or 1");
            Require(reverse is 0 or 1, $"reverse is {reverse}; it must be 0 or 1");
            return (exclusive == 1, reverse == 1);
        }

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 2 && node.Inputs[0] is not null && node.Inputs[1] is not null, "expects inputs x and axis");
            var x = node.Inputs[0]!;
            var axis = node.Inputs[1]!;
            RequireSupported(BinaryFloatOp.IsNumeric(x.Type), $"input '{x.Name}' has element type {DataTypes.OnnxName(x.Type)}; {OpType} supports numeric types");
            Require(axis.Type is DataType.Int32 or DataType.Int64, $"axis '{axis.Name}' must be int32 or int64");
            Require(axis.Rank == 0 || (axis.Rank == 1 && axis.Length == 1), $"axis '{axis.Name}' must hold one value");
            Flags(node);
            if (axis.Constant is not null) Shapes.NormalizeAxis(axis.Constant.GetLong(0), x.Rank);
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = x.Shape;
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            var shape = x.Shape;
            int d = Shapes.NormalizeAxis(node.Inputs[1]!.Constant!.GetLong(0), shape.Length);
            var (exclusive, reverse) = Flags(node);
            int n = shape.Length == 0 ? 1 : shape[d];
            int outer = shape.Take(d).Aggregate(1, (p, s) => p * s), inner = shape.Skip(d + 1).Aggregate(1, (p, s) => p * s);
            bool integer = Tensor.Family(x.Type) == 'l';
            var longs = integer ? new long[x.Length] : null;
            var doubles = integer ? null : new double[x.Length];
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++)
                {
                    long li = IsProduct ? 1 : 0;
                    double di = IsProduct ? 1 : 0;
                    for (int s = 0; s < n; s++)
                    {
                        int k = reverse ? n - 1 - s : s, at = (o * n + k) * inner + j;
                        if (integer)
                        {
                            long v = x.GetLong(at), next = BinaryFloatOp.Wrap(x.Type, IsProduct ? unchecked(li * v) : unchecked(li + v));
                            longs![at] = exclusive ? li : next;
                            li = next;
                        }
                        else
                        {
                            double v = x.GetDouble(at), next = IsProduct ? di * v : di + v;
                            if (x.Type == DataType.Float) next = (float)next;
                            doubles![at] = exclusive ? di : next;
                            di = next;
                        }
                    }
                }
            node.Outputs[0].Constant = integer ? Tensor.FromLongs(x.Type, shape, longs!) : Tensor.FromDoubles(x.Type, shape, doubles!);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var (exclusive, reverse) = Flags(node);
            if (node.Inputs[0]!.Length == 0) return;
            ctx.Call(IsProduct ? "CumProd" : "CumSum", new TypeArg[] { node.Inputs[0]!.Type, node.Inputs[1]!.Type },
                ("x", ctx.Input(0)), ("axis", ctx.Input(1)), ("destination", ctx.Output(0)), ("shape", Arg.Ints(node.Inputs[0]!.Shape!)),
                ("exclusive", exclusive), ("reverse", reverse));
        }
    }
}
