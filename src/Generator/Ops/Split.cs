using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Split along axis into the outputs: sizes from the split attribute (before opset 13) or constant input (since),
    /// else equal parts; with num_outputs (opset 18) the parts are ceil(dim / n) and the last one takes the rest.
    /// Each output is one strided block copy.
    /// </summary>
    public sealed class SplitOp : OpDefinition
    {
        public override string OpType => "Split";

        private static (int Axis, int[] Sizes) Parts(Node node)
        {
            var x = node.Inputs[0]!;
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), x.Rank);
            int dim = x.Shape![axis], n = node.Outputs.Length;
            long[]? split = node.Opset >= 13 ? OpInputs.ConstantLongs(node, 1, "split") : node.Attributes.Ints("split");
            if (split is not null && split.Length > 0)
            {
                Require(split.Length == n, $"split {OpInputs.Format(split)} has {split.Length} parts for {n} outputs");
                Require(split.All(s => s >= 0) && split.Sum() == dim, $"split {OpInputs.Format(split)} does not add up to {dim}");
                return (axis, split.Select(s => (int)s).ToArray());
            }
            if (node.Opset >= 18 && node.Attributes.Has("num_outputs"))
            {
                long parts = node.Attributes.Int("num_outputs", 0);
                Require(parts == n, $"num_outputs {parts} but the node has {n} outputs");
                int size = (dim + n - 1) / n;
                return (axis, Enumerable.Range(0, n).Select(i => System.Math.Max(0, System.Math.Min(size, dim - i * size))).ToArray());
            }
            Require(dim % n == 0, $"dimension {dim} does not split into {n} equal parts");
            return (axis, Enumerable.Repeat(dim / n, n).ToArray());
        }

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            var (axis, sizes) = Parts(node);
            for (int i = 0; i < sizes.Length; i++)
            {
                var shape = (int[])x.Shape!.Clone();
                shape[axis] = sizes[i];
                node.Outputs[i].Type = x.Type;
                node.Outputs[i].Shape = shape;
            }
        }

        private static MoveProgram Program(Node node, int output)
        {
            var shape = node.Inputs[0]!.Shape!;
            var (axis, sizes) = Parts(node);
            int outer = shape.Take(axis).Aggregate(1, (a, b) => a * b);
            int inner = shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
            int row = shape[axis] * inner, block = sizes[output] * inner;
            int offset = sizes.Take(output).Sum() * inner;
            return new MoveProgram().Copy(0, new Region(offset, 0, new[] { outer, block }, new[] { row, 1 }, new[] { block, 1 }));
        }

        public override (int Input, int Start)? ViewOf(Node node, int output) => Program(node, output).AsView(node.Outputs[output].Length);

        public override bool TryFold(Node node)
        {
            for (int i = 0; i < node.Outputs.Length; i++) node.Outputs[i].Constant = Program(node, i).Fold(node, i);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            for (int i = 0; i < ctx.Node.Outputs.Length; i++)
            {
                var o = ctx.Node.Outputs[i];
                if (o.Consumers.Count == 0 && !o.IsGraphOutput) continue;
                Program(ctx.Node, i).Lower(ctx, i);
            }
        }
    }
}
