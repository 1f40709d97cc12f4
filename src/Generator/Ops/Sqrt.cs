using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Sqrt: √x (NaN for x &lt; 0).</summary>
    public sealed class SqrtOp : UnaryFloatOp
    {
        public override string OpType => "Sqrt";
        protected override string Kernel => "Sqrt";
        protected override float Reference(float x, Node node) => (float)Math.Sqrt(x);
        protected override string? DoubleOperator => "SqrtFunction";
        protected override double DoubleReference(double x, Node node) => Math.Sqrt(x);
    }
}
