using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Squeeze: a view without the listed unit axes (attribute before opset 13, constant input since); without axes,
    /// every unit axis goes.
    /// </summary>
    public sealed class SqueezeOp : OpDefinition
    {
        public override string OpType => "Squeeze";
        public override bool IsView => true;

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            var shape = x.Shape!;
            var axes = OpInputs.Axes(node, 1, 13, x.Rank);
            if (axes is not null)
                foreach (int a in axes)
                    Require(shape[a] == 1, $"cannot squeeze axis {a} of size {shape[a]} in {Shapes.Format(shape)}");
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = Enumerable.Range(0, x.Rank)
                .Where(i => axes is null ? shape[i] != 1 : !axes.Contains(i))
                .Select(i => shape[i]).ToArray();
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = node.Inputs[0]!.Constant!.WithShape(node.Outputs[0].Shape!);
            return true;
        }

        public override void Lower(LoweringContext ctx) => ViewOps.LowerCopy(ctx);
    }
}
