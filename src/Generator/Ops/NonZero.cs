using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// NonZero: the int64 coordinates [rank, count] of the nonzero elements, in row-major order. On a constant input it
    /// folds to a constant of the exact shape. On a run-time input the output is [rank, capacity] with capacity the
    /// input's element count and a run-time length along axis 1 (<see cref="Value.RowCount"/>): Kernels.NonZero writes the
    /// dense [rank, count] tensor from element 0 and zeros after it.
    /// </summary>
    public sealed class NonZeroOp : OpDefinition
    {
        public override string OpType => "NonZero";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null, "needs X");
            var x = node.Inputs[0]!;
            var output = node.Outputs[0];
            output.Type = DataType.Int64;
            if (x.Constant is not null)
            {
                output.Shape = new[] { x.Rank, NonZeroPositions(x.Constant!).Length };
                return;
            }
            RequireSupported(x.Rank >= 1, $"input '{x.Name}' is a scalar: NonZero of a run-time scalar is not supported");
            RequireSupported(!DataTypes.IsBitsOnly(x.Type), $"NonZero of run-time {DataTypes.OnnxName(x.Type)} is not supported");
            output.Shape = new[] { x.Rank, x.Length };
            RowCounts.Attach(output, 1);
        }

        private static int[] NonZeroPositions(Tensor t) =>
            Enumerable.Range(0, t.Length).Where(i => t.GetDouble(i) != 0 || t.GetLong(i) != 0).ToArray();

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!;
            var positions = NonZeroPositions(x.Constant!);
            var strides = Shapes.Strides(x.Shape!);
            var result = new long[x.Rank * positions.Length];
            for (int n = 0; n < positions.Length; n++)
                for (int d = 0; d < x.Rank; d++)
                    result[d * positions.Length + n] = positions[n] / strides[d] % x.Shape![d];
            node.Outputs[0].Constant = Tensor.FromLongs(DataType.Int64, node.Outputs[0].Shape!, result);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var x = ctx.Node.Inputs[0]!;
            ctx.Call("NonZero", new TypeArg[] { x.Type }, ("x", ctx.Input(0)), ("coordinates", ctx.Output(0)), ("count", ctx.OutputCount(0)), ("shape", Arg.Ints(x.Shape!)));
        }
    }
}
