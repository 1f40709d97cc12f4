using System;

namespace ModelGen.Ops
{
    /// <summary>Softmax: e^(x - max) / Σ e^(x - max) along an axis (see <see cref="SoftmaxBase"/> for the opset rules).</summary>
    public sealed class SoftmaxOp : SoftmaxBase
    {
        public override string OpType => "Softmax";
        protected override string Kernel => "Softmax";
        protected override double Reference(double x, double max, double sum) => Math.Exp(x - max) / sum;
    }
}
