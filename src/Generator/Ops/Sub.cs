namespace ModelGen.Ops
{
    /// <summary>Sub: A - B with multidirectional broadcasting.</summary>
    public sealed class SubOp : BinaryFloatOp
    {
        public override string OpType => "Sub";
        protected override string Kernel => "Subtract";
        protected override string Operator => "SubtractOperator";
        protected override double Reference(double a, double b) => a - b;
        protected override long IntegerReference(long a, long b) => unchecked(a - b);
    }
}
