namespace ModelGen.Ops
{
    /// <summary>Mul: A · B with multidirectional broadcasting.</summary>
    public sealed class MulOp : BinaryFloatOp
    {
        public override string OpType => "Mul";
        protected override string Kernel => "Multiply";
        protected override string Operator => "MultiplyOperator";
        protected override double Reference(double a, double b) => a * b;
        protected override long IntegerReference(long a, long b) => unchecked(a * b);
    }
}
