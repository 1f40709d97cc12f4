using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// ReverseSequence: for each batch item b, the first sequence_lens[b] steps along time_axis are reversed and the rest
    /// copied. batch_axis and time_axis are 0 and 1 in either order. Folds on constants; otherwise
    /// Kernels.ReverseSequence (one block copy per step).
    /// </summary>
    public sealed class ReverseSequenceOp : OpDefinition
    {
        public override string OpType => "ReverseSequence";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null, "needs input and sequence_lens");
            var x = node.Inputs[0]!;
            var lens = node.Inputs[1]!;
            Require(x.Rank >= 2, $"input {Shapes.Format(x.Shape!)} needs rank 2 or more");
            var (batchAxis, timeAxis) = Axes(node);
            Require(lens.Type == DataType.Int64 && lens.Rank == 1 && lens.Length == x.Shape![batchAxis],
                $"sequence_lens '{lens.Name}' must be int64 [{x.Shape![batchAxis]}]");
            if (lens.Constant is not null)
                foreach (long n in lens.Constant.AsLongs())
                    Require(n >= 0 && n <= x.Shape![timeAxis], $"sequence length {n} is outside [0, {x.Shape![timeAxis]}]");
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = x.Shape;
        }

        private static (int Batch, int Time) Axes(Node node)
        {
            long batch = node.Attributes.Int("batch_axis", 1), time = node.Attributes.Int("time_axis", 0);
            Require(batch is 0 or 1 && time is 0 or 1 && batch != time, $"batch_axis {batch} and time_axis {time} must be 0 and 1 in some order");
            return ((int)batch, (int)time);
        }

        private static (int Batches, int Time, int BatchStride, int TimeStride, int Inner) Layout(Node node)
        {
            var shape = node.Inputs[0]!.Shape!;
            var (batchAxis, timeAxis) = Axes(node);
            var strides = Shapes.Strides(shape);
            return (shape[batchAxis], shape[timeAxis], strides[batchAxis], strides[timeAxis], Indexing.Product(shape, 2, shape.Length));
        }

        public override bool TryFold(Node node)
        {
            var (batches, time, batchStride, timeStride, inner) = Layout(node);
            var lens = node.Inputs[1]!.Constant!.AsLongs();
            var program = new MoveProgram();
            for (int b = 0; b < batches; b++)
                for (int t = 0; t < time; t++)
                {
                    int source = t < lens[b] ? (int)lens[b] - 1 - t : t;
                    program.Copy(0, new Region(b * batchStride + source * timeStride, b * batchStride + t * timeStride, new[] { inner }, new[] { 1 }, new[] { 1 }));
                }
            node.Outputs[0].Constant = program.Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var (batches, time, batchStride, timeStride, inner) = Layout(ctx.Node);
            if (ctx.Node.Outputs[0].Length == 0) return;
            ctx.Call("ReverseSequence", new TypeArg[] { ctx.Node.Outputs[0].Type }, ("x", ctx.Input(0)), ("sequenceLengths", ctx.Input(1)), ("destination", ctx.Output(0)),
                ("batches", batches), ("time", time), ("batchStride", batchStride), ("timeStride", timeStride), ("inner", inner));
        }
    }
}
