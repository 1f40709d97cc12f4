using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// GatherElements: output[e] = data at e's coordinates with the axis coordinate replaced by indices[e] (int32 or int64,
    /// negative counting from the end). Folds on constants; otherwise Kernels.GatherElements walks the indices once.
    /// </summary>
    public sealed class GatherElementsOp : OpDefinition
    {
        public override string OpType => "GatherElements";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null, "needs data and indices");
            var data = node.Inputs[0]!;
            var indices = node.Inputs[1]!;
            Indexing.RequireIndexType(indices, "indices");
            Require(data.Rank >= 1 && indices.Rank == data.Rank, $"indices {Shapes.Format(indices.Shape!)} must have the rank of data {Shapes.Format(data.Shape!)} (at least 1)");
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), data.Rank);
            for (int k = 0; k < data.Rank; k++)
                Require(k == axis || indices.Shape![k] <= data.Shape![k], $"indices {Shapes.Format(indices.Shape!)} exceed data {Shapes.Format(data.Shape!)} on axis {k}");
            if (indices.Constant is not null)
                foreach (long i in indices.Constant.AsLongs()) Indexing.RequireInRange(i, data.Shape![axis], "GatherElements");
            node.Outputs[0].Type = data.Type;
            node.Outputs[0].Shape = indices.Shape;
        }

        private static int Axis(Node node) => Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), node.Inputs[0]!.Rank);

        public override bool TryFold(Node node)
        {
            var data = node.Inputs[0]!;
            var indices = node.Inputs[1]!;
            int axis = Axis(node);
            var strides = Indexing.StridesWithout(data.Shape!, axis);
            int axisStride = Shapes.Strides(data.Shape!)[axis];
            var raw = indices.Constant!.AsLongs();
            var program = new MoveProgram();
            foreach (var (offset, e) in new Region(0, 0, indices.Shape!, strides, Shapes.Strides(indices.Shape!)).Elements())
                program.Copy(0, Indexing.Element(offset + Indexing.Normalize(raw[e], data.Shape![axis]) * axisStride, e));
            node.Outputs[0].Constant = program.Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var data = node.Inputs[0]!;
            int axis = Axis(node);
            if (node.Outputs[0].Length == 0) return;
            ctx.Call("GatherElements", Indexing.Types(node, 0, 1), ("data", ctx.Input(0)), ("indices", ctx.Input(1)), ("destination", ctx.Output(0)),
                ("shape", Arg.Ints(node.Inputs[1]!.Shape!)), ("dataStrides", Arg.Ints(Indexing.StridesWithout(data.Shape!, axis))),
                ("axisStride", Shapes.Strides(data.Shape!)[axis]), ("axisLength", data.Shape![axis]));
        }
    }
}
