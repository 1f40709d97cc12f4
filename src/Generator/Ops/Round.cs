using System;

namespace ModelGen.Ops
{
    /// <summary>Round: the nearest integer, halves to even (ONNX and ONNX Runtime: 2.5 → 2).</summary>
    public sealed class RoundOp : MathUnaryOp
    {
        public override string OpType => "Round";
        protected override string Kernel => "Round";
        protected override double Function(double x) => Math.Round(x, MidpointRounding.ToEven);
    }
}
