namespace ModelGen.Ops
{
    /// <summary>GlobalMaxPool: the maximum of each channel's spatial values.</summary>
    public sealed class GlobalMaxPoolOp : GlobalPoolOp
    {
        public override string OpType => "GlobalMaxPool";

        protected override string Kernel => "GlobalMaxPool";
    }
}
