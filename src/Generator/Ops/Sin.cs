using System;

namespace ModelGen.Ops
{
    /// <summary>Sin: sine (radians).</summary>
    public sealed class SinOp : MathUnaryOp
    {
        public override string OpType => "Sin";
        protected override string Kernel => "Sin";
        protected override double Function(double x) => Math.Sin(x);
    }
}
