using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Run-time row counts (<see cref="Value.RowCount"/>): attaching one to a producer's output, and passing it on through
    /// consumers that keep rows independent. Any other consumer of such a value is rejected, so no op ever reads the
    /// capacity's padding as if it were data.
    /// </summary>
    public static class RowCounts
    {
        /// <summary>Marks <paramref name="output"/> as having a run-time length along <paramref name="axis"/> (reusing its count value when inference runs again).</summary>
        public static void Attach(Value output, int axis)
        {
            output.RowCount ??= new Value(output.Name + "/count") { Type = DataType.Int32, Shape = new[] { 1 } };
            output.RowCountAxis = axis;
        }

        /// <summary>Element-wise ops of one input whose output row i depends on input row i only.</summary>
        private static readonly System.Collections.Generic.HashSet<string> RowWise = new(System.StringComparer.Ordinal)
        {
            "Identity", "Cast", "Neg", "Abs", "Not", "Sign", "Floor", "Ceil", "Round", "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Reciprocal",
        };

        /// <summary>
        /// Called after a node's shapes are inferred: when an input has a run-time row count, either its outputs get the
        /// same count (row-wise ops, and Gather on another axis of the counted value) or the node is rejected.
        /// </summary>
        public static void Propagate(Node node)
        {
            for (int i = 0; i < node.Inputs.Length; i++)
            {
                var v = node.Inputs[i];
                if (v?.RowCount is null) continue;
                if (v.RowCountAxis == 0 && node.Domain.Length == 0 && PassesRows(node, i))
                {
                    foreach (var o in node.Outputs)
                    {
                        o.RowCount = v.RowCount;
                        o.RowCountAxis = 0;
                    }
                    continue;
                }
                throw new UnsupportedException(
                    $"input '{v.Name}' has a length along axis {v.RowCountAxis} known only at run time (capacity {v.Shape![v.RowCountAxis]}), " +
                    $"and {node.OpType} cannot work on its valid part only; ModelGen passes such values only to graph outputs and to row-wise ops " +
                    "(Identity, Cast, unary element-wise ops, broadcasting element-wise ops whose other operands do not vary along the rows, " +
                    "Gather, Slice, Squeeze and Unsqueeze on other axes)");
            }
        }

        private static bool PassesRows(Node node, int input)
        {
            if (RowWise.Contains(node.OpType)) return input == 0 && node.Outputs.Length == 1 && node.Inputs.Count(x => x is not null) == 1;
            if (node.OpType == "Gather" && node.Inputs.Length == 2 && node.Inputs[0] is { } data && node.Inputs[1] is { } indices)
            {
                int axis = (int)node.Attributes.Int("axis", 0);
                if (axis < 0) axis += data.Rank;
                // Data counted: a Gather on a later axis keeps its rows as output axis 0.
                if (input == 0) return axis > 0 && indices.RowCount is null;
                // Indices counted: on axis 0 the output's rows follow the index rows (padding indices are 0, a valid row).
                return axis == 0 && data.RowCount is null && indices.Rank >= 1;
            }
            if (node.OpType is "Squeeze" or "Unsqueeze")
            {
                // Axes given and none of them 0: the rows stay output axis 0 (Squeeze without axes could drop a capacity of 1).
                if (input != 0) return false;
                var axes = node.Opset >= 13 ? node.Input(1)?.Constant?.AsLongs() : node.Attributes.Ints("axes");
                int rank = node.OpType == "Squeeze" ? node.Inputs[0]!.Rank : node.Outputs[0].Rank;
                return axes is { Length: > 0 } && axes.All(a => (a < 0 ? a + rank : a) != 0);
            }
            if (node.OpType == "Slice" && node.Opset >= 10)
            {
                // Only with explicit axes that leave the rows alone.
                var axes = node.Input(3)?.Constant?.AsLongs();
                int rank = node.Inputs[0]!.Rank;
                return input == 0 && axes is { Length: > 0 } && axes.All(a => (a < 0 ? a + rank : a) != 0);
            }
            if (Broadcasting.Contains(node.OpType) && node.Outputs.Length == 1)
            {
                // Every counted operand shares the count and has the output's rows; the others do not vary along axis 0.
                var output = node.Outputs[0];
                // An integer division would divide by the zero padding.
                if (node.OpType == "Div" && output.Type is not (DataType.Float or DataType.Double or DataType.Float16)) return false;
                var count = node.Inputs[input]!.RowCount;
                foreach (var other in node.Inputs)
                {
                    if (other is null) continue;
                    if (other.RowCount is not null)
                    {
                        if (other.RowCount != count || other.RowCountAxis != 0 || other.Rank != output.Rank || other.Shape![0] != output.Shape![0]) return false;
                    }
                    else if (other.Rank == output.Rank && other.Shape![0] != 1) return false;
                }
                return true;
            }
            return false;
        }

        /// <summary>Broadcasting element-wise ops: output row i reads row i of each counted operand only.</summary>
        private static readonly System.Collections.Generic.HashSet<string> Broadcasting = new(System.StringComparer.Ordinal)
        {
            "Add", "Sub", "Mul", "Div", "Min", "Max", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Where",
        };
    }
}
