using System;

namespace ModelGen.Ops
{
    /// <summary>Asinh: inverse hyperbolic sine.</summary>
    public sealed class AsinhOp : MathUnaryOp
    {
        public override string OpType => "Asinh";
        protected override string Kernel => "Asinh";
        protected override double Function(double x) => MathReference.Asinh(x);
    }
}
