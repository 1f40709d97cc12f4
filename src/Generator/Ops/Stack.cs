using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Stack (ModelGen's own): inputs of one shape stacked along a new axis <c>axis</c> (negative counts from the stacked
    /// rank). Unrolled loops stack their per-iteration outputs with it; on an outer axis each iteration's producer writes
    /// straight into its row of the output, so the stacking costs nothing.
    /// </summary>
    public sealed class StackOp : OpDefinition
    {
        public override string OpType => "Stack";

        public override string Domain => ControlFlowOp.InternalDomain;

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length > 0 && node.Inputs.All(i => i is not null), "needs at least one input, none omitted");
            var first = node.Inputs[0]!;
            foreach (var v in node.Inputs)
            {
                Require(v!.Type == first.Type, $"inputs have different element types {DataTypes.OnnxName(first.Type)} and {DataTypes.OnnxName(v.Type)}");
                Require(v.Shape!.SequenceEqual(first.Shape!), $"stacks values of different shapes {Shapes.Format(first.Shape!)} and {Shapes.Format(v.Shape!)}");
            }
            int axis = Axis(node, first.Rank);
            var shape = first.Shape!.ToList();
            shape.Insert(axis, node.Inputs.Length);
            node.Outputs[0].Type = first.Type;
            node.Outputs[0].Shape = shape.ToArray();
        }

        private static int Axis(Node node, int pieceRank) => Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), pieceRank + 1);

        private static MoveProgram Program(Node node)
        {
            var piece = node.Inputs[0]!.Shape!;
            int axis = Axis(node, piece.Length);
            int outer = piece.Take(axis).Aggregate(1, (a, b) => a * b);
            int inner = piece.Skip(axis).Aggregate(1, (a, b) => a * b);
            int count = node.Inputs.Length;
            var program = new MoveProgram();
            for (int k = 0; k < count; k++)
                program.Copy(k, new Region(0, k * inner, new[] { outer, inner }, new[] { inner, 1 }, new[] { count * inner, 1 }));
            return program;
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = Program(node).Fold(node, 0);
            return true;
        }

        public override IEnumerable<(int Input, int Start)> InPlaceInputs(Node node) => Program(node).WholeInputs(node).ToList();

        public override void Lower(LoweringContext ctx) => Program(ctx.Node).Lower(ctx, 0);
    }
}
