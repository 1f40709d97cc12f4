using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// DepthToSpace: [N, C, H, W] → [N, C/b², H·b, W·b], a reshape to six axes, a transpose and a reshape. DCR (default):
    /// [N, b, b, C/b², H, W] permuted (0, 3, 4, 1, 5, 2); CRD: [N, C/b², b, b, H, W] permuted (0, 1, 4, 2, 5, 3). Lowered
    /// like Transpose: block copies, or Kernels.Transpose when the innermost axis moves.
    /// </summary>
    public sealed class DepthToSpaceOp : OpDefinition
    {
        public override string OpType => "DepthToSpace";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null, "needs input");
            var x = node.Inputs[0]!;
            Require(x.Rank == 4, $"input {Shapes.Format(x.Shape!)} must be [N, C, H, W]");
            int b = SpaceDepth.BlockSize(node);
            Require(x.Shape![1] % (b * b) == 0, $"channels {x.Shape![1]} are not a multiple of blocksize² {b * b}");
            Crd(node);
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = new[] { x.Shape![0], x.Shape![1] / (b * b), x.Shape![2] * b, x.Shape![3] * b };
        }

        private static bool Crd(Node node)
        {
            string mode = node.Attributes.String("mode", "DCR");
            Require(mode is "DCR" or "CRD", $"mode '{mode}' is not DCR or CRD");
            return mode == "CRD";
        }

        private static Region Move(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            int b = SpaceDepth.BlockSize(node), c = x[1] / (b * b);
            return Crd(node)
                ? SpaceDepth.Permuted(new[] { x[0], c, b, b, x[2], x[3] }, new[] { 0, 1, 4, 2, 5, 3 })
                : SpaceDepth.Permuted(new[] { x[0], b, b, c, x[2], x[3] }, new[] { 0, 3, 4, 1, 5, 2 });
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = new MoveProgram().Copy(0, Move(node)).Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx) => SpaceDepth.Lower(ctx, Move(ctx.Node));
    }

    /// <summary>Shared by DepthToSpace and SpaceToDepth: the blocksize and the permutation as one region.</summary>
    internal static class SpaceDepth
    {
        public static int BlockSize(Node node)
        {
            if (!node.Attributes.Has("blocksize")) throw new IrException("needs the blocksize attribute");
            long b = node.Attributes.Int("blocksize", 0);
            if (b < 1 || b > 65536) throw new IrException($"blocksize {b} must be positive");
            return (int)b;
        }

        /// <summary>A tensor of <paramref name="shape"/> read in the order of <paramref name="perm"/> into a contiguous output.</summary>
        public static Region Permuted(int[] shape, int[] perm)
        {
            var strides = Shapes.Strides(shape);
            var output = perm.Select(p => shape[p]).ToArray();
            return new Region(0, 0, output, perm.Select(p => strides[p]).ToArray(), Shapes.Strides(output)).Simplify();
        }

        public static void Lower(LoweringContext ctx, Region r)
        {
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
