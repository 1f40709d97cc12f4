namespace ModelGen.Ops
{
    /// <summary>BitwiseAnd: a &amp; b on an integer type, broadcast.</summary>
    public sealed class BitwiseAndOp : BitwiseBinaryOp
    {
        public override string OpType => "BitwiseAnd";
        protected override string Operator => "BitwiseAndOperator";
        protected override bool Logical => false;
        protected override long Reference(long a, long b) => a & b;
    }
}
