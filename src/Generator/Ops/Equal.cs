namespace ModelGen.Ops
{
    /// <summary>Equal: A == B elementwise (numeric types and bool), broadcast; NaN is unequal to everything.</summary>
    public sealed class EqualOp : ComparisonOp
    {
        public override string OpType => "Equal";
        protected override string Operator => "EqualOperator";
        protected override bool AllowsBool => true;
        protected override bool Holds(int order) => order == 0;
    }
}
