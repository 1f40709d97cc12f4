using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// MaxPool (float; kernel_shape, strides, pads, auto_pad, dilations, ceil_mode) and its optional Indices output: the
    /// flat int64 position of each window's maximum in X, row-major (storage_order 0) or column-major over the spatial
    /// axes (storage_order 1), plus plane · spatial size, as ONNX Runtime numbers them. Padding never wins: a window
    /// entirely in padding yields the lowest float (and index -1 with Indices).
    /// </summary>
    public sealed class MaxPoolOp : WindowPoolOp
    {
        public override string OpType => "MaxPool";

        protected override bool HasDilations(Node node) => node.Opset >= 10;

        protected override bool HasIndices => true;

        private static bool WantsIndices(Node node) => node.Outputs.Length > 1 && (node.Outputs[1].IsGraphOutput || node.Outputs[1].Consumers.Count > 0);

        public override void InferShapes(Node node)
        {
            base.InferShapes(node);
            long order = node.Attributes.Int("storage_order", 0);
            Require(order is 0 or 1, $"storage_order {order} must be 0 (row major) or 1 (column major)");
        }

        public override long ScratchBytes(Node node) => WantsIndices(node) ? 0 : base.ScratchBytes(node);

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            if (WantsIndices(node))
            {
                // The argmax needs the window's first maximum in scan order, so this path scans windows directly.
                ctx.Call("MaxPoolWithIndices", ("x", ctx.Input(0)), ("y", ctx.Output(0)), ("indices", ctx.Output(1)), ("planes", Planes(node)),
                    ("g", GeometryArgument(Geometry(node))), ("columnMajor", node.Attributes.Int("storage_order", 0) == 1));
                return;
            }
            ctx.Call("MaxPool", ("x", ctx.Input(0)), ("y", ctx.Output(0)), ("planes", Planes(node)), ("g", GeometryArgument(Geometry(node))), ("scratch", ctx.Scratch()));
        }
    }
}
