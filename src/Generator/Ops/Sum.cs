namespace ModelGen.Ops
{
    /// <summary>Sum: elementwise sum of 1..N inputs with multidirectional broadcasting (opset 8+), added left to right.</summary>
    public sealed class SumOp : BinaryFloatOp
    {
        public override string OpType => "Sum";
        protected override string Kernel => "Add";
        protected override string Operator => "AddOperator";
        protected override int MinInputs => 1;
        protected override int MaxInputs => int.MaxValue;
        protected override int BroadcastSince => 8;
        protected override bool AllowsType(Ir.DataType type, int index, int opset) => Ir.DataTypes.IsFloating(type);
        protected override double Reference(double a, double b) => a + b;
        protected override long IntegerReference(long a, long b) => unchecked(a + b);
    }
}
