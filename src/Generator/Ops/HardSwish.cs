using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>HardSwish (opset 14): x · max(0, min(1, x/6 + 1/2)).</summary>
    public sealed class HardSwishOp : UnaryFloatOp
    {
        public override string OpType => "HardSwish";
        protected override string Kernel => "HardSwish";
        protected override float Reference(float x, Node node) => x * Math.Max(0f, Math.Min(1f, x * (1f / 6f) + 0.5f));

        protected override void ValidateAttributes(Node node) =>
            Require(node.Opset >= 14, $"HardSwish does not exist in opset {node.Opset} (it came in opset 14)");
    }
}
