using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Div: A / B with multidirectional broadcasting; IEEE for floats (x/0 = ±∞ or NaN), truncating for integers.</summary>
    public sealed class DivOp : BinaryFloatOp
    {
        public override string OpType => "Div";
        protected override string Kernel => "Divide";
        protected override string Operator => "DivideOperator";
        protected override double Reference(double a, double b) => a / b;

        protected override long IntegerReference(long a, long b)
        {
            if (b == 0) throw new IrException("integer division by zero in constant inputs");
            return a == long.MinValue && b == -1 ? a : a / b;
        }

        protected override ulong UnsignedReference(ulong a, ulong b)
        {
            if (b == 0) throw new IrException("integer division by zero in constant inputs");
            return a / b;
        }
    }
}
