using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Transpose by perm (default: reversed axes). At build time unit axes are dropped and axes that stay neighbours
    /// merged; if the innermost axis then stays innermost the result is block copies, otherwise Kernels.Transpose
    /// (tiled over the plane the source's innermost axis and the output's innermost axis span).
    /// </summary>
    public sealed class TransposeOp : OpDefinition
    {
        public override string OpType => "Transpose";

        private static int[] Perm(Node node)
        {
            int rank = node.Inputs[0]!.Rank;
            var raw = node.Attributes.Ints("perm");
            if (raw is null) return Enumerable.Range(0, rank).Reverse().ToArray();
            Require(raw.Length == rank && raw.OrderBy(p => p).SequenceEqual(Enumerable.Range(0, rank).Select(i => (long)i)),
                $"perm {OpInputs.Format(raw)} is not a permutation of {rank} axes");
            return raw.Select(p => (int)p).ToArray();
        }

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = Perm(node).Select(p => x.Shape![p]).ToArray();
        }

        /// <summary>The transpose as one region: output order, source strides permuted.</summary>
        private static Region Move(Node node)
        {
            var strides = Shapes.Strides(node.Inputs[0]!.Shape!);
            var shape = node.Outputs[0].Shape!;
            return new Region(0, 0, shape, Perm(node).Select(p => strides[p]).ToArray(), Shapes.Strides(shape)).Simplify();
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = new MoveProgram().Copy(0, Move(node)).Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var r = Move(ctx.Node);
            int rank = r.Shape.Length;
            if (r.Count == 0) return;
            if (rank == 0 || r.SrcStrides[rank - 1] == 1)
            {
                MoveProgram.LowerCopy(ctx, ctx.Input(0), ctx.Output(0), ctx.Node.Outputs[0].Type, r);
                return;
            }
            ctx.Call("Transpose", new TypeArg[] { ctx.Node.Outputs[0].Type }, ("source", ctx.Input(0)), ("destination", ctx.Output(0)), ("shape", Arg.Ints(r.Shape)), ("strides", Arg.Ints(r.SrcStrides)));
        }
    }
}
