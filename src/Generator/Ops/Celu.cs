using System;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>Celu: max(0, x) + min(0, alpha·(e^(x/alpha) - 1)) (alpha defaults to 1 and must not be 0).</summary>
    public sealed class CeluOp : UnaryFloatOp
    {
        public override string OpType => "Celu";
        protected override string Kernel => "Celu";

        private static float Alpha(Node node) => FloatAttribute(node, "alpha", 1f);

        protected override void ValidateAttributes(Node node) => Require(Alpha(node) != 0f, "attribute 'alpha' must not be 0");

        protected override float Reference(float x, Node node)
        {
            float alpha = Alpha(node);
            return x < 0 ? (float)(alpha * (Math.Exp(x / (double)alpha) - 1)) : x;
        }

        protected override (string Name, Arg Value)[] ExtraArguments(Node node) => new (string, Arg)[] { ("alpha", Alpha(node)) };
    }
}
