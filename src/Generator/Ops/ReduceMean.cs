namespace ModelGen.Ops
{
    /// <summary>ReduceMean: the mean over the axes (an input from opset 18); an empty reduction is 0, as in ONNX Runtime.</summary>
    public sealed class ReduceMeanOp : ReduceBase
    {
        public override string OpType => "ReduceMean";
        protected override string Kernel => "ReduceMean";
        protected override string NumericAggregation => "SumAggregation";
        protected override int AxesInputSince => 18;
        protected override bool IsMean => true;
        protected override double Identity => 0;
        protected override double Combine(double accumulator, double x) => accumulator + x;
        protected override double Finish(double accumulator, int count) => count == 0 ? 0 : accumulator / count;
        protected override long IntegerIdentity => 0;
        protected override long IntegerCombine(long accumulator, long x) => unchecked(accumulator + x);
        protected override long IntegerFinish(long accumulator, int count) => count == 0 ? 0 : accumulator / count;
    }
}
