using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// MaxPool (float, and int8/uint8 from opset 12; kernel_shape, strides, pads, auto_pad, dilations, ceil_mode) and its optional Indices output: the
    /// flat int64 position of each window's maximum in X, row-major (storage_order 0) or column-major over the spatial
    /// axes (storage_order 1), plus plane · spatial size, as ONNX Runtime numbers them. Padding never wins: a window
    /// entirely in padding yields the lowest float (and index -1 with Indices).
    /// </summary>
    public sealed class MaxPoolOp : WindowPoolOp
    {
        public override string OpType => "MaxPool";

        protected override bool HasDilations(Node node) => node.Opset >= 10;

        protected override bool HasIndices => true;

        protected override bool AcceptsType(Node node, DataType type) => node.Opset >= 12 && type is DataType.Int8 or DataType.UInt8;

        private static bool WantsIndices(Node node) => node.Outputs.Length > 1 && (node.Outputs[1].IsGraphOutput || node.Outputs[1].Consumers.Count > 0);

        public override void InferShapes(Node node)
        {
            base.InferShapes(node);
            long order = node.Attributes.Int("storage_order", 0);
            Require(order is 0 or 1, $"storage_order {order} must be 0 (row major) or 1 (column major)");
        }

        /// <summary>The separable float kernel; the Indices output and the 8-bit types scan each window instead.</summary>
        private static bool Scans(Node node) => WantsIndices(node) || node.Inputs[0]!.Type != DataType.Float;

        public override long ScratchBytes(Node node) => Scans(node) ? 0 : base.ScratchBytes(node);

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            if (Scans(node))
            {
                // The argmax needs the window's first maximum in scan order, so this path scans windows directly.
                ctx.Call("MaxPoolWithIndices", new TypeArg[] { node.Inputs[0]!.Type }, ("x", ctx.Input(0)), ("y", ctx.Output(0)),
                    ("indices", WantsIndices(node) ? (Arg)ctx.Output(1) : Arg.None), ("planes", Planes(node)),
                    ("g", GeometryArgument(Geometry(node))), ("columnMajor", node.Attributes.Int("storage_order", 0) == 1));
                return;
            }
            ctx.Call("MaxPool", ("x", ctx.Input(0)), ("y", ctx.Output(0)), ("planes", Planes(node)), ("g", GeometryArgument(Geometry(node))), ("scratch", ctx.Scratch()));
        }
    }
}
