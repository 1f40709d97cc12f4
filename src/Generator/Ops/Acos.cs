using System;

namespace ModelGen.Ops
{
    /// <summary>Acos: arccosine (NaN outside [-1, 1]).</summary>
    public sealed class AcosOp : MathUnaryOp
    {
        public override string OpType => "Acos";
        protected override string Kernel => "Acos";
        protected override double Function(double x) => Math.Acos(x);
    }
}
