using System;

namespace ModelGen.Ops
{
    /// <summary>Asin: arcsine (NaN outside [-1, 1]).</summary>
    public sealed class AsinOp : MathUnaryOp
    {
        public override string OpType => "Asin";
        protected override string Kernel => "Asin";
        protected override double Function(double x) => Math.Asin(x);
    }
}
