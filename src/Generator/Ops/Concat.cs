using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Concat along axis (negative since opset 11) of any number of inputs of any one type. Each input becomes one
    /// strided block copy planned at build time: a single CopyTo when the blocks before the axis are contiguous.
    /// </summary>
    public sealed class ConcatOp : OpDefinition
    {
        public override string OpType => "Concat";

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length > 0 && node.Inputs.All(i => i is not null), "needs at least one input, none omitted");
            Require(node.Attributes.Has("axis"), "needs the axis attribute");
            var first = node.Inputs[0]!;
            int rank = first.Rank;
            Require(rank > 0, "cannot concatenate scalars");
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), rank);
            var shape = (int[])first.Shape!.Clone();
            shape[axis] = 0;
            foreach (var v in node.Inputs)
            {
                Require(v!.Type == first.Type, $"inputs have different element types {DataTypes.OnnxName(first.Type)} and {DataTypes.OnnxName(v.Type)}");
                Require(v.Rank == rank && Enumerable.Range(0, rank).All(d => d == axis || v.Shape![d] == first.Shape![d]),
                    $"shapes {Shapes.Format(first.Shape!)} and {Shapes.Format(v.Shape!)} differ outside axis {axis}");
                shape[axis] += v.Shape![axis];
            }
            node.Outputs[0].Type = first.Type;
            node.Outputs[0].Shape = shape;
        }

        private static MoveProgram Program(Node node)
        {
            var shape = node.Outputs[0].Shape!;
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), shape.Length);
            int outer = shape.Take(axis).Aggregate(1, (a, b) => a * b);
            int inner = shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
            int row = shape[axis] * inner, offset = 0;
            var program = new MoveProgram();
            for (int k = 0; k < node.Inputs.Length; k++)
            {
                int block = node.Inputs[k]!.Shape![axis] * inner;
                program.Copy(k, new Region(0, offset, new[] { outer, block }, new[] { block, 1 }, new[] { row, 1 }));
                offset += block;
            }
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
