namespace ModelGen.Ops
{
    /// <summary>ReduceProd: Π over the axes (an input from opset 18); an empty product is 1.</summary>
    public sealed class ReduceProdOp : ReduceBase
    {
        public override string OpType => "ReduceProd";
        protected override string Kernel => "ReduceProd";
        protected override string NumericAggregation => "ProductAggregation";
        protected override int AxesInputSince => 18;
        protected override double Identity => 1;
        protected override double Combine(double accumulator, double x) => accumulator * x;
        protected override long IntegerIdentity => 1;
        protected override long IntegerCombine(long accumulator, long x) => unchecked(accumulator * x);
    }
}
