using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// QLinearMatMul (opset 10 and 21): a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point → y
    /// (uint8/int8): y = saturate(round_half_even(Σ(a − za)(b − zb) · a_scale·b_scale / y_scale) + y_zero_point), batched
    /// like MatMul. a_scale is per tensor (a_zero_point may be per row), b_scale and b_zero_point per tensor or per column.
    /// Scales must be known at build time (zero points may be run-time values).
    /// <para>
    /// Exactness against ONNX Runtime (checked with random and near-tie cases in QLinearMatMulTests): ORT forms the
    /// multiplier once in float as (a_scale · b_scale[j]) / y_scale, left to right with each step rounded to float, takes
    /// the exact int32 sum, converts it to float, multiplies by the multiplier (one float rounding), clamps to
    /// [qmin − y_zp, qmax − y_zp], rounds to nearest even (cvtps2dq) and adds y_zp. ModelGen does exactly that
    /// (Kernels.RequantizeInt32), so outputs are bit-identical.
    /// </para>
    /// </summary>
    public sealed class QLinearMatMulOp : OpDefinition
    {
        public override string OpType => "QLinearMatMul";

        private static QuantizedMatrix.MatMulDims Analyze(Node node, out float[] multipliers)
        {
            Require(node.Inputs.Length is 8 or 9 && node.Inputs.Take(8).All(i => i is not null), "expects a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point");
            var ta = QuantizedMatrix.RequireInt8(node, 0, "a");
            var tb = QuantizedMatrix.RequireInt8(node, 3, "b");
            var ty = QuantizedMatrix.RequireInt8(node, 7, "y_zero_point");
            var d = QuantizedMatrix.MatMulDims.Of(node.Inputs[0]!.Shape!, node.Inputs[3]!.Shape!);
            QuantizedMatrix.ZeroPoint(node, 2, ta, d.M, "a_zero_point", "per row of a");
            QuantizedMatrix.ZeroPoint(node, 5, tb, d.N, "b_zero_point", "per column of b");
            QuantizedMatrix.ZeroPoint(node, 7, ty, 1, "y_zero_point", "");
            var aScale = QuantizedMatrix.Scale(node, 1, 1, "a_scale", "");
            var bScale = QuantizedMatrix.Scale(node, 4, d.N, "b_scale", "per column of b");
            var yScale = QuantizedMatrix.Scale(node, 6, 1, "y_scale", "");
            multipliers = QuantizedMatrix.Multipliers(aScale[0], bScale, yScale[0]);
            // Internal (Passes/FuseQdq, a fused QDQ Gemm): a ninth input, int32 bias per column, added to the exact sum.
            var bias = node.Input(8);
            if (bias is not null)
            {
                Require(bias.Type == DataType.Int32, $"bias '{bias.Name}' must be int32, not {DataTypes.OnnxName(bias.Type)}");
                Require(Shapes.Size(bias.Shape!) == d.N, $"bias {Shapes.Format(bias.Shape!)} must have {d.N} elements");
            }
            return d;
        }

        private static bool PacksB(Node node) => node.Inputs[3]!.Constant is not null && node.Inputs[5]!.Constant is not null;

        public override void InferShapes(Node node)
        {
            var d = Analyze(node, out _);
            node.Outputs[0].Type = node.Inputs[7]!.Type;
            node.Outputs[0].Shape = d.Output;
        }

        public override long Macs(Node node)
        {
            var d = Analyze(node, out _);
            return (long)d.Count * d.M * d.N * d.K;
        }

        public override long ScratchBytes(Node node)
        {
            var d = Analyze(node, out _);
            if (QuantizedMatrix.UsesQuads(node, 2, 3, 5)) return 2 * QuantizedMatrix.QuadScratchShorts(d.M * d.Count, d.N, d.K, requantize: true);
            return 2 * QuantizedMatrix.MatMulScratchShorts(d.M * d.Count, d.N, d.K, PacksB(node), requantize: true);
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var d = Analyze(node, out var multipliers);
            bool packB = PacksB(node);
            var types = new TypeArg[] { node.Inputs[0]!.Type, node.Inputs[3]!.Type, node.Inputs[7]!.Type };
            var multiplier = QuantizedMatrix.FloatWeight(ctx, multipliers, node.Outputs[0].Name + "_multiplier");
            if (QuantizedMatrix.UsesQuads(node, 2, 3, 5))
            {
                var extra = new (string, Arg)[] { ("aZeroPoint", ctx.Input(2)), ("multiplier", multiplier), ("yZeroPoint", ctx.Input(7)), ("y", ctx.Output(0)) };
                if (ctx.HasInput(8)) extra = extra.Concat(new (string, Arg)[] { ("bias", ctx.Input(8)) }).ToArray();
                QuantizedMatrix.LowerQuads(ctx, d, 3, "QLinearMatMulU8S8", new TypeArg[] { node.Inputs[0]!.Type, node.Inputs[7]!.Type }, extra);
                return;
            }
            Arg zb = packB ? Arg.None : ctx.Input(5);
            QuantizedMatrix.LowerMatMul(ctx, d, 0, 2, 3, 5, packB, (m, a, b, y, scratch) => ctx.MakeCall("QLinearMatMul", types,
                new (string, Arg)[] { ("a", a), ("aZeroPoint", ctx.Input(2)), ("b", packB ? Arg.None : b), ("bZeroPoint", zb), ("packedB", packB ? b : Arg.None),
                ("multiplier", multiplier), ("yZeroPoint", ctx.Input(7)), ("y", y), ("m", m), ("n", d.N), ("k", d.K), ("scratch", scratch) }
                .Concat(ctx.HasInput(8) ? new (string, Arg)[] { ("bias", ctx.Input(8)) } : Array.Empty<(string, Arg)>()).ToArray()), "b");
        }
    }
}
