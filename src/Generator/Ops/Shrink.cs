namespace ModelGen.Ops
{
    /// <summary>Shrink: x - bias for x &gt; lambd, x + bias for x &lt; -lambd, else 0 (bias 0 and lambd 0.5 by default).</summary>
    public sealed class ShrinkOp : TwoParameterUnaryOp
    {
        public override string OpType => "Shrink";
        protected override string Kernel => "Shrink";
        protected override (string Name, float Default) First => ("bias", 0f);
        protected override (string Name, float Default) Second => ("lambd", 0.5f);

        protected override float Reference(float x, float bias, float lambd) => x < -lambd ? x + bias : x > lambd ? x - bias : 0f;
    }
}
