using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Add: A + B with multidirectional broadcasting.</summary>
    public sealed class Add : BinaryFloatOp
    {
        public override string OpType => "Add";
        protected override string Kernel => "Add";
        protected override double Reference(double a, double b) => a + b;
    }
}
