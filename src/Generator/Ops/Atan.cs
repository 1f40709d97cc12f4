using System;

namespace ModelGen.Ops
{
    /// <summary>Atan: arctangent.</summary>
    public sealed class AtanOp : MathUnaryOp
    {
        public override string OpType => "Atan";
        protected override string Kernel => "Atan";
        protected override double Function(double x) => Math.Atan(x);
    }
}
