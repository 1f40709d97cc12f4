using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Convolutions whose constant weights have few distinct values per output channel (CodebookWeights): the weights are
    /// stored as indices and codebooks. A 1×1 convolution of a 1×1 image is a codebook matrix-vector product
    /// (Kernels.CodebookGemm); any other ungrouped convolution decodes its weights into scratch on every run
    /// (Kernels.CodebookDecode, M·K floats, small next to the M·K·pixels product) and runs the float Conv kernel on them.
    /// </summary>
    public sealed partial class ConvOp
    {
        private static CodebookWeights.Encoding? CodebookOf(Node node, ConvShape s)
        {
            // ConvOp.Lower asks the XNOR path (binarized input) and UsesSparse (pruned weights) before this.
            var w = node.Inputs[1]?.Constant;
            if (w is null || s.ChannelsLast || s.Group != 1 || s.IsDepthwise) return null;
            return CodebookWeights.TryEncode(w.AsFloats(), s.M, s.K);
        }

        private static bool UsesCodebook(Node node, ConvShape s) => CodebookOf(node, s) is not null;

        /// <summary>Scratch of the float Conv kernel's dense paths (pointwise, implicit GEMM, im2col).</summary>
        private static long CodebookConvScratch(ConvShape s) => s.IsPointwise
            ? (s.Pixels % KernelLayout.PanelWidth == 0 ? 0 : 4L * s.K * KernelLayout.PanelWidth)
            : s.IsImplicit ? 4L * s.ImplicitScratchFloats : 4L * s.K * KernelLayout.ConvChunk(s.K, s.Pixels);

        /// <summary>3×3 layers Winograd takes: the decoded weights are transformed on every run (M·C·16 floats, a few % of the layer).</summary>
        private static long WinogradWeightFloats(ConvShape s) => WinogradLayout.Positions * (long)ConvWinograd.PackedALength(s.M, s.C);

        /// <summary>
        /// Winograd needs its weights transformed, on every run for codebook weights: worth it only on large images. On
        /// small ones the transform outweighs the product (XnorBenchmarks' 2-bit 3×3 256→256 on 14×14: 3.7 ms through
        /// Winograd against about 1.1 ms for the float layer), so they decode and run the direct kernels.
        /// </summary>
        public const int CodebookWinogradMinPixels = 1024;

        private static bool CodebookUsesWinograd(Node node, ConvShape s) => UsesWinograd(node, s) && s.Pixels >= CodebookWinogradMinPixels;

        private static long CodebookScratchBytes(Node node, ConvShape s)
        {
            if (UsesGemv(node, s)) return 0;
            if (CodebookUsesWinograd(node, s))
                return ExecutionPlan.Align(4L * WinogradWeightFloats(s)) + ExecutionPlan.Align(4L * s.K)
                    + 4L * ConvWinograd.ScratchFloats(s.C, s.M, s.G.Output[1], WinogradRows(s));
            return ExecutionPlan.Align(4L * s.M * s.K) + CodebookConvScratch(s);
        }

        private static void LowerCodebook(LoweringContext ctx, ConvShape s, Arg bias)
        {
            var node = ctx.Node;
            var e = CodebookOf(node, s)!;
            var name = node.Inputs[1]!.Name;
            if (UsesGemv(node, s))
            {
                CodebookWeights.Lower(ctx, e, ctx.Input(0), 1, s.M, s.K, ctx.Output(0), bias, name);
                return;
            }
            var (codes, books) = CodebookWeights.Weights(ctx, e, name, s.M, s.K);
            if (CodebookUsesWinograd(node, s))
            {
                long uBytes = ExecutionPlan.Align(4L * WinogradWeightFloats(s)), rowBytes = ExecutionPlan.Align(4L * s.K);
                var u = ctx.Scratch(DataType.Float, 0, 4L * WinogradWeightFloats(s));
                ctx.Call("CodebookWinogradWeights", ("codes", codes), ("codebooks", books), ("bits", e.Bits), ("outChannels", s.M), ("channels", s.C),
                    ("u", u), ("row", ctx.Scratch(DataType.Float, uBytes, 4L * s.K)));
                var g = s.G;
                ctx.Call("ConvWinograd", WithResidual(ctx, ("x", ctx.Input(0)), ("u", u), ("bias", bias), ("y", ctx.Output(0)), ("batch", s.N),
                    ("channels", s.C), ("height", g.Input[0]), ("width", g.Input[1]), ("outChannels", s.M), ("outHeight", g.Output[0]), ("outWidth", g.Output[1]),
                    ("padTop", g.PadBegin[0]), ("padLeft", g.PadBegin[1]), ("tileRowsPerBlock", WinogradRows(s)), ("activation", KernelLayout.Activation(node)),
                    ("scratch", ctx.Scratch(DataType.Float, uBytes + rowBytes, 4L * ConvWinograd.ScratchFloats(s.C, s.M, g.Output[1], WinogradRows(s))))));
                return;
            }
            long decodedBytes = 4L * s.M * s.K;
            var decoded = ctx.Scratch(DataType.Float, 0, decodedBytes);
            ctx.Call("CodebookDecode", ("codes", codes), ("codebooks", books), ("bits", e.Bits), ("w", decoded), ("n", s.M), ("k", s.K));
            int chunk = s.IsPointwise ? 0 : s.IsImplicit ? s.GatherChunk : KernelLayout.ConvChunk(s.K, s.Pixels);
            var fields = GeometryFields(s, chunk);
            if (s.IsImplicit) fields.Add(("rowsPerBlock", s.RowsPerBlock));
            long rest = CodebookConvScratch(s);
            Arg scratch = rest > 0 ? ctx.Scratch(DataType.Float, ExecutionPlan.Align(decodedBytes), rest) : Arg.None;
            ctx.Call("Conv", WithResidual(ctx, ("x", ctx.Input(0)), ("w", decoded), ("bias", bias), ("y", ctx.Output(0)), ("batch", s.N),
                ("g", Arg.New("ConvGeometry", fields.ToArray())), ("activation", KernelLayout.Activation(node)), ("scratch", scratch)));
        }
    }
}
