namespace ModelGen.Ops
{
    /// <summary>And: logical and of two bool tensors, broadcast.</summary>
    public sealed class AndOp : BitwiseBinaryOp
    {
        public override string OpType => "And";
        protected override string Operator => "BitwiseAndOperator";
        protected override bool Logical => true;
        protected override long Reference(long a, long b) => a & b;
    }
}
