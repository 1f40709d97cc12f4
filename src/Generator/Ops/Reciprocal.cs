using System;

namespace ModelGen.Ops
{
    /// <summary>Reciprocal: 1/x.</summary>
    public sealed class ReciprocalOp : MathUnaryOp
    {
        public override string OpType => "Reciprocal";
        protected override string Kernel => "Reciprocal";
        protected override double Function(double x) => 1.0 / x;
    }
}
