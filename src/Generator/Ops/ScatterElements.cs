using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// ScatterElements (and Scatter, its opset 9–10 name): output = data, then each update goes to the element at its
    /// coordinates with the axis coordinate replaced by its index, combined by reduction (none, add, mul, max, min).
    /// Folds on constants; otherwise Kernels.ScatterElements.
    /// </summary>
    public class ScatterElementsOp : OpDefinition
    {
        public override string OpType => "ScatterElements";

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 3 && node.Inputs.All(i => i is not null), "needs data, indices and updates");
            var data = node.Inputs[0]!;
            var indices = node.Inputs[1]!;
            var updates = node.Inputs[2]!;
            Indexing.RequireIndexType(indices, "indices");
            Indexing.RequireNumeric(data, "data");
            Require(updates.Type == data.Type, $"updates have type {DataTypes.OnnxName(updates.Type)}, data {DataTypes.OnnxName(data.Type)}");
            Require(data.Rank >= 1 && indices.Rank == data.Rank && updates.Shape!.SequenceEqual(indices.Shape!),
                $"indices {Shapes.Format(indices.Shape!)} and updates {Shapes.Format(updates.Shape!)} must have one shape of data's rank {data.Rank}");
            Indexing.Reduction(node);
            int axis = Axis(node);
            for (int k = 0; k < data.Rank; k++)
                Require(k == axis || indices.Shape![k] <= data.Shape![k], $"indices {Shapes.Format(indices.Shape!)} exceed data {Shapes.Format(data.Shape!)} on axis {k}");
            if (indices.Constant is not null)
                foreach (long i in indices.Constant.AsLongs()) Indexing.RequireInRange(i, data.Shape![axis], OpType);
            node.Outputs[0].Type = data.Type;
            node.Outputs[0].Shape = data.Shape;
        }

        private static int Axis(Node node) => Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), node.Inputs[0]!.Rank);

        public override bool TryFold(Node node)
        {
            var data = node.Inputs[0]!;
            var indices = node.Inputs[1]!;
            int axis = Axis(node);
            int axisStride = Shapes.Strides(data.Shape!)[axis];
            var raw = indices.Constant!.AsLongs();
            var pairs = new Region(0, 0, indices.Shape!, Indexing.StridesWithout(data.Shape!, axis), Shapes.Strides(indices.Shape!)).Elements()
                .Select(p => (p.Dst, p.Src + Indexing.Normalize(raw[p.Dst], data.Shape![axis]) * axisStride));
            node.Outputs[0].Constant = Indexing.Scatter(node, pairs);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var data = node.Inputs[0]!;
            int axis = Axis(node);
            ctx.Call("ScatterElements", Indexing.Types(node, 0, 1), ("data", ctx.Input(0)), ("indices", ctx.Input(1)), ("updates", ctx.Input(2)),
                ("destination", ctx.Output(0)), ("shape", Arg.Ints(node.Inputs[1]!.Shape!)), ("dataStrides", Arg.Ints(Indexing.StridesWithout(data.Shape!, axis))),
                ("axisStride", Shapes.Strides(data.Shape!)[axis]), ("axisLength", data.Shape![axis]), ("reduction", Arg.Enum("ScatterReduction", Indexing.Reduction(node))));
        }
    }
}
