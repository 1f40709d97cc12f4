using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Abs: |x|, for float and (scalar) every other numeric type; integers wrap as C# does (|MinValue| = MinValue).</summary>
    public sealed class AbsOp : UnaryFloatOp
    {
        public override string OpType => "Abs";
        protected override string Kernel => "Abs";
        protected override string? NumericOperator => "AbsNumeric";
        protected override float Reference(float x, Node node) => Math.Abs(x);
        protected override double DoubleReference(double x, Node node) => Math.Abs(x);
        protected override long IntegerReference(long x) => x < 0 ? unchecked(-x) : x;
    }
}
