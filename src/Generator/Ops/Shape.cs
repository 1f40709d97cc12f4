using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Shape: the input's dimensions as int64, optionally dims[start:end] (opset 15; clamped like Python slices).
    /// Shapes are known at build time, so Shape always folds, whether or not its input is constant.
    /// </summary>
    public sealed class ShapeOp : OpDefinition
    {
        public override string OpType => "Shape";
        public override bool FoldsWithoutConstantInputs => true;

        public override void InferShapes(Node node)
        {
            var (start, end) = Range(node);
            node.Outputs[0].Type = DataType.Int64;
            node.Outputs[0].Shape = new[] { end - start };
        }

        private static (int Start, int End) Range(Node node)
        {
            int rank = node.Inputs[0]!.Rank;
            int Clamp(long v) => (int)Math.Max(0, Math.Min(rank, v < 0 ? v + rank : v));
            int start = node.Opset >= 15 ? Clamp(node.Attributes.Int("start", 0)) : 0;
            int end = node.Opset >= 15 ? Clamp(node.Attributes.Int("end", rank)) : rank;
            return (start, Math.Max(start, end));
        }

        public override bool TryFold(Node node)
        {
            var (start, end) = Range(node);
            var dims = node.Inputs[0]!.Shape!.Skip(start).Take(end - start).Select(d => (long)d).ToArray();
            node.Outputs[0].Constant = Tensor.FromLongs(DataType.Int64, new[] { dims.Length }, dims);
            return true;
        }

        public override void Lower(LoweringContext ctx) => throw new InvalidOperationException("Shape always folds at build time");
    }
}
