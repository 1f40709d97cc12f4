using System;

namespace ModelGen.Ops
{
    /// <summary>Sinh: hyperbolic sine.</summary>
    public sealed class SinhOp : MathUnaryOp
    {
        public override string OpType => "Sinh";
        protected override string Kernel => "Sinh";
        protected override double Function(double x) => Math.Sinh(x);
    }
}
