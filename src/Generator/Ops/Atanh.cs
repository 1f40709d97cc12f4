using System;

namespace ModelGen.Ops
{
    /// <summary>Atanh: inverse hyperbolic tangent (NaN outside [-1, 1]).</summary>
    public sealed class AtanhOp : MathUnaryOp
    {
        public override string OpType => "Atanh";
        protected override string Kernel => "Atanh";
        protected override double Function(double x) => MathReference.Atanh(x);
    }
}
