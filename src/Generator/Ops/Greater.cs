namespace ModelGen.Ops
{
    /// <summary>Greater: A &gt; B elementwise, broadcast; false where either is NaN.</summary>
    public sealed class GreaterOp : ComparisonOp
    {
        public override string OpType => "Greater";
        protected override string Operator => "GreaterOperator";
        protected override bool Holds(int order) => order > 0;
    }
}
