using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// ConvInteger (opset 10): x (uint8/int8) and w (uint8/int8) → int32, every Conv attribute (pads and auto_pad, strides,
    /// dilations, group incl. depthwise, 1-D to 3-D). x_zero_point is a scalar (a run-time value is fine: DynamicQuantizeLinear
    /// computes it); w_zero_point a scalar or one per output channel. Padded positions hold x_zero_point, so they add
    /// nothing. Runs as im2col of x − x_zero_point (int16, packed for the integer GEMM) per image and group, times the
    /// weights minus their zero point, widened at build time when constant (Kernels.ConvInteger).
    /// </summary>
    public sealed class ConvIntegerOp : OpDefinition
    {
        public override string OpType => "ConvInteger";

        public override void InferShapes(Node node)
        {
            var s = QuantizedConv.Analyze(node, 0, 1, 2, 3);
            node.Outputs[0].Type = DataType.Int32;
            node.Outputs[0].Shape = s.OutputShape;
        }

        public override long Macs(Node node) => QuantizedConv.Analyze(node, 0, 1, 2, 3).Macs;

        public override long ScratchBytes(Node node)
        {
            var s = QuantizedConv.Analyze(node, 0, 1, 2, 3);
            if (DepthwiseInteger.Applies(node, s, 1, 3)) return 4 * DepthwiseInteger.ScratchFloats(s);
            if (QuantizedConv.UsesQuads(node, 1, 3)) return 2 * QuantizedConv.QuadScratchShorts(s, requantize: false);
            return 2 * QuantizedMatrix.ConvScratchShorts(s, QuantizedConv.WidensW(node, 1, 3), requantize: false);
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var s = QuantizedConv.Analyze(node, 0, 1, 2, 3);
            if (DepthwiseInteger.Applies(node, s, 1, 3))
            {
                ctx.Call("DepthwiseConvInteger", new TypeArg[] { node.Inputs[0]!.Type }, ("x", ctx.Input(0)), ("xZeroPoint", QuantizedMatrix.OptionalInput(ctx, 2)),
                    ("weights", DepthwiseInteger.Weights(ctx, s, 1, 3)), ("y", ctx.Output(0)), ("batch", s.N), ("g", QuantizedConv.Geometry(s)),
                    ("scratch", ctx.Scratch(DataType.Float)));
                return;
            }
            if (QuantizedConv.UsesQuads(node, 1, 3))
            {
                var (quads, sums) = QuantizedConv.QuadWeights(ctx, s, 1);
                ctx.Call("ConvIntegerU8S8", new TypeArg[] { node.Inputs[0]!.Type }, ("x", ctx.Input(0)), ("xZeroPoint", QuantizedMatrix.OptionalInput(ctx, 2)),
                    ("quadW", quads), ("rowSums", sums), ("y", ctx.Output(0)), ("batch", s.N), ("g", QuantizedConv.Geometry(s)), ("scratch", ctx.Scratch(DataType.Int16)));
                return;
            }
            bool widen = QuantizedConv.WidensW(node, 1, 3);
            var types = new TypeArg[] { node.Inputs[0]!.Type, node.Inputs[1]!.Type };
            ctx.Call("ConvInteger", types, ("x", ctx.Input(0)), ("xZeroPoint", QuantizedMatrix.OptionalInput(ctx, 2)),
                ("w", widen ? Arg.None : ctx.Input(1)), ("wZeroPoint", widen ? Arg.None : QuantizedMatrix.OptionalInput(ctx, 3)),
                ("widenedW", widen ? QuantizedConv.WidenedWeights(ctx, s, 1, 3) : Arg.None), ("y", ctx.Output(0)), ("batch", s.N),
                ("g", QuantizedConv.Geometry(s)), ("scratch", ctx.Scratch(DataType.Int16)));
        }
    }

    /// <summary>The convolution geometry ConvInteger and QLinearConv share.</summary>
    internal sealed class QuantizedConv
    {
        public int N, C, M, Group;
        public int[] Kernel = Array.Empty<int>();
        public SpatialGeometry G = null!;
        public int K => C / Group * Kernel.Aggregate(1, (a, b) => a * b);
        public int Pixels => G.Output.Aggregate(1, (a, b) => a * b);
        public long Macs => (long)N * M * Pixels * K;
        public int[] OutputShape => new[] { N, M }.Concat(G.Output).ToArray();

        public static QuantizedConv Analyze(Node node, int xIndex, int wIndex, int xZeroIndex, int wZeroIndex)
        {
            Require(node.Inputs.Length > wIndex && node.Inputs[xIndex] is not null && node.Inputs[wIndex] is not null, "expects x and w");
            var tx = QuantizedMatrix.RequireInt8(node, xIndex, "x");
            var tw = QuantizedMatrix.RequireInt8(node, wIndex, "w");
            var x = node.Inputs[xIndex]!.Shape!; var w = node.Inputs[wIndex]!.Shape!;
            Require(x.Length >= 3, $"x {Shapes.Format(x)} must have a batch, a channel and at least one spatial axis");
            Require(w.Length == x.Length, $"w {Shapes.Format(w)} must have the rank of x {Shapes.Format(x)}");
            if (x.Length > 5) throw new UnsupportedException($"{x.Length - 2}-D convolution (1-D, 2-D and 3-D are supported)");
            long group = node.Attributes.Int("group", 1);
            Require(group > 0, $"group {group} must be positive");
            var s = new QuantizedConv { N = x[0], C = x[1], M = w[0], Group = (int)group, Kernel = w.Skip(2).ToArray() };
            Require(s.C == w[1] * group, $"x has {s.C} channels but w {Shapes.Format(w)} with group {group} expects {w[1] * group}");
            Require(s.M % group == 0, $"{s.M} output channels are not divisible by group {group}");
            var ks = node.Attributes.Ints("kernel_shape");
            if (ks is not null)
                Require(ks.Length == s.Kernel.Length && ks.Select(v => (int)v).SequenceEqual(s.Kernel), $"kernel_shape does not match w {Shapes.Format(w)}");
            s.G = SpatialGeometry.ForConv(node, x.Skip(2).ToArray(), s.Kernel);
            var xz = QuantizedMatrix.ZeroPoint(node, xZeroIndex, tx, 1, "x_zero_point", "");
            QuantizedMatrix.ZeroPoint(node, wZeroIndex, tw, s.M, "w_zero_point", "per output channel");
            return s;
        }

        private static void Require(bool condition, string message)
        {
            if (!condition) throw new IrException(message);
        }

        /// <summary>Constant weights with a constant (or no) zero point are widened at build time.</summary>
        public static bool WidensW(Node node, int wIndex, int wZeroIndex) =>
            node.Inputs[wIndex]!.Constant is not null && (node.Input(wZeroIndex) is null || node.Input(wZeroIndex)!.Constant is not null);

        public static BufferArg WidenedWeights(LoweringContext ctx, QuantizedConv s, int wIndex, int wZeroIndex)
        {
            var wv = ctx.Node.Inputs[wIndex]!;
            var wide = QuantizedMatrix.WidenRows(wv.Constant!.AsLongs(), s.M, s.K, QuantizedMatrix.Values(ctx.Node.Input(wZeroIndex)));
            return QuantizedMatrix.Int16Weight(ctx, wide, wv.Name + "_widened");
        }

        /// <summary>
        /// The uint8 × int8 quad path (Kernels.ConvU8S8.cs) applies: constant int8 weights whose zero point is absent or all 0,
        /// or uint8 weights whose zero points are all 128 (<see cref="QuantizedMatrix.IsSignedQuadWeight"/>).
        /// </summary>
        public static bool UsesQuads(Node node, int wIndex, int wZeroIndex)
        {
            // Depthwise layers take DepthwiseInteger's kernel before this is asked (ConvInteger, QLinearConv, DynamicQuantizedConv).
            return QuantizedMatrix.IsSignedQuadWeight(node, wIndex, wZeroIndex);
        }

        /// <summary>
        /// Kernels.ConvU8S8ScratchShorts: correction, taps, one block of im2col panels (128 KiB at most) and, unless the
        /// convolution is 1×1, stride 1 and unpadded, the padded planes with 16 bytes of slack. The same with or without requantization.
        /// </summary>
        public static long QuadScratchShorts(QuantizedConv s, bool requantize)
        {
            _ = requantize;
            int k = s.K, pixels = s.Pixels, kQuads = (k + 3) / 4;
            var g = s.G;
            long padded = 1;
            bool direct = true;
            for (int i = 0; i < g.Rank; i++)
            {
                padded *= Math.Max(g.Input[i] + g.PadBegin[i], (g.Output[i] - 1) * g.Strides[i] + (g.Kernel[i] - 1) * g.Dilations[i] + 1);
                direct &= g.Kernel[i] == 1 && g.Strides[i] == 1 && g.PadBegin[i] == 0 && g.Output[i] == g.Input[i];
            }
            long blockPanels = Math.Max(1, Math.Min(128 * 1024 / (64 * kQuads), (pixels + QuantizedMatrix.PanelWidth - 1) / QuantizedMatrix.PanelWidth));
            long bytes = 4L * s.M + 4L * k + 64L * kQuads * blockPanels + (direct ? 0 : (long)(s.C / s.Group) * padded + 16);
            return (bytes + 1) / 2;
        }

        /// <summary>
        /// The weights as int8 rows of 4·⌈K/4⌉ bytes (K zero-padded) and their row sums, as the quad kernels read them;
        /// reports the layer (MG0302, "int8": one byte a weight).
        /// </summary>
        public static (BufferArg Quads, BufferArg Sums) QuadWeights(LoweringContext ctx, QuantizedConv s, int wIndex)
        {
            var wv = ctx.Node.Inputs[wIndex]!;
            var w = QuantizedMatrix.SignedQuadValues(wv);
            int k = s.K, stride = 4 * ((k + 3) / 4);
            var quads = new long[s.M * stride];
            var sums = new long[s.M];
            for (int m = 0; m < s.M; m++)
                for (int p = 0; p < k; p++)
                {
                    quads[m * stride + p] = w[m * k + p];
                    sums[m] += w[m * k + p];
                }
            long weights = (long)s.M * k;
            ctx.ReportCompression("int8", weights, weights, 4 * weights, weights + 4L * s.M);
            return (ctx.Weight(Tensor.FromLongs(DataType.Int8, new[] { quads.Length }, quads), wv.Name + "_quads"),
                ctx.Weight(Tensor.FromLongs(DataType.Int32, new[] { s.M }, sums), wv.Name + "_row_sums"));
        }

        /// <summary>Runtime ConvGeometry, spatial axes padded to depth, height, width.</summary>
        public static Arg Geometry(QuantizedConv s)
        {
            var g = s.G;
            int pad = 3 - g.Rank;
            int[] P3(int[] v, int fill) => Enumerable.Repeat(fill, pad).Concat(v).ToArray();
            var input = P3(g.Input, 1); var output = P3(g.Output, 1); var kernel = P3(g.Kernel, 1);
            var strides = P3(g.Strides, 1); var dilations = P3(g.Dilations, 1); var pads = P3(g.PadBegin, 0);
            return Arg.New("ConvGeometry",
                ("channels", s.C), ("depth", input[0]), ("height", input[1]), ("width", input[2]),
                ("outChannels", s.M), ("outDepth", output[0]), ("outHeight", output[1]), ("outWidth", output[2]),
                ("kernelD", kernel[0]), ("kernelH", kernel[1]), ("kernelW", kernel[2]), ("strideD", strides[0]), ("strideH", strides[1]), ("strideW", strides[2]),
                ("dilationD", dilations[0]), ("dilationH", dilations[1]), ("dilationW", dilations[2]), ("padFront", pads[0]), ("padTop", pads[1]), ("padLeft", pads[2]),
                ("groups", s.Group), ("chunk", 0));
        }
    }
}
