using System;

namespace ModelGen.Ops
{
    /// <summary>Selu: gamma·x for x &gt; 0, gamma·alpha·(e^x - 1) for x ≤ 0 (the self-normalizing constants by default).</summary>
    public sealed class SeluOp : TwoParameterUnaryOp
    {
        public override string OpType => "Selu";
        protected override string Kernel => "Selu";
        protected override (string Name, float Default) First => ("alpha", 1.67326319217681884765625f);
        protected override (string Name, float Default) Second => ("gamma", 1.05070102214813232421875f);

        protected override float Reference(float x, float alpha, float gamma) =>
            x > 0 ? gamma * x : (float)(gamma * (alpha * (Math.Exp(x) - 1)));
    }
}
