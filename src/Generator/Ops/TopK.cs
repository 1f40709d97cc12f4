using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// TopK along axis (default -1): the k largest (largest = 1) or smallest values in order, equal values ordered by
    /// index, and their int64 indices. k (the K input since opset 10, an attribute before) must be known at build time:
    /// it is the outputs' shape. The order is always sorted (sorted = 0 leaves it unspecified). Folds on constants;
    /// otherwise Kernels.TopK sorts each column's (value, index) pairs in scratch.
    /// </summary>
    public sealed class TopKOp : OpDefinition
    {
        public override string OpType => "TopK";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null, "needs X");
            var x = node.Inputs[0]!;
            Indexing.RequireNumeric(x, "X");
            Require(x.Rank >= 1, "X needs rank 1 or more");
            Require(node.Outputs.Length == 2, "has two outputs (Values, Indices)");
            var (_, axisLength, _, axis) = Dims(node);
            bool runTimeK = RunTimeK(node);
            int k = runTimeK ? axisLength : K(node);
            Require(k <= axisLength, $"k {k} exceeds the axis length {axisLength}");
            foreach (var flag in new[] { "largest", "sorted" })
            {
                long value = node.Attributes.Int(flag, 1);
                Require(value is 0 or 1, $"{flag} {value} must be 0 or 1");
            }
            var shape = x.Shape!.ToArray();
            shape[axis] = k;
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = shape;
            node.Outputs[1].Type = DataType.Int64;
            node.Outputs[1].Shape = shape;
            if (runTimeK)
            {
                // K known only at run time: both outputs have the whole axis as capacity and share one count, k.
                RowCounts.Attach(node.Outputs[0], axis);
                node.Outputs[1].RowCount = node.Outputs[0].RowCount;
                node.Outputs[1].RowCountAxis = axis;
            }
        }

        /// <summary>True when K is an input computed at run time (opset 10+): the outputs then carry a run-time count.</summary>
        private static bool RunTimeK(Node node) =>
            node.Opset >= 10 && node.Input(1) is { Constant: null } k && Require1(k);

        private static bool Require1(Value k)
        {
            Require(k.Length == 1 && k.Type == DataType.Int64, $"K '{k.Name}' must be one int64 value");
            return true;
        }

        private static int K(Node node)
        {
            long k;
            if (node.Opset >= 10)
            {
                var input = node.Input(1);
                Require(input is not null && input.Length == 1, "needs K, one int64 value");
                k = OpInputs.ConstantLongs(node, 1, "K")![0];
            }
            else
            {
                Require(node.Attributes.Has("k"), "needs the k attribute");
                k = node.Attributes.Int("k", 0);
            }
            Require(k >= 0 && k <= int.MaxValue, $"k {k} must be ≥ 0");
            return (int)k;
        }

        private static (int Outer, int AxisLength, int Inner, int Axis) Dims(Node node)
        {
            var shape = node.Inputs[0]!.Shape!;
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", -1), shape.Length);
            return (Indexing.Product(shape, 0, axis), shape[axis], Indexing.Product(shape, axis + 1, shape.Length), axis);
        }

        private static bool Largest(Node node) => node.Attributes.Int("largest", 1) == 1;

        /// <summary>One (value, index) entry of the kernel's scratch: the value padded to 4 bytes, then an int.</summary>
        private static int EntryBytes(DataType t) => 2 * System.Math.Max(DataTypes.Size(t), 4);

        public override long ScratchBytes(Node node) => (long)Dims(node).AxisLength * EntryBytes(node.Inputs[0]!.Type);

        public override bool TryFold(Node node)
        {
            var (outer, axisLength, inner, _) = Dims(node);
            int k = K(node);
            var x = node.Inputs[0]!.Constant!;
            bool largest = Largest(node);
            bool floating = Tensor.Family(x.Type) != 'l';
            var values = new MoveProgram();
            var indices = new long[outer * k * inner];
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++)
                {
                    int At(int a) => (o * axisLength + a) * inner + j;
                    var order = Enumerable.Range(0, axisLength);
                    var sorted = floating
                        ? (largest ? order.OrderByDescending(a => x.GetDouble(At(a))) : order.OrderBy(a => x.GetDouble(At(a)))).ThenBy(a => a)
                        : (largest ? order.OrderByDescending(a => x.GetLong(At(a))) : order.OrderBy(a => x.GetLong(At(a)))).ThenBy(a => a);
                    int rank = 0;
                    foreach (int a in sorted.Take(k))
                    {
                        int at = (o * k + rank++) * inner + j;
                        indices[at] = a;
                        values.Copy(0, Indexing.Element(At(a), at));
                    }
                }
            node.Outputs[0].Constant = values.Fold(node, 0);
            node.Outputs[1].Constant = Tensor.FromLongs(DataType.Int64, node.Outputs[1].Shape!, indices);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var (outer, axisLength, inner, _) = Dims(node);
            if (node.Outputs[0].Length == 0) return;
            if (RunTimeK(node))
            {
                ctx.Call("TopKRunTimeK", new TypeArg[] { node.Inputs[0]!.Type }, ("x", ctx.Input(0)), ("k", ctx.Input(1)), ("values", ctx.Output(0)), ("indices", ctx.Output(1)),
                    ("count", ctx.OutputCount(0)), ("scratch", ctx.Scratch(DataType.UInt8)), ("outer", outer), ("axis", axisLength), ("inner", inner), ("largest", Largest(node)));
                return;
            }
            int k = K(node);
            ctx.Call("TopK", new TypeArg[] { node.Inputs[0]!.Type }, ("x", ctx.Input(0)), ("values", ctx.Output(0)), ("indices", ctx.Output(1)),
                ("scratch", ctx.Scratch(DataType.UInt8)), ("outer", outer), ("axis", axisLength), ("inner", inner), ("k", k), ("largest", Largest(node)));
        }
    }
}
