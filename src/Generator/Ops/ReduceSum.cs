namespace ModelGen.Ops
{
    /// <summary>ReduceSum: Σ over the axes (an input from opset 13); an empty reduction is 0.</summary>
    public sealed class ReduceSumOp : ReduceBase
    {
        public override string OpType => "ReduceSum";
        protected override string Kernel => "ReduceSum";
        protected override string NumericAggregation => "SumAggregation";
        protected override int AxesInputSince => 13;
        protected override double Identity => 0;
        protected override double Combine(double accumulator, double x) => accumulator + x;
        protected override long IntegerIdentity => 0;
        protected override long IntegerCombine(long accumulator, long x) => unchecked(accumulator + x);
    }
}
