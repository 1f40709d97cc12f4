using System;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>HardSigmoid: max(0, min(1, alpha·x + beta)), alpha 0.2 and beta 0.5 by default.</summary>
    public sealed class HardSigmoidOp : UnaryFloatOp
    {
        public override string OpType => "HardSigmoid";
        protected override string Kernel => "HardSigmoid";

        private static (float Alpha, float Beta) Parameters(Node node) =>
            (node.Attributes.Float("alpha", 0.2f), node.Attributes.Float("beta", 0.5f));

        protected override float Reference(float x, Node node)
        {
            var (alpha, beta) = Parameters(node);
            return float.IsNaN(x) ? x : Math.Max(0f, Math.Min(1f, x * alpha + beta));
        }

        protected override (string Name, Arg Value)[] ExtraArguments(Node node)
        {
            var (alpha, beta) = Parameters(node);
            return new (string, Arg)[] { ("alpha", alpha), ("beta", beta) };
        }
    }
}
