using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Add: A + B with multidirectional broadcasting.</summary>
    public sealed class AddOp : BinaryFloatOp
    {
        public override string OpType => "Add";
        protected override string Kernel => "Add";
        protected override string Operator => "AddOperator";
        protected override double Reference(double a, double b) => a + b;
        protected override long IntegerReference(long a, long b) => unchecked(a + b);
    }
}
