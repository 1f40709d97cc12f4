using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// NonZero: the int64 coordinates [rank, count] of the nonzero elements, in row-major order. The output's shape is
    /// the count of nonzero values, so the input must be known at build time; the result is then a constant.
    /// </summary>
    public sealed class NonZeroOp : OpDefinition
    {
        public override string OpType => "NonZero";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null, "needs X");
            var x = node.Inputs[0]!;
            RequireSupported(x.Constant is not null, $"input '{x.Name}' must be known at build time: the output's shape is the count of its nonzero values");
            node.Outputs[0].Type = DataType.Int64;
            node.Outputs[0].Shape = new[] { x.Rank, NonZeroPositions(x.Constant!).Length };
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

        public override void Lower(LoweringContext ctx) =>
            throw new System.InvalidOperationException("NonZero is folded at build time");
    }
}
