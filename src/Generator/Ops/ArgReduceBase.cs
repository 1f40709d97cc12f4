using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Shared rule for ArgMax and ArgMin: the int64 index of the extreme element along <c>axis</c> (default 0), the axis
    /// kept as 1 unless keepdims = 0, ties to the first index unless select_last_index = 1 (opset 12+). Every numeric
    /// element type runs (on the generic kernel; float's contiguous rows through TensorPrimitives).
    /// </summary>
    public abstract class ArgReduceBase : OpDefinition
    {
        /// <summary>True for ArgMax.</summary>
        protected abstract bool IsMax { get; }

        private static (int Axis, bool KeepDims, bool SelectLast) Parameters(Node node)
        {
            var x = node.Inputs[0]!;
            int rank = x.Rank;
            long axis = node.Attributes.Int("axis", 0);
            Require(axis >= -rank && axis < rank, $"axis {axis} is out of range for rank {rank}");
            long keepDims = node.Attributes.Int("keepdims", 1), selectLast = node.Attributes.Int("select_last_index", 0);
            Require(keepDims is 0 or 1, $"keepdims is {keepDims}; it must be 0 or 1");
            Require(selectLast is 0 or 1, $"select_last_index is {selectLast}; it must be 0 or 1");
            Require(selectLast == 0 || node.Opset >= 12, $"select_last_index needs opset 12 (the model has {node.Opset})");
            return ((int)(axis < 0 ? axis + rank : axis), keepDims == 1, selectLast == 1);
        }

        private static (int Outer, int Axis, int Inner) Dims(Node node, int axis)
        {
            var shape = node.Inputs[0]!.Shape!;
            int outer = 1, inner = 1;
            for (int d = 0; d < axis; d++) outer *= shape[d];
            for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
            return (outer, shape[axis], inner);
        }

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 1 && node.Inputs[0] is not null, "expects one input");
            var x = node.Inputs[0]!;
            RequireSupported(BinaryFloatOp.IsNumeric(x.Type), $"input '{x.Name}' has element type {DataTypes.OnnxName(x.Type)}; {OpType} supports numeric types");
            Require(x.Rank >= 1, "needs an input of rank 1 or more");
            var (axis, keepDims, _) = Parameters(node);
            Require(x.Shape![axis] > 0, $"axis {axis} is empty: there is no index to return");
            node.Outputs[0].Type = DataType.Int64;
            node.Outputs[0].Shape = keepDims
                ? x.Shape.Select((s, d) => d == axis ? 1 : s).ToArray()
                : x.Shape.Where((_, d) => d != axis).ToArray();
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            var (axis, _, selectLast) = Parameters(node);
            var (outer, n, inner) = Dims(node, axis);
            var result = new long[outer * inner];
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++)
                {
                    int best = 0;
                    for (int k = 1; k < n; k++)
                    {
                        double v = x.GetDouble((o * n + k) * inner + j), b = x.GetDouble((o * n + best) * inner + j);
                        bool better = IsMax ? (selectLast ? v >= b : v > b) : (selectLast ? v <= b : v < b);
                        if (better) best = k;
                    }
                    result[o * inner + j] = best;
                }
            node.Outputs[0].Constant = Tensor.FromLongs(DataType.Int64, node.Outputs[0].Shape!, result);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var (axis, _, selectLast) = Parameters(node);
            var (outer, n, inner) = Dims(node, axis);
            if (outer * inner == 0) return;
            ctx.Call(IsMax ? "ArgMax" : "ArgMin", new TypeArg[] { node.Inputs[0]!.Type },
                ("x", ctx.Input(0)), ("destination", ctx.Output(0)), ("outer", outer), ("axis", n), ("inner", inner), ("selectLastIndex", selectLast));
        }
    }
}
