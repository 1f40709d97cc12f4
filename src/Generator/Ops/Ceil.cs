using System;

namespace ModelGen.Ops
{
    /// <summary>Ceil: the smallest integer ≥ x.</summary>
    public sealed class CeilOp : MathUnaryOp
    {
        public override string OpType => "Ceil";
        protected override string Kernel => "Ceil";
        protected override double Function(double x) => Math.Ceiling(x);
    }
}
