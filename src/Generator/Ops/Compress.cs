using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Compress: the slices along axis (or elements of the flattened input, without axis) whose condition is true;
    /// condition entries past its end count as false. The condition must be known at build time (the output's shape is
    /// its count of trues); the selection then becomes block copies, as Gather with constant indices does.
    /// </summary>
    public sealed class CompressOp : OpDefinition
    {
        public override string OpType => "Compress";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null, "needs input and condition");
            var x = node.Inputs[0]!;
            var condition = node.Inputs[1]!;
            Require(condition.Type == DataType.Bool && condition.Rank == 1, $"condition '{condition.Name}' must be a 1-D bool tensor");
            RequireSupported(condition.Constant is not null, $"condition input '{condition.Name}' must be known at build time");
            var (_, axisLength, _, axis) = View(node);
            Require(condition.Length <= axisLength, $"condition has {condition.Length} entries for an axis of {axisLength}");
            int kept = Selected(node).Length;
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = axis < 0 ? new[] { kept } : x.Shape!.Select((d, k) => k == axis ? kept : d).ToArray();
        }

        /// <summary>[outer, axis, inner] of the selection; axis -1 when the input is flattened.</summary>
        private static (int Outer, int AxisLength, int Inner, int Axis) View(Node node)
        {
            var shape = node.Inputs[0]!.Shape!;
            if (!node.Attributes.Has("axis")) return (1, Shapes.Size(shape), 1, -1);
            Require(shape.Length >= 1, "a scalar input has no axis");
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), shape.Length);
            return (Indexing.Product(shape, 0, axis), shape[axis], Indexing.Product(shape, axis + 1, shape.Length), axis);
        }

        private static int[] Selected(Node node)
        {
            var c = node.Inputs[1]!.Constant!;
            return Enumerable.Range(0, c.Length).Where(i => c.GetLong(i) != 0).ToArray();
        }

        private static MoveProgram Program(Node node)
        {
            var (outer, axisLength, inner, _) = View(node);
            var selected = Selected(node);
            var program = new MoveProgram();
            for (int k = 0; k < selected.Length; k++)
                program.Copy(0, new Region(selected[k] * inner, k * inner, new[] { outer, inner }, new[] { axisLength * inner, 1 }, new[] { selected.Length * inner, 1 }));
            return program;
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = Program(node).Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx) => Program(ctx.Node).Lower(ctx, 0);
    }
}
