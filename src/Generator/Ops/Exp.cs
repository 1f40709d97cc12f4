using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Exp: e^x.</summary>
    public sealed class ExpOp : UnaryFloatOp
    {
        public override string OpType => "Exp";
        protected override string Kernel => "Exp";
        protected override float Reference(float x, Node node) => (float)Math.Exp(x);
        protected override string? DoubleOperator => "ExpFunction";
        protected override double DoubleReference(double x, Node node) => Math.Exp(x);
    }
}
