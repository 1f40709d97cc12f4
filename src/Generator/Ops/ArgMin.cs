namespace ModelGen.Ops
{
    /// <summary>ArgMin: the index of the smallest element along an axis (see <see cref="ArgReduceBase"/>).</summary>
    public sealed class ArgMinOp : ArgReduceBase
    {
        public override string OpType => "ArgMin";
        protected override bool IsMax => false;
    }
}
