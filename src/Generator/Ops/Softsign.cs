using System;

namespace ModelGen.Ops
{
    /// <summary>Softsign: x / (1 + |x|).</summary>
    public sealed class SoftsignOp : MathUnaryOp
    {
        public override string OpType => "Softsign";
        protected override string Kernel => "Softsign";
        protected override double Function(double x) => x / (1 + Math.Abs(x));
    }
}
