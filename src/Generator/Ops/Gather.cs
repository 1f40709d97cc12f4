using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Gather along axis (negative allowed) with int32 or int64 indices (negative ones count from the end).
    /// Folds on constants (the Shape → Gather chains of exported models); with constant indices it checks them at
    /// build time and, when there are few, copies blocks directly; otherwise Kernels.Gather runs.
    /// </summary>
    public sealed class GatherOp : OpDefinition
    {
        public override string OpType => "Gather";

        /// <summary>Up to this many constant indices become direct block copies instead of a kernel call.</summary>
        public const int MaxInlineIndices = 8;

        public override void InferShapes(Node node)
        {
            var data = node.Inputs[0]!;
            var indices = node.Input(1);
            Require(indices is not null, "needs indices");
            Require(indices!.Type is DataType.Int32 or DataType.Int64, $"indices have type {DataTypes.OnnxName(indices.Type)}; int32 or int64 expected");
            Require(data.Rank > 0, "cannot gather from a scalar");
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), data.Rank);
            if (indices.Constant is not null)
            {
                int dim = data.Shape![axis];
                foreach (long i in indices.Constant.AsLongs())
                    Require(i >= -dim && i < dim, $"index {i} is outside [-{dim}, {dim}) on axis {axis}");
            }
            node.Outputs[0].Type = data.Type;
            node.Outputs[0].Shape = data.Shape!.Take(axis).Concat(indices.Shape!).Concat(data.Shape!.Skip(axis + 1)).ToArray();
        }

        private static (int Outer, int AxisLength, int Inner, int Axis) View(Node node)
        {
            var shape = node.Inputs[0]!.Shape!;
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), shape.Length);
            return (shape.Take(axis).Aggregate(1, (a, b) => a * b), shape[axis], shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b), axis);
        }

        /// <summary>Constant indices as block copies: one region per index.</summary>
        private static MoveProgram Program(Node node)
        {
            var (outer, axisLength, inner, _) = View(node);
            var indices = node.Inputs[1]!.Constant!.AsLongs();
            int n = indices.Length;
            var program = new MoveProgram();
            for (int k = 0; k < n; k++)
            {
                long i = indices[k] < 0 ? indices[k] + axisLength : indices[k];
                program.Copy(0, new Region((int)i * inner, k * inner, new[] { outer, inner }, new[] { axisLength * inner, 1 }, new[] { n * inner, 1 }));
            }
            return program;
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = Program(node).Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var indices = node.Inputs[1]!;
            if (indices.Constant is not null && indices.Length <= MaxInlineIndices)
            {
                Program(node).Lower(ctx, 0);
                return;
            }
            var (outer, axisLength, inner, _) = View(node);
            var idx = ctx.Input(1);
            if (indices.Constant is not null)
            {
                // Normalized once at build time and stored as int32.
                var normalized = indices.Constant.AsLongs().Select(i => i < 0 ? i + axisLength : i).ToArray();
                idx = ctx.Weight(Tensor.FromLongs(DataType.Int32, indices.Shape!, normalized), indices.Name + "_gather");
            }
            ctx.Call("Gather", new TypeArg[] { node.Outputs[0].Type }, ("data", ctx.Input(0)), ("indices", idx), ("destination", ctx.Output(0)), ("outer", outer), ("axisLength", axisLength), ("inner", inner));
        }
    }
}
