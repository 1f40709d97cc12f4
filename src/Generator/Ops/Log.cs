using System;

namespace ModelGen.Ops
{
    /// <summary>Log: the natural logarithm (NaN below 0, -∞ at 0).</summary>
    public sealed class LogOp : MathUnaryOp
    {
        public override string OpType => "Log";
        protected override string Kernel => "Log";
        protected override double Function(double x) => Math.Log(x);
    }
}
