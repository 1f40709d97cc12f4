namespace ModelGen.Ops
{
    /// <summary>Xor: logical exclusive or of two bool tensors, broadcast.</summary>
    public sealed class XorOp : BitwiseBinaryOp
    {
        public override string OpType => "Xor";
        protected override string Operator => "BitwiseXorOperator";
        protected override bool Logical => true;
        protected override long Reference(long a, long b) => a ^ b;
    }
}
