using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// The 8-bit depthwise kernels (runtime Kernels.DepthwiseU8.cs: exact integer sums computed in float on a padded plane
    /// per channel, vectorised over output pixels) for ConvInteger, QLinearConv and DynamicQuantizedConv with
    /// group = channels = output channels, 1-D or 2-D, constant weights with a constant (or no) zero point, at most
    /// <see cref="MaxTaps"/> taps. The weights are stored as floats w − w_zero_point (a few per channel).
    /// </summary>
    internal static class DepthwiseInteger
    {
        /// <summary>Must equal the runtime's Kernels.DepthwiseU8MaxTaps.</summary>
        public const int MaxTaps = 256;

        public static bool Applies(Node node, QuantizedConv s, int wIndex, int wZeroIndex)
        {
            var w = node.Inputs[wIndex]!; var z = node.Input(wZeroIndex);
            return s.Group == s.C && s.M == s.C && s.G.Rank <= 2 && s.Kernel.Aggregate(1, (a, b) => a * b) <= MaxTaps
                && w.Constant is not null && (z is null || z.Constant is not null);
        }

        /// <summary>The runtime's Kernels.DepthwiseU8ScratchFloats.</summary>
        public static long ScratchFloats(QuantizedConv s)
        {
            var g = s.G;
            int last = g.Rank - 1;
            int Extent(int axis) => Math.Max(g.Input[axis] + g.PadBegin[axis], (g.Output[axis] - 1) * g.Strides[axis] + (g.Kernel[axis] - 1) * g.Dilations[axis] + 1);
            long ph = g.Rank == 2 ? Extent(0) : 1, pw = Extent(last);
            int stride = g.Strides[last];
            return ph * stride * ((pw + stride - 1) / stride) + pw;
        }

        /// <summary>A 1-D or 2-D depthwise geometry in the float kernel's terms (1-D as one row).</summary>
        public static DepthwiseGeometry FloatGeometry(QuantizedConv s)
        {
            var g = s.G;
            bool oneD = g.Rank == 1;
            int last = g.Rank - 1;
            return new DepthwiseGeometry(s.N, s.C,
                oneD ? 1 : g.Input[0], g.Input[last], oneD ? 1 : g.Output[0], g.Output[last],
                oneD ? 1 : g.Kernel[0], g.Kernel[last], oneD ? 1 : g.Strides[0], g.Strides[last],
                oneD ? 1 : g.Dilations[0], g.Dilations[last], oneD ? 0 : g.PadBegin[0], g.PadBegin[last]);
        }

        /// <summary>
        /// The float kernel's variant, by the float Conv's rule (Conv.DepthwiseVariantOf): stride-1 windows up to 3 wide read
        /// rows directly, others a padded copy, unless the flat variant needs clearly fewer 16-float vector operations.
        /// </summary>
        public static DepthwiseVariant Variant(DepthwiseGeometry g)
        {
            bool direct = g.StrideW == 1 && g.KernelW <= 3;
            static long VectorsPerRow(int n) => n >= 16 ? (n + 15) / 16 : n >= 8 ? (n + 7) / 8 : n >= 4 ? (n + 3) / 4 : n;
            long taps = g.Taps;
            long rowOps = (long)g.OutHeight * VectorsPerRow(g.OutWidth) * taps;
            if (direct) rowOps += (long)g.OutHeight * 2 * taps;
            else rowOps += g.Height * VectorsPerRow(g.Width) * 2;
            long flatOps = (g.FlatCount + 15) / 16 * taps + 2L * g.OutHeight * VectorsPerRow(g.OutWidth) + 2L * g.Height * VectorsPerRow(g.Width);
            if (g.FlatCount >= 4 && 4 * flatOps < 3 * rowOps) return DepthwiseVariant.Flat;
            return direct ? DepthwiseVariant.Direct : DepthwiseVariant.PaddedRows;
        }

        private static long VariantScratchFloats(DepthwiseGeometry g) => Variant(g) switch
        {
            DepthwiseVariant.Direct => 0,
            DepthwiseVariant.Flat => g.FlatScratchFloats,
            _ => g.PaddedScratchFloats,
        };

        /// <summary>Bytes of scratch of the generated depthwise QLinearConv: one channel centered and summed, and the float kernel's.</summary>
        public static long QLinearScratchBytes(QuantizedConv s)
        {
            var g = FloatGeometry(s);
            return 4 * (DepthwiseQLinearConvCall.ChannelFloats(g) + VariantScratchFloats(g));
        }

        /// <summary>
        /// QLinearConv as a generated method around the float depthwise kernel (Plan/DepthwiseQLinearConvCall): per channel
        /// x − x_zero_point in floats, the float kernel's exact integer sums (at most <see cref="MaxTaps"/> taps keep every
        /// partial sum below 2²⁴), then the int32 bias and the same requantization as the integer kernels.
        /// </summary>
        public static void LowerQLinearConv(LoweringContext ctx, QuantizedConv s, float[] multipliers)
        {
            var node = ctx.Node;
            var g = FloatGeometry(s);
            var variant = Variant(g);
            var perChannel = multipliers.Length == s.C ? multipliers : Enumerable.Repeat(multipliers[0], s.C).ToArray();
            var conv = new DepthwiseConvCall(ctx.Origin, g, null, variant, ctx.Input(0), Weights(ctx, s, 3, 5), null, ctx.Output(0), ctx.Scratch(DataType.Float));
            ctx.Add(new DepthwiseQLinearConvCall(ctx.Origin, conv, node.Inputs[0]!.Type, node.Inputs[7]!.Type, ctx.Input(2),
                ctx.HasInput(8) ? ctx.Input(8) : null, QuantizedMatrix.FloatWeight(ctx, perChannel, node.Outputs[0].Name + "_multiplier"), ctx.Input(7)));
        }

        /// <summary>(w − w_zero_point[m]) as floats, KernelH·KernelW per channel.</summary>
        public static BufferArg Weights(LoweringContext ctx, QuantizedConv s, int wIndex, int wZeroIndex)
        {
            var wv = ctx.Node.Inputs[wIndex]!;
            var w = wv.Constant!.AsLongs();
            var z = QuantizedMatrix.Values(ctx.Node.Input(wZeroIndex));
            int taps = w.Length / s.M;
            var values = new float[w.Length];
            for (int m = 0; m < s.M; m++)
            {
                long zero = z is null ? 0 : z[z.Length == 1 ? 0 : m];
                for (int t = 0; t < taps; t++) values[m * taps + t] = w[m * taps + t] - zero;
            }
            return QuantizedMatrix.FloatWeight(ctx, values, wv.Name + "_depthwise");
        }
    }
}
