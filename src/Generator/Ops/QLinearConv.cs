using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// QLinearConv (opset 10): x, x_scale, x_zero_point, w, w_scale, w_zero_point (per tensor or per output channel),
    /// y_scale, y_zero_point, optional int32 bias B → y (uint8/int8):
    /// y = saturate(round_half_even((Σ(x − xz)(w − wz) + B) · x_scale·w_scale[m] / y_scale) + y_zp), every Conv attribute.
    /// Scales must be known at build time. The exact int32 convolution is ConvInteger's (im2col + integer GEMM); the
    /// bias is added in int32.
    /// <para>
    /// Exactness against ONNX Runtime (QLinearConvTests, random and near-tie cases): ORT forms each multiplier once in float
    /// as (x_scale · w_scale[m]) / y_scale, each step rounded to float, then per output: float(acc + bias) · multiplier
    /// (one float rounding), clamp to [qmin − y_zp, qmax − y_zp], round to nearest even, + y_zp. ModelGen computes the
    /// same sequence (Kernels.RequantizeInt32), bit for bit.
    /// </para>
    /// </summary>
    public sealed class QLinearConvOp : OpDefinition
    {
        public override string OpType => "QLinearConv";

        private static QuantizedConv Analyze(Node node, out float[] multipliers)
        {
            Require(node.Inputs.Length >= 8 && node.Inputs.Take(8).All(i => i is not null),
                "expects x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point and an optional B");
            var s = QuantizedConv.Analyze(node, 0, 3, 2, 5);
            var ty = QuantizedMatrix.RequireInt8(node, 7, "y_zero_point");
            QuantizedMatrix.ZeroPoint(node, 7, ty, 1, "y_zero_point", "");
            var xScale = QuantizedMatrix.Scale(node, 1, 1, "x_scale", "");
            var wScale = QuantizedMatrix.Scale(node, 4, s.M, "w_scale", "per output channel");
            var yScale = QuantizedMatrix.Scale(node, 6, 1, "y_scale", "");
            multipliers = QuantizedMatrix.Multipliers(xScale[0], wScale, yScale[0]);
            var b = node.Input(8);
            if (b is not null)
            {
                Require(b.Type == DataType.Int32, $"B '{b.Name}' must be int32, not {DataTypes.OnnxName(b.Type)}");
                Require(Shapes.Size(b.Shape!) == s.M, $"B {Shapes.Format(b.Shape!)} must have {s.M} elements");
            }
            return s;
        }

        public override void InferShapes(Node node)
        {
            var s = Analyze(node, out _);
            node.Outputs[0].Type = node.Inputs[7]!.Type;
            node.Outputs[0].Shape = s.OutputShape;
        }

        public override long Macs(Node node) => Analyze(node, out _).Macs;

        public override long ScratchBytes(Node node)
        {
            var s = Analyze(node, out _);
            if (DepthwiseInteger.Applies(node, s, 3, 5)) return DepthwiseInteger.QLinearScratchBytes(s);
            if (QuantizedConv.UsesQuads(node, 3, 5)) return 2 * QuantizedConv.QuadScratchShorts(s, requantize: true);
            return 2 * QuantizedMatrix.ConvScratchShorts(s, QuantizedConv.WidensW(node, 3, 5), requantize: true);
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var s = Analyze(node, out var multipliers);
            if (DepthwiseInteger.Applies(node, s, 3, 5))
            {
                DepthwiseInteger.LowerQLinearConv(ctx, s, multipliers);
                return;
            }
            if (QuantizedConv.UsesQuads(node, 3, 5))
            {
                var (quads, sums) = QuantizedConv.QuadWeights(ctx, s, 3);
                ctx.Call("QLinearConvU8S8", new TypeArg[] { node.Inputs[0]!.Type, node.Inputs[7]!.Type }, ("x", ctx.Input(0)), ("xZeroPoint", ctx.Input(2)),
                    ("quadW", quads), ("rowSums", sums), ("bias", QuantizedMatrix.OptionalInput(ctx, 8)),
                    ("multiplier", QuantizedMatrix.FloatWeight(ctx, multipliers, node.Outputs[0].Name + "_multiplier")),
                    ("yZeroPoint", ctx.Input(7)), ("y", ctx.Output(0)), ("batch", s.N), ("g", QuantizedConv.Geometry(s)), ("scratch", ctx.Scratch(DataType.Int16)));
                return;
            }
            bool widen = QuantizedConv.WidensW(node, 3, 5);
            var types = new TypeArg[] { node.Inputs[0]!.Type, node.Inputs[3]!.Type, node.Inputs[7]!.Type };
            ctx.Call("QLinearConv", types, ("x", ctx.Input(0)), ("xZeroPoint", ctx.Input(2)),
                ("w", widen ? Arg.None : ctx.Input(3)), ("wZeroPoint", widen ? Arg.None : ctx.Input(5)),
                ("widenedW", widen ? QuantizedConv.WidenedWeights(ctx, s, 3, 5) : Arg.None),
                ("bias", QuantizedMatrix.OptionalInput(ctx, 8)), ("multiplier", QuantizedMatrix.FloatWeight(ctx, multipliers, node.Outputs[0].Name + "_multiplier")),
                ("yZeroPoint", ctx.Input(7)), ("y", ctx.Output(0)), ("batch", s.N), ("g", QuantizedConv.Geometry(s)), ("scratch", ctx.Scratch(DataType.Int16)));
        }
    }
}
