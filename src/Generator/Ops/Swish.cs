using System;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>Swish (opset 24): x·sigmoid(alpha·x) (alpha defaults to 1: SiLU).</summary>
    public sealed class SwishOp : UnaryFloatOp
    {
        public override string OpType => "Swish";
        protected override string Kernel => "Swish";

        private static float Alpha(Node node) => FloatAttribute(node, "alpha", 1f);

        protected override void ValidateAttributes(Node node) => Alpha(node);

        protected override float Reference(float x, Node node) => (float)(x / (1 + Math.Exp(-(double)Alpha(node) * x)));

        protected override (string Name, Arg Value)[] ExtraArguments(Node node) => new (string, Arg)[] { ("alpha", Alpha(node)) };
    }
}
