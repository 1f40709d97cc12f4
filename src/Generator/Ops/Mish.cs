using System;

namespace ModelGen.Ops
{
    /// <summary>Mish: x·tanh(ln(1 + e^x)).</summary>
    public sealed class MishOp : MathUnaryOp
    {
        public override string OpType => "Mish";
        protected override string Kernel => "Mish";
        protected override double Function(double x) => x * Math.Tanh(x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x)));
    }
}
