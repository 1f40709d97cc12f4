using System;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Trilu: keeps the upper (j ≥ i + k) or lower (j ≤ i + k) triangle of the last two axes and zeroes the rest; k is an
    /// optional int64 scalar input (default 0), read at run time when it is not constant. Folds on constants;
    /// otherwise Kernels.Trilu (a copy and a clear per row).
    /// </summary>
    public sealed class TriluOp : OpDefinition
    {
        public override string OpType => "Trilu";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null, "needs input");
            var x = node.Inputs[0]!;
            Require(x.Rank >= 2, $"input {Shapes.Format(x.Shape!)} needs rank 2 or more");
            if (node.Input(1) is { } k)
                Require(k.Type == DataType.Int64 && k.Length == 1, $"k '{k.Name}' must be one int64");
            Upper(node);
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = x.Shape;
        }

        private static bool Upper(Node node)
        {
            long upper = node.Attributes.Int("upper", 1);
            Require(upper is 0 or 1, $"upper {upper} must be 0 or 1");
            return upper == 1;
        }

        private static (int Batches, int Rows, int Cols) Layout(Node node)
        {
            var shape = node.Inputs[0]!.Shape!;
            return (Indexing.Product(shape, 0, shape.Length - 2), shape[shape.Length - 2], shape[shape.Length - 1]);
        }

        public override bool TryFold(Node node)
        {
            var (batches, rows, cols) = Layout(node);
            long k = node.Input(1)?.Constant?.GetLong(0) ?? 0;
            bool upper = Upper(node);
            var zero = Tensor.FromDoubles(node.Outputs[0].Type, new int[0], new[] { 0.0 });
            var program = new MoveProgram();
            for (int i = 0; i < rows; i++)
            {
                // Columns [0, split) are one side of the diagonal, [split, cols) the other.
                int split = (int)Math.Max(0, Math.Min(cols, upper ? i + k : i + k + 1));
                var left = new Region(i * cols, i * cols, new[] { batches, split }, new[] { rows * cols, 1 }, new[] { rows * cols, 1 });
                var right = new Region(i * cols + split, i * cols + split, new[] { batches, cols - split }, new[] { rows * cols, 1 }, new[] { rows * cols, 1 });
                if (upper) program.Fill(left, zero).Copy(0, right);
                else program.Copy(0, left).Fill(right, zero);
            }
            node.Outputs[0].Constant = program.Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            if (node.Outputs[0].Length == 0) return;
            var (batches, rows, cols) = Layout(node);
            var kInput = node.Input(1);
            Arg k = kInput is null ? 0L : kInput.Constant is not null ? kInput.Constant.GetLong(0) : new ElementArg(ctx.Input(1).Buffer, 0);
            ctx.Call("Trilu", new TypeArg[] { node.Outputs[0].Type }, ("x", ctx.Input(0)), ("destination", ctx.Output(0)),
                ("batches", batches), ("rows", rows), ("cols", cols), ("k", k), ("upper", Upper(node)));
        }
    }
}
