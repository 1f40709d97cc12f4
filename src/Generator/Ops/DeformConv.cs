using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// DeformConv (19), 2-D: a convolution whose every kernel tap samples X bilinearly (zero outside the image) at its
    /// regular position plus a learned offset [N, offset_group·kh·kw·2, oh, ow] (dy, dx per tap), optionally scaled by a
    /// mask [N, offset_group·kh·kw, oh, ow]; group, offset_group, strides, pads and dilations. Kernels.DeformConv computes
    /// each tap's corners and weights once per offset group, fills a deformed im2col block of output pixels and runs the GEMM per group.
    /// </summary>
    public sealed class DeformConvOp : OpDefinition
    {
        public override string OpType => "DeformConv";

        private sealed record DeformConvGeometry(int N, int C, int H, int W, int M, int KH, int KW, int OH, int OW, int Group, int OffsetGroup,
            int StrideH, int StrideW, int PadTop, int PadLeft, int DilationH, int DilationW)
        {
            public int Pixels => OH * OW;
            public int K => C / Group * KH * KW;
        }

        private static DeformConvGeometry Describe(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null && node.Input(2) is not null && node.Outputs.Length == 1,
                "expects inputs X, W and offset (B and mask optional) and one output");
            for (int i = 0; i < 5; i++)
                if (node.Input(i) is not null) RequireFloat(node, i);
            var x = node.Inputs[0]!.Shape!;
            var w = node.Inputs[1]!.Shape!;
            RequireSupported(x.Length == 4, $"input X {Shapes.Format(x)}: only 2-D DeformConv (4-D X) is supported");
            Require(w.Length == 4, $"W {Shapes.Format(w)} must be 4-D like X");
            long group = AttributeChecks.Int(node, "group", 1), offsetGroup = AttributeChecks.Int(node, "offset_group", 1);
            Require(group >= 1 && x[1] % group == 0 && w[0] % group == 0, $"group {group} must divide the input channels {x[1]} and the output channels {w[0]}");
            Require(offsetGroup >= 1 && x[1] % offsetGroup == 0, $"offset_group {offsetGroup} must divide the input channels {x[1]}");
            Require(w[1] * group == x[1], $"W {Shapes.Format(w)} needs {x[1] / group} input channels per group");
            int[] Attr(string name, int fallback, int count)
            {
                var v = node.Attributes.Ints(name);
                if (v is null) return Enumerable.Repeat(fallback, count).ToArray();
                Require(v.Length == count, $"{name} has {v.Length} values, expected {count}");
                return v.Select(d => checked((int)d)).ToArray();
            }
            var kernel = Attr("kernel_shape", 0, 2);
            if (node.Attributes.Ints("kernel_shape") is not null)
                Require(kernel[0] == w[2] && kernel[1] == w[3], $"kernel_shape [{kernel[0]}, {kernel[1]}] differs from W {Shapes.Format(w)}");
            var strides = Attr("strides", 1, 2);
            var dilations = Attr("dilations", 1, 2);
            var pads = Attr("pads", 0, 4);
            Require(strides.All(s => s > 0) && dilations.All(d => d > 0) && pads.All(p => p >= 0), "strides and dilations must be positive and pads not negative");
            int oh = (x[2] + pads[0] + pads[2] - dilations[0] * (w[2] - 1) - 1) / strides[0] + 1;
            int ow = (x[3] + pads[1] + pads[3] - dilations[1] * (w[3] - 1) - 1) / strides[1] + 1;
            Require(oh >= 1 && ow >= 1, $"the kernel {w[2]}×{w[3]} does not fit X {Shapes.Format(x)} with its pads and dilations");
            var g = new DeformConvGeometry(x[0], x[1], x[2], x[3], w[0], w[2], w[3], oh, ow, (int)group, (int)offsetGroup,
                strides[0], strides[1], pads[0], pads[1], dilations[0], dilations[1]);
            var offset = node.Inputs[2]!.Shape!;
            int taps = (int)offsetGroup * w[2] * w[3];
            Require(offset.SequenceEqual(new[] { x[0], 2 * taps, oh, ow }), $"offset {Shapes.Format(offset)} must be [{x[0]}, {2 * taps}, {oh}, {ow}]");
            if (node.Input(3) is { } b) Require(b.Shape!.SequenceEqual(new[] { w[0] }), $"B {Shapes.Format(b.Shape!)} must be [{w[0]}]");
            if (node.Input(4) is { } m)
                Require(m.Shape!.SequenceEqual(new[] { x[0], taps, oh, ow }), $"mask {Shapes.Format(m.Shape!)} must be [{x[0]}, {taps}, {oh}, {ow}]");
            return g;
        }

        public override void InferShapes(Node node)
        {
            var g = Describe(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = new[] { g.N, g.M, g.OH, g.OW };
        }

        /// <summary>Output pixels per block: the block's deformed im2col matrix stays within the im2col budget (whole 16-column panels).</summary>
        private static int Chunk(DeformConvGeometry g)
        {
            int rows = g.C * g.KH * g.KW;
            int chunk = System.Math.Max(KernelLayout.PanelWidth, KernelLayout.Im2ColBlockFloats / rows / KernelLayout.PanelWidth * KernelLayout.PanelWidth);
            return System.Math.Min(chunk, g.Pixels);
        }

        /// <summary>As Kernels.DeformConvScratch: the im2col block [C·kh·kw, chunk], a tap table (4 offsets, 4 weights per pixel) and the GEMM's edge panel.</summary>
        private static long ScratchFloats(DeformConvGeometry g) => (long)g.C * g.KH * g.KW * Chunk(g) + 8L * Chunk(g) + 16L * g.K;

        public override long ScratchBytes(Node node) => 4 * ScratchFloats(Describe(node));

        public override long Macs(Node node)
        {
            var g = Describe(node);
            return (long)g.N * g.M * g.Pixels * g.K;
        }

        public override void Lower(LoweringContext ctx)
        {
            var g = Describe(ctx.Node);
            if (ctx.Node.Outputs[0].Length == 0) return;
            ctx.Call("DeformConv", ("x", ctx.Input(0)), ("w", ctx.Input(1)), ("offset", ctx.Input(2)),
                ("bias", ctx.HasInput(3) ? (Arg)ctx.Input(3) : Arg.None), ("mask", ctx.HasInput(4) ? (Arg)ctx.Input(4) : Arg.None), ("y", ctx.Output(0)),
                ("scratch", ctx.Scratch()), ("batch", g.N), ("channels", g.C), ("height", g.H), ("width", g.W), ("outChannels", g.M),
                ("kernelH", g.KH), ("kernelW", g.KW), ("outHeight", g.OH), ("outWidth", g.OW), ("group", g.Group), ("offsetGroup", g.OffsetGroup),
                ("strideH", g.StrideH), ("strideW", g.StrideW), ("padTop", g.PadTop), ("padLeft", g.PadLeft),
                ("dilationH", g.DilationH), ("dilationW", g.DilationW), ("chunk", Chunk(g)));
        }
    }
}
