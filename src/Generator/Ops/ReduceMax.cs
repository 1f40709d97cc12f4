using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>ReduceMax: the maximum over the axes (an input from opset 18; bool from 20); an empty reduction is -∞. NaN propagates.</summary>
    public sealed class ReduceMaxOp : ReduceBase
    {
        public override string OpType => "ReduceMax";
        protected override string Kernel => "ReduceMax";
        protected override string NumericAggregation => "MaxAggregation";
        protected override int AxesInputSince => 18;
        protected override string? BoolKernel => "ReduceAny";
        protected override bool AllowsBool(Node node) => node.Opset >= 20;
        protected override double Identity => double.NegativeInfinity;
        protected override double Combine(double accumulator, double x) => double.IsNaN(accumulator) || double.IsNaN(x) ? double.NaN : Math.Max(accumulator, x);
        protected override long IntegerIdentity => long.MinValue;
        protected override long IntegerCombine(long accumulator, long x) => Math.Max(accumulator, x);
    }
}
