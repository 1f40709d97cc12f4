namespace ModelGen.Ops
{
    /// <summary>CumSum: running sums along an axis (see <see cref="CumulativeBase"/>).</summary>
    public sealed class CumSumOp : CumulativeBase
    {
        public override string OpType => "CumSum";
        protected override bool IsProduct => false;
    }
}
