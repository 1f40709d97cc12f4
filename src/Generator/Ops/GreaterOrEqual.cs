namespace ModelGen.Ops
{
    /// <summary>GreaterOrEqual: A ≥ B elementwise, broadcast; false where either is NaN.</summary>
    public sealed class GreaterOrEqualOp : ComparisonOp
    {
        public override string OpType => "GreaterOrEqual";
        protected override string Operator => "GreaterOrEqualOperator";
        protected override bool Holds(int order) => order >= 0;
    }
}
