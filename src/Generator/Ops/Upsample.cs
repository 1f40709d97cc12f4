using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Upsample (opsets 7 to 9, deprecated since 10): Resize with asymmetric coordinates, scales >= 1 from an
    /// attribute (opset 7) or a constant input (opset 9), nearest or (bi)linear.
    /// </summary>
    public sealed class UpsampleOp : OpDefinition
    {
        public override string OpType => "Upsample";

        public override void InferShapes(Node node) => ResizePlan.InferShapes(node, isResize: false);

        public override long ScratchBytes(Node node) => ResizePlan.Create(node, isResize: false).ScratchBytes;

        public override void Lower(LoweringContext ctx) => ResizePlan.Create(ctx.Node, isResize: false).Lower(ctx);
    }
}
