namespace ModelGen.Ops
{
    /// <summary>Less: A &lt; B elementwise, broadcast; false where either is NaN.</summary>
    public sealed class LessOp : ComparisonOp
    {
        public override string OpType => "Less";
        protected override string Operator => "LessOperator";
        protected override bool Holds(int order) => order < 0;
    }
}
