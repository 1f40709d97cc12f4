using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Exp: e^x.</summary>
    public sealed class ExpOp : UnaryFloatOp
    {
        public override string OpType => "Exp";
        protected override string Kernel => "Exp";
        protected override float Reference(float x, Node node) => (float)Math.Exp(x);
    }
}
