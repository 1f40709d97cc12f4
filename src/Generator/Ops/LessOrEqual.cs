namespace ModelGen.Ops
{
    /// <summary>LessOrEqual: A ≤ B elementwise, broadcast; false where either is NaN.</summary>
    public sealed class LessOrEqualOp : ComparisonOp
    {
        public override string OpType => "LessOrEqual";
        protected override string Operator => "LessOrEqualOperator";
        protected override bool Holds(int order) => order <= 0;
    }
}
