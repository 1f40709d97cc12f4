using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Pow: X^Y with multidirectional broadcasting and C pow semantics ((-2)^3 = -8, (-2)^0.5 = NaN, 0^-1 = ∞).
    /// From opset 12 the exponent may have another numeric type than the base; the output has the base's type.
    /// A constant scalar exponent of 1, 2, 3, -1 or 0.5 becomes a copy, x·x, x·x·x, 1/x or √x (vectorized; the general
    /// float kernel is scalar, see PowOperator), and a constant integer exponent of a float base becomes a float weight.
    /// </summary>
    public sealed class PowOp : BinaryFloatOp
    {
        public override string OpType => "Pow";
        protected override string Kernel => "Pow";
        protected override string Operator => "PowOperator";
        protected override bool SameTypes(Node node) => node.Opset < 12;
        protected override bool AllowsType(DataType type, int index, int opset) =>
            DataTypes.IsFloating(type) || (opset >= 12 && (index == 1 || type is DataType.Int32 or DataType.Int64));
        protected override double Reference(double a, double b) => Math.Pow(a, b);

        protected override long IntegerReference(long a, long b)
        {
            if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) != 0 ? -1 : 1) : 0;
            long result = 1, x = a;
            while (b > 0)
            {
                if ((b & 1) != 0) result = unchecked(result * x);
                x = unchecked(x * x);
                b >>= 1;
            }
            return result;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var x = node.Inputs[0]!; var e = node.Inputs[1]!; var y = node.Outputs[0];
            if (x.Type == DataType.Float && e.Constant is { Length: > 0 } c && x.Shape!.SequenceEqual(y.Shape!))
            {
                double first = c.GetDouble(0);
                if (Enumerable.Range(0, c.Length).All(i => c.GetDouble(i) == first))
                {
                    if (first == 1)
                    {
                        ctx.Copy(ctx.Input(0), ctx.Output(0));
                        return;
                    }
                    string? op = first switch { 2 => "SquareOperator", 3 => "CubeOperator", -1 => "ReciprocalOperator", 0.5 => "SqrtPowOperator", _ => null };
                    if (op is not null)
                    {
                        ctx.Call("Unary", new[] { TypeArg.Runtime("Operators." + op) }, ("x", ctx.Input(0)), ("destination", ctx.Output(0)));
                        return;
                    }
                }
            }
            if (x.Type == DataType.Float && e.Type != DataType.Float && e.Constant is { } constant)
            {
                // An integer (or double) exponent known at build time: run the float SIMD kernel on a float copy.
                var asFloat = new Value(e.Name + "_float") { Type = DataType.Float, Shape = e.Shape, Constant = Tensor.FromFloats(e.Shape!, constant.AsFloats()) };
                LowerStep(ctx, ctx.Input(0), x, ctx.Weight(asFloat.Constant, asFloat.Name), asFloat);
                return;
            }
            if (x.Type == e.Type)
            {
                LowerStep(ctx, ctx.Input(0), x, ctx.Input(1), e);
                return;
            }
            var (shape, strides) = Collapse(y.Shape!, x.Shape!, e.Shape!);
            ctx.Call("Pow", new TypeArg[] { x.Type, e.Type }, ("a", ctx.Input(0)), ("b", ctx.Input(1)), ("destination", ctx.Output(0)),
                ("shape", Arg.Ints(shape)), ("aStrides", Arg.Ints(strides[0])), ("bStrides", Arg.Ints(strides[1])));
        }
    }
}
