using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>LeakyRelu: x when x ≥ 0, alpha·x when x &lt; 0 (alpha defaults to 0.01).</summary>
    public sealed class LeakyReluOp : UnaryFloatOp
    {
        public override string OpType => "LeakyRelu";
        protected override string Kernel => "LeakyRelu";

        private static float Alpha(Node node) => node.Attributes.Float("alpha", 0.01f);

        protected override float Reference(float x, Node node) => x < 0 ? x * Alpha(node) : x;

        protected override (string Name, Arg Value)[] ExtraArguments(Node node) => new (string, Arg)[] { ("alpha", Alpha(node)) };
    }
}
