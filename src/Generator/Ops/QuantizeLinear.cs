using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// QuantizeLinear (opsets 10, 13 axis, 19 saturate, 21 block_size and output_dtype):
    /// y = saturate(round_half_to_even(x / y_scale) + y_zero_point) to uint8 (the default without a zero point), int8
    /// and, from opset 21, uint16/int16; per-tensor, per-axis or blocked (<see cref="QuantizationAxes"/>).
    /// Exactness: ONNX Runtime (MLAS) divides x by the scale; multiplying by the reciprocal differs in the last bit and
    /// then rounds to another integer near ties (QuantizeLinearTests.Divides_by_the_scale_rather_than_multiplying_by_its_reciprocal
    /// fails with a reciprocal, checked). It clamps the quotient to [qmin - zp, qmax - zp] in
    /// float (a NaN becomes qmin), rounds half to even and adds the zero point; Kernels.QuantizeLinear and the
    /// build-time fold do the same, and the tests check it against ONNX Runtime with tolerance 0.
    /// x must be float (float16/bfloat16/int32 x are not supported). The bits-only outputs (float8 from opset 19 with
    /// saturate; int4/uint4, float4e2m1 and int2/uint2 from opsets 21/23/25) run on Kernels.QuantizeLinearFormat and fold
    /// with the same arithmetic (<see cref="QuantizeFormatOne"/>).
    /// </summary>
    public sealed class QuantizeLinearOp : OpDefinition
    {
        public override string OpType => "QuantizeLinear";

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            var scale = node.Input(1);
            Require(scale is not null, "needs the y_scale input");
            var zp = node.Input(2);
            RequireFloat(node, 0);
            RequireSupported(scale!.Type == DataType.Float, $"y_scale '{scale.Name}' has element type {DataTypes.OnnxName(scale.Type)}; this operator supports float");
            long precision = node.Attributes.Int("precision", 0);
            RequireSupported(precision is 0 or (long)DataType.Float, $"precision {DataTypes.OnnxName((DataType)precision)} is not supported; the division runs in float");
            var outputType = DataType.UInt8;
            long outputDtype = node.Opset >= 21 ? node.Attributes.Int("output_dtype", 0) : 0;
            if (zp is not null)
            {
                outputType = zp.Type;
                Require(outputDtype == 0 || outputDtype == (long)zp.Type,
                    $"output_dtype {DataTypes.OnnxName((DataType)outputDtype)} differs from the zero point's type {DataTypes.OnnxName(zp.Type)}");
            }
            else if (outputDtype != 0) outputType = (DataType)outputDtype;
            bool format = IsFormatOutput(outputType);
            RequireSupported(QuantizationAxes.IsRuntimeQuantized(outputType) || format,
                $"quantizing to {DataTypes.OnnxName(outputType)} is not supported (uint8, int8, uint16, int16, the float8 types, int4, uint4, int2, uint2 and float4e2m1 are)");
            Require(node.Opset >= 21 || outputType is DataType.UInt8 or DataType.Int8 || node.Opset >= 19 && IsFloat8(outputType),
                $"quantizing to {DataTypes.OnnxName(outputType)} needs opset {(IsFloat8(outputType) ? 19 : 21)}");
            ReadSaturate(node);
            QuantizationAxes.Resolve(node, x, scale, zp);
            node.Outputs[0].Type = outputType;
            node.Outputs[0].Shape = x.Shape;
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!;
            var scale = node.Inputs[1]!;
            var zp = node.Input(2);
            var axes = QuantizationAxes.Resolve(node, x, scale, zp);
            var type = node.Outputs[0].Type;
            var xs = x.Constant!.AsFloats();
            var ss = scale.Constant!.AsFloats();
            if (IsFormatOutput(type))
            {
                bool saturate = ReadSaturate(node);
                var zf = zp?.Constant;
                var codes = new int[xs.Length];
                for (int i = 0; i < xs.Length; i++)
                {
                    int k = axes.ScaleIndex(i);
                    codes[i] = QuantizeFormatOne(xs[i], ss[k], zf is null ? null : zf.Floats is not null ? zf.Floats[k] : zf.Longs![k], type, saturate);
                }
                node.Outputs[0].Constant = DataTypes.IsBitsOnlyFloat(type)
                    ? new Tensor(type, x.Shape!, floats: codes.Select(c => ElementFormats.Decode((int)type, c)).ToArray())
                    : Tensor.FromLongs(type, x.Shape!, codes.Select(c => (long)c).ToArray());
                return true;
            }
            var zs = zp?.Constant!.AsLongs();
            var result = new long[xs.Length];
            for (int i = 0; i < xs.Length; i++)
            {
                int k = axes.ScaleIndex(i);
                result[i] = QuantizationAxes.QuantizeOne(xs[i], ss[k], zs is null ? 0 : zs[k], type);
            }
            node.Outputs[0].Constant = Tensor.FromLongs(type, x.Shape!, result);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            if (node.Outputs[0].Length == 0) return;
            var axes = QuantizationAxes.Resolve(node, node.Inputs[0]!, node.Inputs[1]!, node.Input(2));
            var args = new (string, Arg)[]
            {
                ("x", ctx.Input(0)), ("scale", ctx.Input(1)), ("zeroPoint", ctx.HasInput(2) ? ctx.Input(2) : Arg.None), ("y", ctx.Output(0)),
            }.Concat(axes.KernelArguments()).ToArray();
            var type = node.Outputs[0].Type;
            if (IsFormatOutput(type))
                ctx.Call("QuantizeLinearFormat", new TypeArg[] { type }, args.Concat(new (string, Arg)[] { ("type", (int)type), ("saturate", ReadSaturate(node)) }).ToArray());
            else ctx.Call("QuantizeLinear", new TypeArg[] { type }, args);
        }

        private static bool IsFloat8(DataType t) => t is DataType.Float8E4M3FN or DataType.Float8E4M3FNUZ or DataType.Float8E5M2 or DataType.Float8E5M2FNUZ;

        /// <summary>Bits-only outputs: float8, float4e2m1 and the 4- and 2-bit integers.</summary>
        internal static bool IsFormatOutput(DataType t) => IsFloat8(t) || t is DataType.Float4E2M1 or DataType.Int4 or DataType.UInt4 or DataType.Int2 or DataType.UInt2;

        /// <summary>saturate (opset 19+, 0 or 1; it only changes float8 outputs).</summary>
        private static bool ReadSaturate(Node node)
        {
            var raw = node.Attributes.Raw("saturate");
            if (raw is null) return true;
            Require(node.Opset >= 19, $"has 'saturate', which opset {node.Opset} does not define (it came in opset 19)");
            Require(raw.Type == Onnx.Proto.AttributeProto.Types.AttributeType.Int && raw.I is 0 or 1, $"'saturate' must be the int 0 or 1");
            return raw.I == 1;
        }

        /// <summary>
        /// The build-time twin of Kernels.QuantizeLinearFormat for one element; <paramref name="zeroPoint"/> is the zero
        /// point's value (float for float4e2m1, integer otherwise), null when absent. Returns the stored bits.
        /// </summary>
        internal static int QuantizeFormatOne(float x, float scale, double? zeroPoint, DataType type, bool saturate)
        {
            float q = x / scale;
            if (DataTypes.IsBitsOnlyFloat(type))
            {
                if (type == DataType.Float4E2M1 && zeroPoint is not null) q += (float)zeroPoint.Value;
                return ElementFormats.Encode((int)type, q, saturate, ElementFormats.RoundUp);
            }
            var (min, max) = type switch { DataType.Int4 => (-8, 7), DataType.UInt4 => (0, 15), DataType.Int2 => (-2, 1), _ => (0, 3) };
            int zp = zeroPoint is null ? 0 : (int)zeroPoint.Value;
            float lo = min - zp, hi = max - zp;
            q = float.IsNaN(q) ? lo : System.Math.Min(System.Math.Max(q, lo), hi);
            return ElementFormats.Wrap((int)System.Math.Round((double)q, System.MidpointRounding.ToEven) + zp, (int)type);
        }
    }
}
