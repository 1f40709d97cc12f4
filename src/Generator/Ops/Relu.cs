using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Relu: max(x, 0).</summary>
    public sealed class ReluOp : UnaryFloatOp
    {
        public override string OpType => "Relu";
        protected override string Kernel => "Relu";
        protected override float Reference(float x, Node node) => Math.Max(x, 0f);
    }
}
