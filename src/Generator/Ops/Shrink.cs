using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>Shrink: x - bias for x &gt; lambd, x + bias for x &lt; -lambd, else 0 (bias 0 and lambd 0.5 by default).</summary>
    public sealed class ShrinkOp : UnaryFloatOp
    {
        public override string OpType => "Shrink";
        protected override string Kernel => "Shrink";

        private static (float Bias, float Lambd) Parameters(Node node) =>
            (FloatAttribute(node, "bias", 0f), FloatAttribute(node, "lambd", 0.5f));

        protected override void ValidateAttributes(Node node) => Parameters(node);

        protected override float Reference(float x, Node node)
        {
            var (bias, lambd) = Parameters(node);
            return x < -lambd ? x + bias : x > lambd ? x - bias : 0f;
        }

        protected override (string Name, Arg Value)[] ExtraArguments(Node node)
        {
            var (bias, lambd) = Parameters(node);
            return new (string, Arg)[] { ("bias", bias), ("lambd", lambd) };
        }
    }
}
