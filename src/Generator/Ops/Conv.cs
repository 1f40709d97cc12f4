using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Conv (float, 1-D to 3-D, every attribute). Four strategies: a depthwise convolution (group = C = M, 1-D or 2-D)
    /// becomes a generated method with constant loop bounds, its taps in registers and every output row vectorized (a
    /// padded, phase-split copy of each channel makes strided windows unit-stride); a 1×1 stride-1 unpadded convolution is
    /// one matrix product over [C, pixels]; other stride-1 1-D/2-D convolutions are an implicit GEMM over zero-padded input
    /// rows read through a row-offset table; anything else is im2col into planned scratch plus the register-blocked GEMM.
    /// Bias and a fused activation are applied while the output is written.
    /// </summary>
    public sealed partial class ConvOp : OpDefinition
    {
        public override string OpType => "Conv";

        private sealed class ConvShape
        {
            public int N, C, M, Group;
            /// <summary>X is channels-last [N, H, W, C] (<see cref="Node.InputChannelsLast"/>): only im2col reads it.</summary>
            public bool ChannelsLast;
            public int[] Kernel = Array.Empty<int>();
            public SpatialGeometry G = null!;
            public int K => C / Group * Kernel.Aggregate(1, (a, b) => a * b);
            public int Pixels => G.Output.Aggregate(1, (a, b) => a * b);
            public int InPixels => G.Input.Aggregate(1, (a, b) => a * b);
            public bool IsDepthwise => !ChannelsLast && Group == C && M == C && G.Rank <= 2;
            public bool IsPointwise => !ChannelsLast && Kernel.All(k => k == 1) && G.Strides.All(s => s == 1) && G.PadBegin.All(p => p == 0)
                && G.Output.SequenceEqual(G.Input);

            /// <summary>Stride-1 1-D and 2-D convolutions run as an implicit GEMM over padded input rows (no im2col).</summary>
            public bool IsImplicit => !IsPointwise && !ChannelsLast && G.Rank <= 2 && G.Strides.All(s => s == 1);

            public int RowLength => G.Output[G.Rank - 1] + (Kernel[G.Rank - 1] - 1) * G.Dilations[G.Rank - 1];

            private int KernelH => G.Rank == 2 ? Kernel[0] : 1;

            private int DilationH => G.Rank == 2 ? G.Dilations[0] : 1;

            private int OutHeight => G.Rank == 2 ? G.Output[0] : 1;

            /// <summary>Output rows per implicit block: the padded rows of all channels fill about 256 KB.</summary>
            public int RowsPerBlock
            {
                get
                {
                    int slack = 16 + (Kernel[G.Rank - 1] - 1) * G.Dilations[G.Rank - 1];
                    int perChannel = KernelLayout.Im2ColBlockFloats / (C / Group);
                    int rows = (perChannel - slack) / RowLength - (KernelH - 1) * DilationH;
                    return Math.Max(1, Math.Min(rows, OutHeight));
                }
            }

            /// <summary>
            /// Non-zero when the implicit algorithm gathers each block's im2col matrix (GatherChunk floats per row) from the
            /// padded rows: for narrow outputs, where the (KernelW − 1)·DilationW discarded columns of each padded row would be
            /// a quarter or more of the product, as long as the gathered block stays within the im2col budget.
            /// </summary>
            public int GatherChunk
            {
                get
                {
                    int width = G.Output[G.Rank - 1];
                    int chunk = KernelLayout.RoundUp(RowsPerBlock * width, KernelLayout.PanelWidth);
                    bool narrow = 4 * (RowLength - width) >= width;
                    return narrow && (long)K * chunk <= KernelLayout.Im2ColBlockFloats ? chunk : 0;
                }
            }

            public long ImplicitScratchFloats =>
                K + (long)(C / Group) * ((RowsPerBlock + (KernelH - 1) * DilationH) * RowLength + 16 + (Kernel[G.Rank - 1] - 1) * G.Dilations[G.Rank - 1])
                + (GatherChunk > 0 ? (long)K * GatherChunk + KernelLayout.PanelWidth : (long)(M / Group) * RowsPerBlock * RowLength);
        }

        private static ConvShape Analyze(Node node)
        {
            Require(node.Inputs.Length >= 2 && node.Inputs[0] is not null && node.Inputs[1] is not null, "expects X and W");
            RequireFloat(node, 0);
            RequireFloat(node, 1);
            var x = node.Inputs[0]!.Shape!; var w = node.Inputs[1]!.Shape!;
            if (node.InputChannelsLast)
            {
                Require(x.Length == 4 && node.Attributes.Int("group", 1) == 1, $"a channels-last X {Shapes.Format(x)} must be 2-D [N, H, W, C] with group 1");
                x = new[] { x[0], x[3], x[1], x[2] };
            }
            Require(x.Length >= 3, $"X {Shapes.Format(x)} must have a batch, a channel and at least one spatial axis");
            Require(w.Length == x.Length, $"W {Shapes.Format(w)} must have the rank of X {Shapes.Format(x)}");
            RequireSupported(x.Length <= 5, $"{x.Length - 2}-D convolution (1-D, 2-D and 3-D are supported)");
            long group = node.Attributes.Int("group", 1);
            Require(group > 0, $"group {group} must be positive");
            var s = new ConvShape { N = x[0], C = x[1], M = w[0], Group = (int)group, Kernel = w.Skip(2).ToArray(), ChannelsLast = node.InputChannelsLast };
            Require(s.C == w[1] * group, $"X has {s.C} channels but W {Shapes.Format(w)} with group {group} expects {w[1] * group}");
            Require(s.M % group == 0, $"{s.M} output channels are not divisible by group {group}");
            var ks = node.Attributes.Ints("kernel_shape");
            if (ks is not null)
                Require(ks.Length == s.Kernel.Length && ks.Select(v => (int)v).SequenceEqual(s.Kernel), $"kernel_shape {SpatialGeometry.Format(ks.Select(v => (int)v).ToArray())} does not match W {Shapes.Format(w)}");
            s.G = SpatialGeometry.ForConv(node, x.Skip(2).ToArray(), s.Kernel);
            var b = node.Input(2);
            if (b is not null)
            {
                RequireFloat(node, 2);
                Require(b.Rank == 1 && b.Shape![0] == s.M, $"B {Shapes.Format(b.Shape!)} must be [{s.M}]");
            }
            return s;
        }

        public override void InferShapes(Node node)
        {
            var s = Analyze(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = new[] { s.N, s.M }.Concat(s.G.Output).ToArray();
        }

        public override long Macs(Node node)
        {
            var s = Analyze(node);
            return (long)s.N * s.M * s.Pixels * s.K;
        }

        public override long ScratchBytes(Node node)
        {
            var s = Analyze(node);
            if (node.BinarizedInput) return XnorScratchBytes(s);
            if (s.IsDepthwise)
                return DepthwiseVariantOf(s) switch
                {
                    DepthwiseVariant.Direct => 0,
                    DepthwiseVariant.Flat => 4L * DepthwiseGeometryOf(s).FlatScratchFloats,
                    _ => 4L * DepthwiseGeometryOf(s).PaddedScratchFloats,
                };
            if (UsesSparse(node, s)) return s.IsPointwise ? 0 : 4L * s.K * KernelLayout.ConvChunk(s.K, s.Pixels);
            if (UsesCodebook(node, s)) return CodebookScratchBytes(node, s);
            if (UsesWinograd(node, s)) return 4L * ConvWinograd.ScratchFloats(s.C, s.M, s.G.Output[1], WinogradRows(s));
            if (UsesGemv(node, s)) return 0;
            if (UsesPixelRows(node, s)) return 4L * ((s.IsPointwise ? 0 : (long)s.K * KernelLayout.RoundUp(s.Pixels, KernelLayout.PanelWidth)) + (long)s.Pixels * (s.K + s.M));
            if (s.IsPointwise) return s.Pixels % KernelLayout.PanelWidth == 0 ? 0 : 4L * s.K * KernelLayout.PanelWidth;
            if (s.IsImplicit) return 4L * s.ImplicitScratchFloats;
            return 4L * s.K * KernelLayout.ConvChunk(s.K, s.Pixels);
        }

        /// <summary>
        /// Stride-1 windows up to 3 columns wide read the input directly (their scalar edge columns are cheap); wider or
        /// strided windows go through a padded copy, which the edge columns would otherwise dominate.
        /// </summary>
        private static bool UsesDirectDepthwise(ConvShape s) => s.G.Strides[s.G.Rank - 1] == 1 && s.Kernel[s.Kernel.Length - 1] <= 3;

        /// <summary>
        /// The row variant (direct or padded rows), unless the flat variant needs clearly fewer vector operations: counted
        /// in 16-float vectors (the same on narrower hardware, in proportion), a row variant runs every output row as
        /// full vectors plus one overlapping the row's end (scalar when the row is narrower than 4, or for the direct
        /// variant's edge columns); the flat one runs the whole plane at the padded row length, and pays a copy of every
        /// input row into its padded planes and of every output row out of its staging block.
        /// </summary>
        private static DepthwiseVariant DepthwiseVariantOf(ConvShape s)
        {
            var g = DepthwiseGeometryOf(s);
            bool direct = UsesDirectDepthwise(s);
            static long VectorsPerRow(int n) => n >= 16 ? (n + 15) / 16 : n >= 8 ? (n + 7) / 8 : n >= 4 ? (n + 3) / 4 : n;
            long taps = g.Taps;
            long rowOps = (long)g.OutHeight * VectorsPerRow(g.OutWidth) * taps;
            if (direct) rowOps += (long)g.OutHeight * 2 * taps; // the unrolled scalar edge columns
            else rowOps += g.Height * VectorsPerRow(g.Width) * 2; // the padded copy
            long flatOps = (g.FlatCount + 15) / 16 * taps + 2L * g.OutHeight * VectorsPerRow(g.OutWidth) + 2L * g.Height * VectorsPerRow(g.Width);
            if (g.FlatCount >= 4 && 4 * flatOps < 3 * rowOps) return DepthwiseVariant.Flat;
            return direct ? DepthwiseVariant.Direct : DepthwiseVariant.PaddedRows;
        }

        private static bool UsesWinograd(Node node, ConvShape s) => !s.ChannelsLast && ConvWinograd.Applies(node, s.Group, s.C, s.M, s.Kernel, s.G);

        /// <summary>
        /// Small images whose pixel count leaves a partial 16-column panel (7×7: 49 = 3·16 + 1) run with pixels as GEMM rows and
        /// output channels as columns, so every tile is full; deep enough products amortize the two transposes. Measured on
        /// MobileNetV2's and ResNet18's 7×7 layers it gains from about 256 output channels on (fewer: no gain).
        /// </summary>
        /// <summary>
        /// Constant weights with at most this fraction of non-zeros run as a sparse product (compressed rows). Measured in
        /// SparseConvBenchmarks (256→256 1×1 on 28×28): 10% non-zeros 2.4x faster than the dense kernel, 20% 1.2x, 30%
        /// 0.66x; the sparse kernel loads a row of the input per non-zero, so it does about a quarter of the dense
        /// kernel's work per multiply.
        /// </summary>
        public const double SparseMaxDensity = 0.2;

        /// <summary>
        /// The same for larger kernels, which go through im2col and compete with Winograd (2.25x fewer multiplies): at
        /// 10% non-zeros a 128→128 3×3 on 28×28 was still 1.5x slower than Winograd, so only very sparse ones qualify.
        /// </summary>
        public const double SparseMaxDensityIm2Col = 0.05;

        /// <summary>Ungrouped convolutions with constant, mostly-zero weights (pruned models) skip the zeros.</summary>
        private static bool UsesSparse(Node node, ConvShape s)
        {
            var w = node.Inputs[1]?.Constant;
            if (s.ChannelsLast || s.Group != 1 || s.IsDepthwise || w is null || node.FusedResidual || (long)s.M * s.K < 256) return false;
            var f = w.AsFloats();
            long nonZeros = 0;
            foreach (float v in f) if (v != 0f) nonZeros++;
            return nonZeros <= (s.IsPointwise ? SparseMaxDensity : SparseMaxDensityIm2Col) * f.Length;
        }

        /// <summary>[M, K] weights as compressed rows: the non-zero values, their column indices and each row's start.</summary>
        private static (float[] Values, long[] Columns, long[] RowStarts) CompressedRows(float[] w, int m, int k)
        {
            var values = new List<float>();
            var columns = new List<long>();
            var starts = new long[m + 1];
            for (int i = 0; i < m; i++)
            {
                for (int p = 0; p < k; p++)
                {
                    float v = w[i * k + p];
                    if (v == 0f) continue;
                    values.Add(v);
                    columns.Add(p);
                }
                starts[i + 1] = values.Count;
            }
            return (values.ToArray(), columns.ToArray(), starts);
        }

        /// <summary>A 1×1 convolution of a 1×1 image (a squeeze-and-excitation block's layers) is a matrix-vector product.</summary>
        private static bool UsesGemv(Node node, ConvShape s) => !s.ChannelsLast && s.IsPointwise && s.Pixels == 1 && s.N == 1 && s.Group == 1 && !node.FusedResidual;

        private static bool UsesPixelRows(Node node, ConvShape s) => !s.ChannelsLast && !s.IsDepthwise && s.Group == 1 && node.Inputs[1]?.Constant is not null
            && s.Pixels <= 64 && s.Pixels % KernelLayout.PanelWidth != 0 && s.K >= 64 && s.M >= 256;

        private static int WinogradRows(ConvShape s) => ConvWinograd.TileRowsPerBlock(s.C, s.M, s.G.Output[0], s.G.Output[1]);

        /// <summary>Floats of one group's weights from which they are packed (256 KB).</summary>
        private const long PackedWeightsMinFloats = 64 * 1024;

        /// <summary>Each group's [M/group, K] weights packed as the runtime's Kernels.PackA, one group after another.</summary>
        private static BufferArg PackedWeights(LoweringContext ctx, ConvShape s)
        {
            var wv = ctx.Node.Inputs[1]!;
            var w = wv.Constant!.AsFloats();
            int mg = s.M / s.Group, k = s.K, length = ConvWinograd.PackedALength(mg, k);
            var packed = new float[s.Group * length];
            for (int gi = 0; gi < s.Group; gi++)
                Array.Copy(ConvWinograd.PackA(w, gi * mg * k, mg, k), 0, packed, gi * length, length);
            return ctx.Weight(Tensor.FromFloats(new[] { packed.Length }, packed), wv.Name + "_packed");
        }

        /// <summary>3×3 stride-1 convolutions with enough channels: Winograd F(2×2, 3×3) on weights transformed now.</summary>
        private static void LowerWinograd(LoweringContext ctx, ConvShape s, Arg bias)
        {
            var wv = ctx.Node.Inputs[1]!;
            var u = ConvWinograd.TransformWeights(wv.Constant!.AsFloats(), s.M, s.C);
            var uw = ctx.Weight(Tensor.FromFloats(new[] { u.Length }, u), wv.Name + "_winograd");
            var g = s.G;
            ctx.Call("ConvWinograd", WithResidual(ctx, ("x", ctx.Input(0)), ("u", uw), ("bias", bias), ("y", ctx.Output(0)), ("batch", s.N),
                ("channels", s.C), ("height", g.Input[0]), ("width", g.Input[1]), ("outChannels", s.M), ("outHeight", g.Output[0]), ("outWidth", g.Output[1]),
                ("padTop", g.PadBegin[0]), ("padLeft", g.PadBegin[1]), ("tileRowsPerBlock", WinogradRows(s)), ("activation", KernelLayout.Activation(ctx.Node)),
                ("scratch", ctx.Scratch())));
        }

        /// <summary>A 1-D or 2-D depthwise convolution's geometry with the 1-D case as one row.</summary>
        private static DepthwiseGeometry DepthwiseGeometryOf(ConvShape s)
        {
            var g = s.G;
            bool oneD = g.Rank == 1;
            int last = g.Rank - 1;
            return new DepthwiseGeometry(s.N, s.C,
                oneD ? 1 : g.Input[0], g.Input[last], oneD ? 1 : g.Output[0], g.Output[last],
                oneD ? 1 : g.Kernel[0], g.Kernel[last], oneD ? 1 : g.Strides[0], g.Strides[last],
                oneD ? 1 : g.Dilations[0], g.Dilations[last], oneD ? 0 : g.PadBegin[0], g.PadBegin[last]);
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            Passes.RemoveZeroFilters.Report(ctx);
            var s = Analyze(node);
            BufferArg? bias = ctx.HasInput(2) ? ctx.Input(2) : null;
            if (node.BinarizedInput) { LowerXnor(ctx, s, (Arg?)bias ?? Arg.None); return; }
            if (s.IsDepthwise)
            {
                Require(!node.FusedResidual, "a depthwise convolution cannot take a fused residual");
                var variant = DepthwiseVariantOf(s);
                ctx.Add(new DepthwiseConvCall(ctx.Origin, DepthwiseGeometryOf(s), KernelLayout.Spec(node.FusedActivation), variant,
                    ctx.Input(0), ctx.Input(1), bias, ctx.Output(0), variant == DepthwiseVariant.Direct ? null : ctx.Scratch()));
                return;
            }

            Arg biasArg = (Arg?)bias ?? Arg.None;
            if (UsesSparse(node, s))
            {
                LowerSparse(ctx, s, biasArg);
                return;
            }
            if (UsesCodebook(node, s)) { LowerCodebook(ctx, s, biasArg); return; }
            if (UsesWinograd(node, s))
            {
                LowerWinograd(ctx, s, biasArg);
                return;
            }

            if (UsesGemv(node, s))
            {
                ctx.Call("Gemv", ("a", ctx.Input(1)), ("lda", s.C), ("x", ctx.Input(0)), ("bias", biasArg), ("y", ctx.Output(0)),
                    ("m", s.M), ("k", s.C), ("activation", KernelLayout.Activation(node)));
                return;
            }

            int chunk = s.IsPointwise ? 0 : s.IsImplicit ? s.GatherChunk : KernelLayout.ConvChunk(s.K, s.Pixels);
            int rowsPerBlock = s.IsImplicit ? s.RowsPerBlock : 0;
            var fields = GeometryFields(s, chunk);
            if (rowsPerBlock > 0) fields.Add(("rowsPerBlock", rowsPerBlock));
            if (s.ChannelsLast) fields.Add(("inputChannelsLast", true));
            Arg scratch = ScratchBytes(node) > 0 ? ctx.Scratch() : Arg.None;
            if (UsesPixelRows(node, s))
            {
                // Weights as Wᵀ [K, M] in 16-column panels.
                var wv = node.Inputs[1]!;
                var wf = wv.Constant!.AsFloats();
                var wt = new float[wf.Length];
                for (int o = 0; o < s.M; o++)
                    for (int q = 0; q < s.K; q++)
                        wt[q * s.M + o] = wf[o * s.K + q];
                var packedT = KernelLayout.PackB(wt, s.K, s.M);
                var pw = ctx.Weight(Tensor.FromFloats(new[] { packedT.Length }, packedT), wv.Name + "_pixelrows");
                ctx.Call("ConvPixelRows", WithResidual(ctx, ("x", ctx.Input(0)), ("packedWeights", pw), ("bias", biasArg), ("y", ctx.Output(0)), ("batch", s.N),
                    ("g", Arg.New("ConvGeometry", fields.ToArray())), ("activation", KernelLayout.Activation(node)), ("scratch", scratch)));
                return;
            }
            Arg weights = ctx.Input(1);
            if (node.Inputs[1]!.Constant is not null && (long)(s.M / s.Group) * s.K >= PackedWeightsMinFloats)
            {
                // Large constant weights (streamed from beyond L2 on every run) are packed now so each micro-kernel reads its
                // rows of them as one sequential stream; small ones stay row-major (measured: packing them gains nothing).
                weights = PackedWeights(ctx, s);
                fields.Add(("packedWeights", true));
            }
            ctx.Call("Conv", WithResidual(ctx, ("x", ctx.Input(0)), ("w", weights), ("bias", biasArg), ("y", ctx.Output(0)), ("batch", s.N),
                ("g", Arg.New("ConvGeometry", fields.ToArray())), ("activation", KernelLayout.Activation(node)), ("scratch", scratch)));
        }

        private static void LowerSparse(LoweringContext ctx, ConvShape s, Arg bias)
        {
            var wv = ctx.Node.Inputs[1]!;
            var (values, columns, starts) = CompressedRows(wv.Constant!.AsFloats(), s.M, s.K);
            long weights = (long)s.M * s.K;
            ctx.ReportCompression("sparse rows", weights, values.Length, 4 * weights, 8L * values.Length + 4L * starts.Length);
            var geometry = Arg.New("ConvGeometry", GeometryFields(s, s.IsPointwise ? 0 : KernelLayout.ConvChunk(s.K, s.Pixels)).ToArray());
            ctx.Call("ConvSparse", ("x", ctx.Input(0)),
                ("values", ctx.Weight(Tensor.FromFloats(new[] { values.Length }, values), wv.Name + "_values")),
                ("columns", ctx.Weight(new Tensor(DataType.Int32, new[] { columns.Length }, longs: columns), wv.Name + "_columns")),
                ("rowStarts", ctx.Weight(new Tensor(DataType.Int32, new[] { starts.Length }, longs: starts), wv.Name + "_rows")),
                ("bias", bias), ("y", ctx.Output(0)), ("batch", s.N), ("g", geometry), ("activation", KernelLayout.Activation(ctx.Node)),
                ("scratch", s.IsPointwise ? Arg.None : ctx.Scratch()));
        }

        /// <summary>The runtime ConvGeometry's fields, the spatial axes padded to depth, height, width.</summary>
        private static List<(string, Arg)> GeometryFields(ConvShape s, int chunk)
        {
            var g = s.G;
            int pad = 3 - g.Rank;
            int[] P3(int[] v, int fill) => Enumerable.Repeat(fill, pad).Concat(v).ToArray();
            var input = P3(g.Input, 1); var output = P3(g.Output, 1); var kernel = P3(g.Kernel, 1);
            var strides = P3(g.Strides, 1); var dilations = P3(g.Dilations, 1); var pads = P3(g.PadBegin, 0);
            return new List<(string, Arg)>
            {
                ("channels", s.C), ("depth", input[0]), ("height", input[1]), ("width", input[2]),
                ("outChannels", s.M), ("outDepth", output[0]), ("outHeight", output[1]), ("outWidth", output[2]),
                ("kernelD", kernel[0]), ("kernelH", kernel[1]), ("kernelW", kernel[2]), ("strideD", strides[0]), ("strideH", strides[1]), ("strideW", strides[2]),
                ("dilationD", dilations[0]), ("dilationH", dilations[1]), ("dilationW", dilations[2]), ("padFront", pads[0]), ("padTop", pads[1]), ("padLeft", pads[2]),
                ("groups", s.Group), ("chunk", chunk),
            };
        }

        /// <summary>A kernel's arguments, plus the fused residual (the last input, see Node.FusedResidual) it adds before the activation.</summary>
        private static (string Name, Arg Value)[] WithResidual(LoweringContext ctx, params (string Name, Arg Value)[] arguments) =>
            ctx.Node.FusedResidual ? arguments.Append(("residual", (Arg)ctx.Input(3))).ToArray() : arguments;
    }
}
