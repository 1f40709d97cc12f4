using System;

namespace ModelGen.Ops
{
    /// <summary>Cosh: hyperbolic cosine.</summary>
    public sealed class CoshOp : MathUnaryOp
    {
        public override string OpType => "Cosh";
        protected override string Kernel => "Cosh";
        protected override double Function(double x) => Math.Cosh(x);
    }
}
