using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Expand to the (build-time) shape with bidirectional broadcasting: one strided copy whose broadcast axes have
    /// source stride 0. Small constant results fold; large ones are expanded at run time.
    /// </summary>
    public sealed class ExpandOp : OpDefinition
    {
        public override string OpType => "Expand";

        public const int MaxFoldedElements = 4096;

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            var dims = OpInputs.ConstantLongs(node, 1, "shape");
            Require(dims is not null, "needs a shape input");
            Require(dims!.All(d => d >= 0), $"shape {OpInputs.Format(dims!)} has a negative dimension");
            var shape = Shapes.Broadcast(x.Shape!, dims.Select(d => checked((int)d)).ToArray());
            Require(shape is not null, $"{Shapes.Format(x.Shape!)} does not broadcast to {OpInputs.Format(dims!)}");
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = shape;
        }

        private static MoveProgram Program(Node node)
        {
            var shape = node.Outputs[0].Shape!;
            // Source strides seen through the output shape: 0 on broadcast (and missing leading) axes.
            var input = node.Inputs[0]!.Shape!;
            var inputStrides = Shapes.Strides(input);
            var strides = new int[shape.Length];
            for (int d = 0; d < shape.Length; d++)
            {
                int k = d - (shape.Length - input.Length);
                strides[d] = k < 0 || input[k] == 1 ? 0 : inputStrides[k];
            }
            return new MoveProgram().Copy(0, new Region(0, 0, shape, strides, Shapes.Strides(shape)));
        }

        public override bool TryFold(Node node)
        {
            if (node.Outputs[0].Length > MaxFoldedElements && node.Outputs[0].Length > node.Inputs[0]!.Length) return false;
            node.Outputs[0].Constant = Program(node).Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx) => Program(ctx.Node).Lower(ctx, 0);
    }
}
