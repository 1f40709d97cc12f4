using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Tanh: hyperbolic tangent.</summary>
    public sealed class TanhOp : UnaryFloatOp
    {
        public override string OpType => "Tanh";
        protected override string Kernel => "Tanh";
        protected override float Reference(float x, Node node) => (float)Math.Tanh(x);
    }
}
