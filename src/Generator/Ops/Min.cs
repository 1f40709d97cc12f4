using System;

namespace ModelGen.Ops
{
    /// <summary>Min: elementwise minimum of 1..N inputs with multidirectional broadcasting (opset 8+); NaN propagates.</summary>
    public sealed class MinOp : BinaryFloatOp
    {
        public override string OpType => "Min";
        protected override string Kernel => "Min";
        protected override string Operator => "MinOperator";
        protected override int MinInputs => 1;
        protected override int MaxInputs => int.MaxValue;
        protected override int BroadcastSince => 8;
        protected override bool AllowsType(Ir.DataType type, int index, int opset) => opset >= 12 || Ir.DataTypes.IsFloating(type);
        protected override double Reference(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Min(a, b);
        protected override long IntegerReference(long a, long b) => Math.Min(a, b);
        protected override ulong UnsignedReference(ulong a, ulong b) => Math.Min(a, b);
    }
}
