using System;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>Selu: gamma·x for x &gt; 0, gamma·alpha·(e^x - 1) for x ≤ 0 (the self-normalizing constants by default).</summary>
    public sealed class SeluOp : UnaryFloatOp
    {
        public override string OpType => "Selu";
        protected override string Kernel => "Selu";

        private static (float Alpha, float Gamma) Parameters(Node node) =>
            (FloatAttribute(node, "alpha", 1.67326319217681884765625f), FloatAttribute(node, "gamma", 1.05070102214813232421875f));

        protected override void ValidateAttributes(Node node) => Parameters(node);

        protected override float Reference(float x, Node node)
        {
            var (alpha, gamma) = Parameters(node);
            return x > 0 ? gamma * x : (float)(gamma * (alpha * (Math.Exp(x) - 1)));
        }

        protected override (string Name, Arg Value)[] ExtraArguments(Node node)
        {
            var (alpha, gamma) = Parameters(node);
            return new (string, Arg)[] { ("alpha", alpha), ("gamma", gamma) };
        }
    }
}
