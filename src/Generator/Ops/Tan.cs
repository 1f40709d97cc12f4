using System;

namespace ModelGen.Ops
{
    /// <summary>Tan: tangent (radians).</summary>
    public sealed class TanOp : MathUnaryOp
    {
        public override string OpType => "Tan";
        protected override string Kernel => "Tan";
        protected override double Function(double x) => Math.Tan(x);
    }
}
