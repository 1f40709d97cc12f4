using System;

namespace ModelGen.Ops
{
    /// <summary>LogSoftmax: (x - max) - ln Σ e^(x - max) along an axis (see <see cref="SoftmaxBase"/> for the opset rules).</summary>
    public sealed class LogSoftmaxOp : SoftmaxBase
    {
        public override string OpType => "LogSoftmax";
        protected override string Kernel => "LogSoftmax";
        protected override double Reference(double x, double max, double sum) => (x - max) - Math.Log(sum);
    }
}
