using System;

namespace ModelGen.Ops
{
    /// <summary>Erf: the Gauss error function.</summary>
    public sealed class ErfOp : MathUnaryOp
    {
        public override string OpType => "Erf";
        protected override string Kernel => "Erf";
        protected override double Function(double x) => MathReference.Erf(x);
    }
}
