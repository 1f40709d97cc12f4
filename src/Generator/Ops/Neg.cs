using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Neg: -x, for float and (scalar) every other numeric type; integers wrap as C# does (-MinValue = MinValue).</summary>
    public sealed class NegOp : UnaryFloatOp
    {
        public override string OpType => "Neg";
        protected override string Kernel => "Neg";
        protected override string? NumericOperator => "NegateNumeric";
        protected override float Reference(float x, Node node) => -x;
        protected override double DoubleReference(double x, Node node) => -x;
        protected override long IntegerReference(long x) => unchecked(-x);
    }
}
