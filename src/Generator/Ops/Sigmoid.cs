using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Sigmoid: 1 / (1 + e^-x).</summary>
    public sealed class SigmoidOp : UnaryFloatOp
    {
        public override string OpType => "Sigmoid";
        protected override string Kernel => "Sigmoid";
        protected override float Reference(float x, Node node) => (float)(1.0 / (1.0 + Math.Exp(-x)));
    }
}
