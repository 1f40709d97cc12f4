namespace ModelGen.Ops
{
    /// <summary>CumProd: running products along an axis (see <see cref="CumulativeBase"/>).</summary>
    public sealed class CumProdOp : CumulativeBase
    {
        public override string OpType => "CumProd";
        protected override bool IsProduct => true;
    }
}
