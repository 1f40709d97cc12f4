using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>ReduceMin: the minimum over the axes (an input from opset 18; bool from 20); an empty reduction is +∞. NaN propagates.</summary>
    public sealed class ReduceMinOp : ReduceBase
    {
        public override string OpType => "ReduceMin";
        protected override string Kernel => "ReduceMin";
        protected override string NumericAggregation => "MinAggregation";
        protected override int AxesInputSince => 18;
        protected override string? BoolKernel => "ReduceAll";
        protected override bool AllowsBool(Node node) => node.Opset >= 20;
        protected override double Identity => double.PositiveInfinity;
        protected override double Combine(double accumulator, double x) => double.IsNaN(accumulator) || double.IsNaN(x) ? double.NaN : Math.Min(accumulator, x);
        protected override long IntegerIdentity => long.MaxValue;
        protected override long IntegerCombine(long accumulator, long x) => Math.Min(accumulator, x);
    }
}
