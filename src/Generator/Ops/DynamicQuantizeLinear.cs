using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// DynamicQuantizeLinear (opset 11): float x to uint8 y with a scale and zero point computed from x, as ONNX Runtime
    /// computes them: min and max of x widened to include 0, y_scale = (max - min) / 255 (a division), y_zero_point =
    /// round_half_even(clamp(0 - min / y_scale, 0, 255)), then y as QuantizeLinear. When x is all zeros ONNX Runtime
    /// uses y_scale = 1 (the formula would divide by zero); so does ModelGen. Runs Kernels.DynamicQuantizeLinear; folds
    /// on a constant x.
    /// </summary>
    public sealed class DynamicQuantizeLinearOp : OpDefinition
    {
        public override string OpType => "DynamicQuantizeLinear";

        public override void InferShapes(Node node)
        {
            RequireFloat(node, 0);
            Require(node.Outputs.Length == 3, $"has {node.Outputs.Length} outputs; it must have 3 (y, y_scale, y_zero_point)");
            node.Outputs[0].Type = DataType.UInt8;
            node.Outputs[0].Shape = node.Inputs[0]!.Shape;
            node.Outputs[1].Type = DataType.Float;
            node.Outputs[1].Shape = Array.Empty<int>();
            node.Outputs[2].Type = DataType.UInt8;
            node.Outputs[2].Shape = Array.Empty<int>();
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!.AsFloats();
            float min = x.Length == 0 ? 0 : Math.Min(x.Min(), 0f), max = x.Length == 0 ? 0 : Math.Max(x.Max(), 0f);
            float scale = max == min ? 1f : (float)((max - min) / 255f);
            float z = (float)(0f - min / scale);
            long zp = (long)Math.Round((double)Math.Min(Math.Max(z, 0f), 255f), MidpointRounding.ToEven);
            node.Outputs[0].Constant = Tensor.FromLongs(DataType.UInt8, node.Inputs[0]!.Shape!, x.Select(v => QuantizationAxes.QuantizeOne(v, scale, zp, DataType.UInt8)).ToArray());
            node.Outputs[1].Constant = Tensor.FromFloats(Array.Empty<int>(), new[] { scale });
            node.Outputs[2].Constant = Tensor.FromLongs(DataType.UInt8, Array.Empty<int>(), new[] { zp });
            return true;
        }

        public override void Lower(LoweringContext ctx) =>
            ctx.Call("DynamicQuantizeLinear", ("x", ctx.Input(0)), ("y", ctx.Output(0)), ("scale", ctx.Output(1)), ("zeroPoint", ctx.Output(2)));
    }
}
