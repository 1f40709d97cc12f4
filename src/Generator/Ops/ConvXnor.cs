using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Binarized convolutions (XNOR-Net): a Conv marked <see cref="Node.BinarizedInput"/> by
    /// <see cref="ModelGen.Passes.FuseSignIntoConv"/> computes conv(Sign(x), W) with W = ±α_m per output channel on bits:
    /// the weights are stored as sign bits (1/32 of the float bytes) plus α per channel, and the runtime kernel
    /// (<c>Kernels.ConvXnor</c>) packs Sign(x) into two bit planes and counts with XNOR + popcount.
    /// </summary>
    public sealed partial class ConvOp
    {
        /// <summary>Words per 64 channels and row words as the runtime's Kernels.XnorChannelWords / XnorRowWords.</summary>
        private static int XnorChannelWords(int channels) => (channels + 63) / 64;

        private static int XnorRowWords(int channels, int kernelH, int kernelW) => (kernelH * kernelW * XnorChannelWords(channels) + 3) / 4 * 4;

        private static (int H, int W, int KH, int KW, int OH, int OW) XnorPlane(ConvShape s)
        {
            var g = s.G;
            bool twoD = g.Rank == 2;
            return (twoD ? g.Input[0] : 1, g.Input[g.Rank - 1], twoD ? s.Kernel[0] : 1, s.Kernel[g.Rank - 1], twoD ? g.Output[0] : 1, g.Output[g.Rank - 1]);
        }

        /// <summary>The runtime's Kernels.XnorScratchWords, in bytes.</summary>
        private static long XnorScratchBytes(ConvShape s)
        {
            var (h, w, kh, kw, oh, ow) = XnorPlane(s);
            return 8L * (2L * h * w * XnorChannelWords(s.C) + (long)oh * ow * (2L * XnorRowWords(s.C, kh, kw) + 1));
        }

        /// <summary>
        /// True when <paramref name="w"/> [M, ...] has, per output channel, every value equal to +α or −α (α ≥ 0, finite),
        /// the weights an XNOR convolution stores as sign bits.
        /// </summary>
        public static bool IsBinaryPerChannel(float[] w, int m)
        {
            if (m <= 0 || w.Length % m != 0) return false;
            int per = w.Length / m;
            for (int o = 0; o < m; o++)
            {
                float alpha = Math.Abs(w[o * per]);
                if (float.IsNaN(alpha) || float.IsInfinity(alpha)) return false;
                for (int i = 1; i < per; i++)
                    if (Math.Abs(w[o * per + i]) != alpha) return false;
            }
            return true;
        }

        private static void LowerXnor(LoweringContext ctx, ConvShape s, Arg bias)
        {
            var node = ctx.Node;
            Require(s.Group == 1 && s.G.Rank <= 2 && !s.ChannelsLast, "a binarized convolution must be an ungrouped 1-D or 2-D convolution");
            var wv = node.Inputs[1]!;
            Require(wv.Constant is not null, "a binarized convolution needs constant weights");
            var w = wv.Constant!.AsFloats();
            Require(IsBinaryPerChannel(w, s.M), "a binarized convolution needs weights ±α per output channel");
            var (_, _, kh, kw, _, _) = XnorPlane(s);
            int cw = XnorChannelWords(s.C), rowWords = XnorRowWords(s.C, kh, kw), per = s.C * kh * kw;
            var signs = new long[(long)s.M * rowWords];
            var alpha = new float[s.M];
            for (int o = 0; o < s.M; o++)
            {
                alpha[o] = Math.Abs(w[o * per]);
                for (int c = 0; c < s.C; c++)
                    for (int t = 0; t < kh * kw; t++)
                        if (w[o * per + c * kh * kw + t] < 0f)
                            signs[(long)o * rowWords + t * cw + (c >> 6)] |= 1L << (c & 63);
            }
            long weights = (long)s.M * per;
            ctx.ReportCompression("xnor", weights, weights, 4 * weights, 8L * s.M * rowWords + 4L * s.M);
            ctx.Call("ConvXnor", WithResidual(ctx, ("x", ctx.Input(0)),
                ("signs", ctx.Weight(new Tensor(DataType.Int64, new[] { signs.Length }, longs: signs), wv.Name + "_signs")),
                ("alpha", ctx.Weight(Tensor.FromFloats(new[] { alpha.Length }, alpha), wv.Name + "_alpha")),
                ("bias", bias), ("y", ctx.Output(0)), ("batch", s.N), ("g", Arg.New("ConvGeometry", GeometryFields(s, 0).ToArray())),
                ("activation", KernelLayout.Activation(node)), ("scratch", ctx.Scratch(DataType.Int64))));
        }
    }
}
