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
    public sealed class DepthToSpaceOp : SpaceDepthOp
    {
        public override string OpType => "DepthToSpace";

        protected override int[] OutputShape(Node node, int[] x, int b)
        {
            Require(x[1] % (b * b) == 0, $"channels {x[1]} are not a multiple of blocksize² {b * b}");
            Crd(node);
            return new[] { x[0], x[1] / (b * b), x[2] * b, x[3] * b };
        }

        private static bool Crd(Node node)
        {
            string mode = node.Attributes.String("mode", "DCR");
            Require(mode is "DCR" or "CRD", $"mode '{mode}' is not DCR or CRD");
            return mode == "CRD";
        }

        private protected override Region Move(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            int b = BlockSize(node), c = x[1] / (b * b);
            return Crd(node)
                ? Permuted(new[] { x[0], c, b, b, x[2], x[3] }, new[] { 0, 1, 4, 2, 5, 3 })
                : Permuted(new[] { x[0], b, b, c, x[2], x[3] }, new[] { 0, 3, 4, 1, 5, 2 });
        }
    }

    /// <summary>
    /// DepthToSpace and SpaceToDepth: a rank-4 input, the blocksize, and the op as one permuted region that folds and
    /// lowers as a data move.
    /// </summary>
    public abstract class SpaceDepthOp : OpDefinition
    {
        /// <summary>The output shape of input shape <paramref name="x"/> and blocksize <paramref name="b"/>, after the op's own checks.</summary>
        protected abstract int[] OutputShape(Node node, int[] x, int b);

        /// <summary>The op as one region: the input read in the output's order.</summary>
        private protected abstract Region Move(Node node);

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null, "needs input");
            var x = node.Inputs[0]!;
            Require(x.Rank == 4, $"input {Shapes.Format(x.Shape!)} must be [N, C, H, W]");
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = OutputShape(node, x.Shape!, BlockSize(node));
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = new MoveProgram().Copy(0, Move(node)).Fold(node, 0);
            return true;
        }

        protected static int BlockSize(Node node)
        {
            if (!node.Attributes.Has("blocksize")) throw new IrException("needs the blocksize attribute");
            long b = node.Attributes.Int("blocksize", 0);
            if (b < 1 || b > 65536) throw new IrException($"blocksize {b} must be positive");
            return (int)b;
        }

        /// <summary>A tensor of <paramref name="shape"/> read in the order of <paramref name="perm"/> into a contiguous output.</summary>
        private protected static Region Permuted(int[] shape, int[] perm)
        {
            var strides = Shapes.Strides(shape);
            var output = perm.Select(p => shape[p]).ToArray();
            return new Region(0, 0, output, perm.Select(p => strides[p]).ToArray(), Shapes.Strides(output)).Simplify();
        }

        /// <summary>Block copies, or Kernels.Transpose when the innermost axis moves.</summary>
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
