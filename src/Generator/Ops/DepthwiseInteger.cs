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
