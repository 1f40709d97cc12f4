using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Unique (opset 11): the distinct elements of the flattened X, or the distinct slices along axis, sorted or in order
    /// of first occurrence; with the first-occurrence indices, the inverse indices (one per input element or slice) and
    /// the counts. Y, indices and counts have a run-time length (Y along axis, or 0 when flattened) within the capacity of
    /// the input's length there (<see cref="Value.RowCount"/>, one count shared by the three); inverse_indices is fixed.
    /// </summary>
    public sealed class UniqueOp : OpDefinition
    {
        public override string OpType => "Unique";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null, "needs X");
            var x = node.Inputs[0]!;
            RequireSupported(!DataTypes.IsBitsOnly(x.Type), $"Unique of {DataTypes.OnnxName(x.Type)} is not supported");
            long sorted = node.Attributes.Int("sorted", 1);
            Require(sorted is 0 or 1, $"sorted {sorted} must be 0 or 1");
            var (outer, length, inner, axis) = Dims(node);
            var y = node.Outputs[0];
            y.Type = x.Type;
            if (axis < 0)
            {
                y.Shape = new[] { length };
                RowCounts.Attach(y, 0);
            }
            else
            {
                var shape = (int[])x.Shape!.Clone();
                y.Shape = shape;
                RowCounts.Attach(y, axis);
            }
            for (int i = 1; i < node.Outputs.Length; i++)
            {
                var o = node.Outputs[i];
                o.Type = DataType.Int64;
                o.Shape = new[] { length };
                if (i == 2) continue;
                o.RowCount = y.RowCount;
                o.RowCountAxis = 0;
            }
        }

        /// <summary>X as [outer, length, inner] around the axis; axis -1 when flattened.</summary>
        private static (int Outer, int Length, int Inner, int Axis) Dims(Node node)
        {
            var x = node.Inputs[0]!;
            if (!node.Attributes.Has("axis")) return (1, x.Length, 1, -1);
            Require(x.Rank >= 1, "X must have rank 1 or more when axis is given");
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), x.Rank);
            return (Indexing.Product(x.Shape!, 0, axis), x.Shape![axis], Indexing.Product(x.Shape!, axis + 1, x.Rank), axis);
        }

        public override long ScratchBytes(Node node) => 7L * 4 * System.Math.Max(1, Dims(node).Length);

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var (outer, length, inner, _) = Dims(node);
            Arg Out(int i) => i < node.Outputs.Length ? ctx.Output(i) : Arg.None;
            ctx.Call("Unique", new TypeArg[] { node.Inputs[0]!.Type }, ("x", ctx.Input(0)), ("y", Out(0)), ("indices", Out(1)), ("inverse", Out(2)), ("counts", Out(3)),
                ("count", ctx.OutputCount(0)), ("scratch", ctx.Scratch(DataType.UInt8)), ("outer", outer), ("axis", length), ("inner", inner),
                ("sorted", node.Attributes.Int("sorted", 1) == 1));
        }
    }
}
