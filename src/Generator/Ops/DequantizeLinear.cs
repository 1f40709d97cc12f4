using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// DequantizeLinear (opsets 10, 13 axis, 19, 21 block_size, 23 output_dtype): y = (x - x_zero_point) * x_scale, computed
    /// as ONNX Runtime does: (float)(x - zp), then one float multiplication. x is uint8, int8, uint16, int16 or int32
    /// (int32: zero point absent or 0), per-tensor, per-axis or blocked (<see cref="QuantizationAxes"/>).
    /// On constants it folds at build time, which is how QDQ models carry their weights. The bits-only x types (float8,
    /// float4e2m1, int4/uint4, int2/uint2) run on Kernels.DequantizeLinearFormat. A float16 scale gives a float16 output: folded, or at run time
    /// dequantized in float into scratch (a run-time scale converted to float first), then rounded to float16 by Kernels.Cast.
    /// </summary>
    public sealed class DequantizeLinearOp : OpDefinition
    {
        public override string OpType => "DequantizeLinear";

        private static bool AllConstant(Node node) => node.Inputs.All(i => i is null || i.Constant is not null);

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            var scale = node.Input(1);
            Require(scale is not null, "needs the x_scale input");
            var zp = node.Input(2);
            bool folds = AllConstant(node);
            RequireSupported(QuantizationAxes.IsRuntimeQuantized(x.Type) || x.Type == DataType.Int32 || QuantizeLinearOp.IsFormatOutput(x.Type),
                $"input '{x.Name}' has element type {DataTypes.OnnxName(x.Type)}, which ModelGen does not support here (uint8, int8, uint16, int16, int32, float8, float4e2m1, int4, uint4, int2 and uint2 are)");
            if (zp is not null) Require(zp.Type == x.Type, $"zero point '{zp.Name}' has element type {DataTypes.OnnxName(zp.Type)} but x has {DataTypes.OnnxName(x.Type)}");
            // ONNX: a float8 zero point must be 0 (the reference rejects others); float4e2m1's is ignored.
            if (zp is not null && x.Type != DataType.Float4E2M1 && DataTypes.IsBitsOnlyFloat(x.Type) && zp.Constant is not null)
                Require(zp.Constant.AsFloats().All(v => v == 0), $"zero point '{zp.Name}' of a float8 x must be 0");
            if (x.Type == DataType.Int32 && zp is not null && !folds)
                RequireSupported(zp.Constant is not null && zp.Constant.AsLongs().All(v => v == 0), $"an int32 x needs its zero point '{zp.Name}' to be a constant 0");
            RequireSupported(scale!.Type is DataType.Float or DataType.Float16,
                $"x_scale '{scale.Name}' has element type {DataTypes.OnnxName(scale.Type)}; this operator supports float and float16");
            long outputDtype = node.Opset >= 23 ? node.Attributes.Int("output_dtype", 0) : 0;
            Require(outputDtype == 0 || outputDtype == (long)scale.Type,
                $"output_dtype {DataTypes.OnnxName((DataType)outputDtype)} differs from the scale's type {DataTypes.OnnxName(scale.Type)}");
            QuantizationAxes.Resolve(node, x, scale, zp);
            node.Outputs[0].Type = scale.Type;
            node.Outputs[0].Shape = x.Shape;
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!;
            var scale = node.Inputs[1]!;
            var zp = node.Input(2);
            var axes = QuantizationAxes.Resolve(node, x, scale, zp);
            var type = node.Outputs[0].Type;
            var ss = scale.Constant!.AsFloats();
            var result = new float[x.Constant!.Length];
            if (DataTypes.IsBitsOnlyFloat(x.Type))
            {
                // The value times the scale (the zero point is 0 or ignored), as Kernels.DequantizeLinearFormat.
                var xf = x.Constant.Floats!;
                for (int i = 0; i < xf.Length; i++)
                {
                    float r = xf[i] * ss[axes.ScaleIndex(i)];
                    result[i] = type == DataType.Float16 ? TensorReader.HalfToFloat(TensorReader.FloatToHalf(r)) : r;
                }
            }
            else
            {
                var xs = x.Constant.AsLongs();
                var zs = zp?.Constant!.AsLongs();
                for (int i = 0; i < xs.Length; i++)
                {
                    int k = axes.ScaleIndex(i);
                    result[i] = QuantizationAxes.DequantizeOne(xs[i], zs is null ? 0 : zs[k], ss[k], type);
                }
            }
            node.Outputs[0].Constant = new Tensor(type, x.Shape!, floats: result);
            // Kept for the QDQ fusion (Passes/FuseQdq), which computes on the quantized weights instead.
            node.Outputs[0].DequantizedFrom = node;
            return true;
        }

        /// <summary>A float16 output: the float result, then (for a run-time scale) the scale converted to float.</summary>
        public override long ScratchBytes(Node node) => node.Outputs[0].Type != DataType.Float16 ? 0
            : 4L * node.Outputs[0].Length + (node.Inputs[1]!.Constant is null ? 4L * node.Inputs[1]!.Length : 0);

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            if (node.Outputs[0].Length == 0) return;
            var x = node.Inputs[0]!;
            var scale = node.Inputs[1]!;
            var zp = node.Input(2);
            var axes = QuantizationAxes.Resolve(node, x, scale, zp);
            bool half = node.Outputs[0].Type == DataType.Float16;
            Arg scaleArg = !half ? ctx.Input(1)
                : scale.Constant is not null ? ctx.Weight(Tensor.FromFloats(scale.Shape!, scale.Constant.AsFloats()), scale.Name + "_float")
                : ctx.Scratch(DataType.Float, 4L * node.Outputs[0].Length, 4L * scale.Length);
            if (half && scale.Constant is null)
                ctx.Call("Cast", new TypeArg[] { DataType.Float16, DataType.Float }, ("x", ctx.Input(1)), ("destination", scaleArg));
            // An int32 zero point is a constant 0 here (checked above): the kernel's "no zero point".
            Arg zpArg = zp is null || x.Type == DataType.Int32 ? Arg.None : ctx.Input(2);
            Arg y = half ? ctx.Scratch(DataType.Float, 0, 4L * node.Outputs[0].Length) : ctx.Output(0);
            var args = new (string, Arg)[] { ("x", ctx.Input(0)), ("scale", scaleArg), ("zeroPoint", zpArg), ("y", y) }
                .Concat(axes.KernelArguments()).ToArray();
            if (DataTypes.IsBitsOnly(x.Type))
                ctx.Call("DequantizeLinearFormat", new TypeArg[] { x.Type }, args.Concat(new (string, Arg)[] { ("type", (int)x.Type) }).ToArray());
            else ctx.Call("DequantizeLinear", new TypeArg[] { x.Type }, args);
            if (half) ctx.Call("Cast", new TypeArg[] { DataType.Float, DataType.Float16 }, ("x", y), ("destination", ctx.Output(0)));
        }
    }
}
