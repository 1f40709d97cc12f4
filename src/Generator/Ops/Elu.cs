using System;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>Elu: x for x ≥ 0, alpha·(e^x - 1) for x &lt; 0 (alpha defaults to 1).</summary>
    public sealed class EluOp : UnaryFloatOp
    {
        public override string OpType => "Elu";
        protected override string Kernel => "Elu";

        private static float Alpha(Node node) => FloatAttribute(node, "alpha", 1f);

        protected override void ValidateAttributes(Node node) => Alpha(node);

        protected override float Reference(float x, Node node) => x < 0 ? (float)(Alpha(node) * (Math.Exp(x) - 1)) : x;

        protected override (string Name, Arg Value)[] ExtraArguments(Node node) => new (string, Arg)[] { ("alpha", Alpha(node)) };
    }
}
