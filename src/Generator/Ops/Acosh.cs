using System;

namespace ModelGen.Ops
{
    /// <summary>Acosh: inverse hyperbolic cosine (NaN below 1).</summary>
    public sealed class AcoshOp : MathUnaryOp
    {
        public override string OpType => "Acosh";
        protected override string Kernel => "Acosh";
        protected override double Function(double x) => MathReference.Acosh(x);
    }
}
