using System;

namespace ModelGen.Ops
{
    /// <summary>Floor: the largest integer ≤ x.</summary>
    public sealed class FloorOp : MathUnaryOp
    {
        public override string OpType => "Floor";
        protected override string Kernel => "Floor";
        protected override double Function(double x) => Math.Floor(x);
    }
}
