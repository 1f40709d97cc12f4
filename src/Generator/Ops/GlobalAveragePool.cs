namespace ModelGen.Ops
{
    /// <summary>GlobalAveragePool: the mean of each channel's spatial values.</summary>
    public sealed class GlobalAveragePoolOp : GlobalPoolOp
    {
        public override string OpType => "GlobalAveragePool";

        protected override string Kernel => "GlobalAveragePool";
    }
}
