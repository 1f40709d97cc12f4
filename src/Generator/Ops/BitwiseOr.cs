namespace ModelGen.Ops
{
    /// <summary>BitwiseOr: a | b on an integer type, broadcast.</summary>
    public sealed class BitwiseOrOp : BitwiseBinaryOp
    {
        public override string OpType => "BitwiseOr";
        protected override string Operator => "BitwiseOrOperator";
        protected override bool Logical => false;
        protected override long Reference(long a, long b) => a | b;
    }
}
