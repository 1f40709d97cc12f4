using System;
using ModelGen.Emit;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>HardSigmoid: max(0, min(1, alpha·x + beta)), alpha 0.2 and beta 0.5 by default.</summary>
    public sealed class HardSigmoid : UnaryFloatOp
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

        protected override string ExtraArguments(Node node)
        {
            var (alpha, beta) = Parameters(node);
            return $", {CSharpLiterals.Float(alpha)}, {CSharpLiterals.Float(beta)}";
        }
    }
}
