using System;

namespace ModelGen.Ops
{
    /// <summary>Cos: cosine (radians).</summary>
    public sealed class CosOp : MathUnaryOp
    {
        public override string OpType => "Cos";
        protected override string Kernel => "Cos";
        protected override double Function(double x) => Math.Cos(x);
    }
}
