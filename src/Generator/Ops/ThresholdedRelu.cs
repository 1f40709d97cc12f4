using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>ThresholdedRelu: x when x &gt; alpha, else 0 (alpha defaults to 1).</summary>
    public sealed class ThresholdedReluOp : UnaryFloatOp
    {
        public override string OpType => "ThresholdedRelu";
        protected override string Kernel => "ThresholdedRelu";

        private static float Alpha(Node node) => FloatAttribute(node, "alpha", 1f);

        protected override void ValidateAttributes(Node node) => Alpha(node);

        protected override float Reference(float x, Node node) => x > Alpha(node) ? x : 0f;

        protected override (string Name, Arg Value)[] ExtraArguments(Node node) => new (string, Arg)[] { ("alpha", Alpha(node)) };
    }
}
