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
    /// x must be float (float16/bfloat16/int32 x are not supported); float8, int4, float4 and int2 outputs are not
    /// supported (saturate only concerns float8).
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
            RequireSupported(QuantizationAxes.IsRuntimeQuantized(outputType), $"quantizing to {DataTypes.OnnxName(outputType)} is not supported (uint8, int8, uint16 and int16 are)");
            Require(node.Opset >= 21 || outputType is DataType.UInt8 or DataType.Int8, $"quantizing to {DataTypes.OnnxName(outputType)} needs opset 21");
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
            ctx.Call("QuantizeLinear", new TypeArg[] { node.Outputs[0].Type }, args);
        }
    }
}
