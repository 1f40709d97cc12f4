using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// MaxPool (float; kernel_shape, strides, pads, auto_pad, dilations, ceil_mode; storage_order only shapes the Indices
    /// output, which is not supported). Padding never wins: a window entirely in padding yields the lowest float.
    /// </summary>
    public sealed class MaxPoolOp : WindowPoolOp
    {
        public override string OpType => "MaxPool";

        protected override bool HasDilations(Node node) => node.Opset >= 10;

        public override void Lower(LoweringContext ctx) =>
            ctx.Call("MaxPool", ("x", ctx.Input(0)), ("y", ctx.Output(0)), ("planes", Planes(ctx.Node)), ("g", GeometryArgument(Geometry(ctx.Node))), ("scratch", ctx.Scratch()));
    }
}
