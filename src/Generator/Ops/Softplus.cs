using System;

namespace ModelGen.Ops
{
    /// <summary>Softplus: ln(1 + e^x).</summary>
    public sealed class SoftplusOp : MathUnaryOp
    {
        public override string OpType => "Softplus";
        protected override string Kernel => "Softplus";
        protected override double Function(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));
    }
}
