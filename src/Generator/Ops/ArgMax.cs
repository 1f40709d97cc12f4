namespace ModelGen.Ops
{
    /// <summary>ArgMax: the index of the largest element along an axis (see <see cref="ArgReduceBase"/>).</summary>
    public sealed class ArgMaxOp : ArgReduceBase
    {
        public override string OpType => "ArgMax";
        protected override bool IsMax => true;
    }
}
