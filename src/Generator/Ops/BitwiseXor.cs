namespace ModelGen.Ops
{
    /// <summary>BitwiseXor: a ^ b on an integer type, broadcast.</summary>
    public sealed class BitwiseXorOp : BitwiseBinaryOp
    {
        public override string OpType => "BitwiseXor";
        protected override string Operator => "BitwiseXorOperator";
        protected override bool Logical => false;
        protected override long Reference(long a, long b) => a ^ b;
    }
}
