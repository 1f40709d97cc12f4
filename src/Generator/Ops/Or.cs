namespace ModelGen.Ops
{
    /// <summary>Or: logical or of two bool tensors, broadcast.</summary>
    public sealed class OrOp : BitwiseBinaryOp
    {
        public override string OpType => "Or";
        protected override string Operator => "BitwiseOrOperator";
        protected override bool Logical => true;
        protected override long Reference(long a, long b) => a | b;
    }
}
