using ModelGen.Emit;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// MaxPool (float; kernel_shape, strides, pads, auto_pad, dilations, ceil_mode; storage_order only shapes the Indices
    /// output, which is not supported). Padding never wins: a window entirely in padding yields the lowest float.
    /// </summary>
    public sealed class MaxPool : WindowPoolOp
    {
        public override string OpType => "MaxPool";

        protected override bool HasDilations(Node node) => node.Opset >= 10;

        public override void Emit(EmitContext ctx) =>
            ctx.Code.Line($"{EmitContext.Runtime}.Kernels.MaxPool({ctx.Input(0)}, {ctx.Output(0)}, {KernelEmit.I(Planes(ctx.Node))}, {GeometryExpression(Geometry(ctx.Node))}, {ctx.Scratch()});");
    }
}
