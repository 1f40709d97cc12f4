using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// AveragePool (float; kernel_shape, strides, pads, auto_pad, ceil_mode, count_include_pad, dilations from opset 19).
    /// With count_include_pad the divisor follows ONNX Runtime: the window positions inside the padded extent, which is the
    /// kernel size except for windows that ceil_mode lets hang past the trailing pad.
    /// </summary>
    public sealed class AveragePoolOp : WindowPoolOp
    {
        public override string OpType => "AveragePool";

        protected override bool HasDilations(Node node) => node.Opset >= 19;

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            bool includePad = node.Attributes.Int("count_include_pad", 0) != 0;
            string divisor = !includePad ? "Valid" : "Padded";
            ctx.Call("AveragePool", ("x", ctx.Input(0)), ("y", ctx.Output(0)), ("planes", Planes(node)), ("g", GeometryArgument(Geometry(node))),
                ("divisor", Arg.Enum("PoolDivisor", divisor)), ("scratch", ctx.Scratch()));
        }
    }
}
