using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Sign: 1 for x &gt; 0, −1 for x &lt; 0, 0 for 0 (float; every other numeric type on the scalar kernel). A Sign feeding a Conv with ±α weights is usually absorbed into
    /// the binarized convolution (<see cref="ModelGen.Passes.FuseSignIntoConv"/>); this kernel runs the others.
    /// </summary>
    public sealed class SignOp : UnaryFloatOp
    {
        public override string OpType => "Sign";
        protected override string Kernel => "Sign";
        protected override string? NumericOperator => "SignNumeric";
        protected override float Reference(float x, Node node) => x > 0f ? 1f : x < 0f ? -1f : x;
        protected override double DoubleReference(double x, Node node) => x > 0 ? 1 : x < 0 ? -1 : x;
        protected override long IntegerReference(long x) => Math.Sign(x);
    }
}
