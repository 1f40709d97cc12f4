using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Emit;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Conv (float, 1-D to 3-D, every attribute). Five strategies: a depthwise convolution (group = C = M, 1-D or 2-D)
    /// becomes a generated method with constant loop bounds, its taps in registers and every output row vectorized (a
    /// padded, phase-split copy of each channel makes strided windows unit-stride); a 1×1 stride-1 unpadded convolution is
    /// one matrix product over [C, pixels]; a 3×3 stride-1 convolution with enough channels and pixels runs Winograd
    /// F(2×2, 3×3) on weights transformed at build time (<see cref="ConvWinograd"/>); small images (at most 64 pixels, not
    /// a multiple of 16) multiply with pixels as rows and channels as columns (Kernels.ConvPixelRows); other stride-1 1-D/2-D convolutions are an implicit GEMM over zero-padded input
    /// rows read through a row-offset table; anything else is im2col into planned scratch plus the register-blocked GEMM.
    /// Bias and a fused activation are applied while the output is written.
    /// </summary>
    public sealed class Conv : OpDefinition
    {
        public override string OpType => "Conv";

        private sealed class Shape
        {
            public int N, C, M, Group;
            public int[] Kernel = Array.Empty<int>();
            public SpatialGeometry G = null!;
            public int K => C / Group * Kernel.Aggregate(1, (a, b) => a * b);
            public int Pixels => G.Output.Aggregate(1, (a, b) => a * b);
            public int InPixels => G.Input.Aggregate(1, (a, b) => a * b);
            public bool IsDepthwise => Group == C && M == C && G.Rank <= 2;
            public bool IsPointwise => Kernel.All(k => k == 1) && G.Strides.All(s => s == 1) && G.PadBegin.All(p => p == 0)
                && G.Output.SequenceEqual(G.Input);

            /// <summary>Stride-1 1-D and 2-D convolutions run as an implicit GEMM over padded input rows (no im2col).</summary>
            public bool IsImplicit => !IsPointwise && G.Rank <= 2 && G.Strides.All(s => s == 1);

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
                    int perChannel = KernelEmit.Im2ColBlockFloats / (C / Group);
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
                    int chunk = KernelEmit.RoundUp(RowsPerBlock * width, KernelEmit.PanelWidth);
                    bool narrow = 4 * (RowLength - width) >= width;
                    return narrow && (long)K * chunk <= KernelEmit.Im2ColBlockFloats ? chunk : 0;
                }
            }

            public long ImplicitScratchFloats =>
                K + (long)(C / Group) * ((RowsPerBlock + (KernelH - 1) * DilationH) * RowLength + 16 + (Kernel[G.Rank - 1] - 1) * G.Dilations[G.Rank - 1])
                + (GatherChunk > 0 ? (long)K * GatherChunk + KernelEmit.PanelWidth : (long)(M / Group) * RowsPerBlock * RowLength);
        }

        private static Shape Analyze(Node node)
        {
            Require(node.Inputs.Length >= 2 && node.Inputs[0] is not null && node.Inputs[1] is not null, "expects X and W");
            RequireFloat(node, 0);
            RequireFloat(node, 1);
            var x = node.Inputs[0]!.Shape!; var w = node.Inputs[1]!.Shape!;
            Require(x.Length >= 3, $"X {Shapes.Format(x)} must have a batch, a channel and at least one spatial axis");
            Require(w.Length == x.Length, $"W {Shapes.Format(w)} must have the rank of X {Shapes.Format(x)}");
            RequireSupported(x.Length <= 5, $"{x.Length - 2}-D convolution (1-D, 2-D and 3-D are supported)");
            long group = node.Attributes.Int("group", 1);
            Require(group > 0, $"group {group} must be positive");
            var s = new Shape { N = x[0], C = x[1], M = w[0], Group = (int)group, Kernel = w.Skip(2).ToArray() };
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
            if (s.IsDepthwise) return UsesDirectDepthwise(s) ? 0 : 4L * new PaddedDepthwiseWriter(s, null, false).ScratchFloats;
            if (UsesWinograd(node, s)) return 4L * ConvWinograd.ScratchFloats(s.C, s.M, s.G.Output[1], WinogradRows(s));
            if (UsesPixelRows(node, s)) return 4L * ((s.IsPointwise ? 0 : (long)s.K * KernelEmit.RoundUp(s.Pixels, KernelEmit.PanelWidth)) + (long)s.Pixels * (s.K + s.M));
            if (s.IsPointwise) return s.Pixels % KernelEmit.PanelWidth == 0 ? 0 : 4L * s.K * KernelEmit.PanelWidth;
            if (s.IsImplicit) return 4L * s.ImplicitScratchFloats;
            return 4L * s.K * KernelEmit.ConvChunk(s.K, s.Pixels);
        }

        /// <summary>
        /// Stride-1 windows up to 3 columns wide read the input directly (their scalar edge columns are cheap); wider or
        /// strided windows go through a padded copy, which the edge columns would otherwise dominate.
        /// </summary>
        private static bool UsesDirectDepthwise(Shape s) => s.G.Strides[s.G.Rank - 1] == 1 && s.Kernel[s.Kernel.Length - 1] <= 3;

        private static bool UsesWinograd(Node node, Shape s) => ConvWinograd.Applies(node, s.Group, s.C, s.M, s.Kernel, s.G);

        /// <summary>
        /// Small images whose pixel count leaves a partial 16-column panel (7×7: 49 = 3·16 + 1) run with pixels as GEMM rows and
        /// output channels as columns, so every tile is full; deep enough products amortize the two transposes. Measured on
        /// MobileNetV2's and ResNet18's 7×7 layers it gains from about 256 output channels on (fewer: no gain).
        /// </summary>
        private static bool UsesPixelRows(Node node, Shape s) => !s.IsDepthwise && s.Group == 1 && node.Inputs[1]?.Constant is not null
            && s.Pixels <= 64 && s.Pixels % KernelEmit.PanelWidth != 0 && s.K >= 64 && s.M >= 256;

        private static int WinogradRows(Shape s) => ConvWinograd.TileRowsPerBlock(s.C, s.M, s.G.Output[0], s.G.Output[1]);

        /// <summary>Floats of one group's weights from which they are packed (256 KB).</summary>
        private const long PackedWeightsMinFloats = 64 * 1024;

        /// <summary>Each group's [M/group, K] weights packed as the runtime's Kernels.PackA, one group after another.</summary>
        private static string PackedWeights(EmitContext ctx, Shape s)
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
        private static void EmitWinograd(EmitContext ctx, Shape s, string bias)
        {
            var wv = ctx.Node.Inputs[1]!;
            var u = ConvWinograd.TransformWeights(wv.Constant!.AsFloats(), s.M, s.C);
            string uw = ctx.Weight(Tensor.FromFloats(new[] { u.Length }, u), wv.Name + "_winograd");
            var g = s.G;
            string I(int v) => KernelEmit.I(v);
            ctx.Code.Line($"{EmitContext.Runtime}.Kernels.ConvWinograd({ctx.Input(0)}, {uw}, {bias}, {ctx.Output(0)}, {I(s.N)}, " +
                $"{I(s.C)}, {I(g.Input[0])}, {I(g.Input[1])}, {I(s.M)}, {I(g.Output[0])}, {I(g.Output[1])}, {I(g.PadBegin[0])}, {I(g.PadBegin[1])}, " +
                $"{I(WinogradRows(s))}, {KernelEmit.Activation(ctx.Node)}, {ctx.Scratch()});");
        }

        public override void Emit(EmitContext ctx)
        {
            var node = ctx.Node;
            var s = Analyze(node);
            string bias = ctx.HasInput(2) ? ctx.Input(2) : "default";
            if (s.IsDepthwise)
            {
                if (UsesDirectDepthwise(s))
                {
                    string direct = ctx.AddMethod("DepthwiseConv", new DirectDepthwiseWriter(s, node.FusedActivation, ctx.HasInput(2)).Write);
                    ctx.Code.Line($"{direct}({ctx.Input(0)}, {ctx.Input(1)}, {bias}, {ctx.Output(0)});");
                    return;
                }
                string padded = ctx.AddMethod("DepthwiseConv", new PaddedDepthwiseWriter(s, node.FusedActivation, ctx.HasInput(2)).Write);
                ctx.Code.Line($"{padded}({ctx.Input(0)}, {ctx.Input(1)}, {bias}, {ctx.Output(0)}, {ctx.Scratch()});");
                return;
            }

            if (UsesWinograd(node, s))
            {
                EmitWinograd(ctx, s, bias);
                return;
            }

            // Pad the spatial axes to depth, height, width.
            var g = s.G;
            int pad = 3 - g.Rank;
            int[] P3(int[] v, int fill) => Enumerable.Repeat(fill, pad).Concat(v).ToArray();
            var input = P3(g.Input, 1); var output = P3(g.Output, 1); var kernel = P3(g.Kernel, 1);
            var strides = P3(g.Strides, 1); var dilations = P3(g.Dilations, 1); var pads = P3(g.PadBegin, 0);
            int chunk = s.IsPointwise ? 0 : s.IsImplicit ? s.GatherChunk : KernelEmit.ConvChunk(s.K, s.Pixels);
            int rowsPerBlock = s.IsImplicit ? s.RowsPerBlock : 0;
            string I(int v) => KernelEmit.I(v);
            string geometry = $"new {EmitContext.Runtime}.ConvGeometry(channels: {I(s.C)}, depth: {I(input[0])}, height: {I(input[1])}, width: {I(input[2])}, " +
                $"outChannels: {I(s.M)}, outDepth: {I(output[0])}, outHeight: {I(output[1])}, outWidth: {I(output[2])}, " +
                $"kernelD: {I(kernel[0])}, kernelH: {I(kernel[1])}, kernelW: {I(kernel[2])}, strideD: {I(strides[0])}, strideH: {I(strides[1])}, strideW: {I(strides[2])}, " +
                $"dilationD: {I(dilations[0])}, dilationH: {I(dilations[1])}, dilationW: {I(dilations[2])}, padFront: {I(pads[0])}, padTop: {I(pads[1])}, padLeft: {I(pads[2])}, " +
                $"groups: {I(s.Group)}, chunk: {I(chunk)}" + (rowsPerBlock > 0 ? $", rowsPerBlock: {I(rowsPerBlock)})" : ")");
            string scratch = ScratchBytes(node) > 0 ? ctx.Scratch() : "default";
            if (UsesPixelRows(node, s))
            {
                // Weights as Wᵀ [K, M] in 16-column panels.
                var wv = node.Inputs[1]!;
                var wf = wv.Constant!.AsFloats();
                var wt = new float[wf.Length];
                for (int o = 0; o < s.M; o++)
                    for (int q = 0; q < s.K; q++)
                        wt[q * s.M + o] = wf[o * s.K + q];
                var packedT = KernelEmit.PackB(wt, s.K, s.M);
                string pw = ctx.Weight(Tensor.FromFloats(new[] { packedT.Length }, packedT), wv.Name + "_pixelrows");
                ctx.Code.Line($"{EmitContext.Runtime}.Kernels.ConvPixelRows({ctx.Input(0)}, {pw}, {bias}, {ctx.Output(0)}, {I(s.N)}, {geometry}, {KernelEmit.Activation(node)}, {scratch});");
                return;
            }
            string weights = ctx.Input(1);
            if (node.Inputs[1]!.Constant is not null && (long)(s.M / s.Group) * s.K >= PackedWeightsMinFloats)
            {
                // Large constant weights (streamed from beyond L2 on every run) are packed now so each micro-kernel reads its
                // rows of them as one sequential stream; small ones stay row-major (measured: packing them gains nothing).
                weights = PackedWeights(ctx, s);
                geometry = geometry.Substring(0, geometry.Length - 1) + ", packedWeights: true)";
            }
            ctx.Code.Line($"{EmitContext.Runtime}.Kernels.Conv({ctx.Input(0)}, {weights}, {bias}, {ctx.Output(0)}, {I(s.N)}, {geometry}, {KernelEmit.Activation(node)}, {scratch});");
        }

        /// <summary>What both depthwise writers know: the geometry as constants, the fused activation and the bias.</summary>
        private abstract class DepthwiseWriter
        {
            protected const string V512 = "global::System.Runtime.Intrinsics.Vector512";
            protected const string V256 = "global::System.Runtime.Intrinsics.Vector256";
            protected const string V128 = "global::System.Runtime.Intrinsics.Vector128";
            protected const string U = "global::System.Runtime.CompilerServices.Unsafe";
            protected const string MM = "global::System.Runtime.InteropServices.MemoryMarshal";

            protected readonly int _n, _c, _h, _w, _oh, _ow, _kh, _kw, _sh, _sw, _dh, _dw, _pt, _pl;
            protected readonly Activation? _act;
            protected readonly bool _hasBias;

            protected DepthwiseWriter(Shape s, Activation? act, bool hasBias)
            {
                var g = s.G;
                bool oneD = g.Rank == 1;
                _n = s.N; _c = s.C;
                _h = oneD ? 1 : g.Input[0]; _w = g.Input[g.Rank - 1];
                _oh = oneD ? 1 : g.Output[0]; _ow = g.Output[g.Rank - 1];
                _kh = oneD ? 1 : g.Kernel[0]; _kw = g.Kernel[g.Rank - 1];
                _sh = oneD ? 1 : g.Strides[0]; _sw = g.Strides[g.Rank - 1];
                _dh = oneD ? 1 : g.Dilations[0]; _dw = g.Dilations[g.Rank - 1];
                _pt = oneD ? 0 : g.PadBegin[0]; _pl = g.PadBegin[g.Rank - 1];
                _act = act;
                _hasBias = hasBias;
            }

            protected static string I(long v) => KernelEmit.I(v);

            protected int Taps => _kh * _kw;

            protected static int Width(string vector) => vector == V512 ? 16 : vector == V256 ? 8 : 4;

            /// <summary>The channel's kernel taps (w0, w1, ...) and bias as locals, from weights <c>wr</c> and bias <c>br</c>.</summary>
            protected void WriteChannelTaps(SourceWriter w)
            {
                w.Line($"ref float wc = ref {U}.Add(ref wr, c * {I(Taps)});");
                for (int t = 0; t < Taps; t++) w.Line($"float w{t} = {U}.Add(ref wc, {I(t)});");
                w.Line(_hasBias ? $"float bias = {U}.Add(ref br, c);" : "float bias = 0f;");
            }

            /// <summary>
            /// One branch per hardware vector width, each with the widest vector that fits <paramref name="columns"/>
            /// (chosen at build time); branches that would emit the same code as the next are dropped.
            /// </summary>
            protected static void WriteWidthBranches(SourceWriter w, int columns, System.Action<string?> writeRows)
            {
                string? Pick(params string[] vectors)
                {
                    foreach (var vector in vectors) if (columns >= Width(vector)) return vector;
                    return null;
                }
                var branches = new List<(string Condition, string? Vector)>
                {
                    ($"{V512}.IsHardwareAccelerated", Pick(V512, V256, V128)),
                    ($"{V256}.IsHardwareAccelerated", Pick(V256, V128)),
                    ($"{V128}.IsHardwareAccelerated", Pick(V128)),
                    ("true", null),
                };
                for (int i = branches.Count - 2; i >= 0; i--)
                    if (branches[i].Vector == branches[i + 1].Vector) branches.RemoveAt(i);
                for (int i = 0; i < branches.Count; i++)
                {
                    var (condition, vector) = branches[i];
                    bool only = branches.Count == 1;
                    if (!only) w.Open(i == 0 ? $"if ({condition})" : condition == "true" ? "else" : $"else if ({condition})");
                    writeRows(vector);
                    if (!only) w.Close();
                }
            }
        }

        /// <summary>
        /// Writes the specialized depthwise method: every size is a constant. Each channel is first copied with its zero
        /// padding (and, for a column stride s, split into s column phases) by Kernels.PadPlane into scratch, so every
        /// output column of every row runs in the same vector loop with unit-stride loads and no bounds checks; the kernel
        /// taps sit in registers for the whole channel.
        /// </summary>
        private sealed class PaddedDepthwiseWriter : DepthwiseWriter
        {
            public PaddedDepthwiseWriter(Shape s, Activation? act, bool hasBias) : base(s, act, hasBias) { }

            /// <summary>Rows of the padded plane: every row a window reads.</summary>
            private int PaddedRows => Math.Max(_h + _pt, (_oh - 1) * _sh + (_kh - 1) * _dh + 1);

            /// <summary>Columns per phase row: every input column and every column a tap of an output reads.</summary>
            private int RowLength
            {
                get
                {
                    int wp = Math.Max(_w + _pl, (_ow - 1) * _sw + (_kw - 1) * _dw + 1);
                    return Math.Max((wp + _sw - 1) / _sw, _ow + (_kw - 1) * _dw / _sw);
                }
            }

            public int ScratchFloats => _sw * PaddedRows * RowLength;


            public void Write(SourceWriter w, string name)
            {
                w.Line($"/// <summary>Depthwise {I(_kh)}x{I(_kw)} convolution, stride {I(_sh)}x{I(_sw)}, dilation {I(_dh)}x{I(_dw)}, pads {I(_pt)},{I(_pl)}: [{I(_n)},{I(_c)},{I(_h)},{I(_w)}] -> [{I(_n)},{I(_c)},{I(_oh)},{I(_ow)}].</summary>");
                w.Open($"private static void {name}(global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<float> w, global::System.ReadOnlySpan<float> b, global::System.Span<float> y, global::System.Span<float> pad)");
                string biasCheck = _hasBias ? $" || b.Length < {I(_c)}" : "";
                w.Line($"if (x.Length < {I((long)_n * _c * _h * _w)} || w.Length < {I((long)_c * Taps)} || y.Length < {I((long)_n * _c * _oh * _ow)} || pad.Length < {I(ScratchFloats)}{biasCheck}) throw new global::System.ArgumentException(\"Depthwise convolution operand too short.\");");
                w.Line($"ref float wr = ref {MM}.GetReference(w);");
                w.Line($"ref float yr = ref {MM}.GetReference(y);");
                w.Line($"ref float pr = ref {MM}.GetReference(pad);");
                if (_hasBias) w.Line($"ref float br = ref {MM}.GetReference(b);");
                if (_act is not null && _act.Kind is not ("Relu" or "Clip"))
                    w.Line($"var act = new {EmitContext.Runtime}.FusedActivation({EmitContext.Runtime}.ActivationKind.{KernelEmit.Kind(_act)}, {KernelEmit.F(_act.Alpha)}, {KernelEmit.F(_act.Beta)});");
                // The zero borders are the same for every channel: clear once, then copy only each channel's data.
                w.Line($"pad.Slice(0, {I(ScratchFloats)}).Clear();");
                w.Open($"for (int nc = 0; nc < {I((long)_n * _c)}; nc++)");
                w.Line(_n == 1 ? "int c = nc;" : $"int c = nc % {I(_c)};");
                w.Line($"{EmitContext.Runtime}.Kernels.PadPlane(x.Slice(nc * {I(_h * _w)}, {I(_h * _w)}), {I(_h)}, {I(_w)}, {I(_pt)}, {I(_pl)}, {I(_sw)}, {I(PaddedRows)}, {I(RowLength)}, pad, bordersAreZero: true);");
                w.Line($"ref float yc = ref {U}.Add(ref yr, nc * {I(_oh * _ow)});");
                WriteChannelTaps(w);

                // One branch per vector width; each uses the widest vector the output row fits (decided now).
                WriteWidthBranches(w, _ow, vector => WriteRows(w, vector));
                w.Close();
                w.Close();
            }


            /// <summary>The (row, phase) pairs the taps read, and per tap its source name and column offset.</summary>
            private (List<(int Ky, int Phase)> Sources, List<List<(int Tap, string Source, int Offset)>> Chains) Layout()
            {
                var sources = new List<(int, int)>();
                var chains = new List<List<(int, string, int)>>();
                for (int ky = 0; ky < _kh; ky++)
                {
                    var chain = new List<(int, string, int)>();
                    for (int kx = 0; kx < _kw; kx++)
                    {
                        int phase = kx * _dw % _sw, offset = kx * _dw / _sw;
                        if (!sources.Contains((ky, phase))) sources.Add((ky, phase));
                        chain.Add((ky * _kw + kx, $"r{ky}_{phase}", offset));
                    }
                    // One partial sum per kernel row (two for a single row) keeps several FMA chains in flight.
                    if (_kh == 1 && _kw > 2)
                    {
                        chains.Add(chain.Where((_, i) => i % 2 == 0).ToList());
                        chains.Add(chain.Where((_, i) => i % 2 == 1).ToList());
                    }
                    else chains.Add(chain);
                }
                return (sources, chains);
            }

            private void WriteRows(SourceWriter w, string? vector)
            {
                var (sources, chains) = Layout();
                if (vector is not null)
                {
                    w.Line($"var vb = {vector}.Create(bias);");
                    for (int t = 0; t < Taps; t++) w.Line($"var v{t} = {vector}.Create(w{t});");
                }
                w.Open($"for (int oy = 0; oy < {I(_oh)}; oy++)");
                foreach (var (ky, phase) in sources)
                    w.Line($"ref float r{ky}_{phase} = ref {U}.Add(ref pr, ({I(phase * PaddedRows + ky * _dh)} + oy * {I(_sh)}) * {I(RowLength)});");
                w.Line($"ref float yo = ref {U}.Add(ref yc, oy * {I(_ow)});");
                if (vector is null) WriteScalar(w, chains);
                else WriteVector(w, vector, chains);
                w.Close();
            }

            private void WriteScalar(SourceWriter w, List<List<(int Tap, string Source, int Offset)>> chains)
            {
                w.Open($"for (int ox = 0; ox < {I(_ow)}; ox++)");
                for (int ci = 0; ci < chains.Count; ci++)
                {
                    var terms = chains[ci].Select(t => $"w{t.Tap} * {U}.Add(ref {t.Source}, ox + {I(t.Offset)})");
                    w.Line($"float s{ci} = {(ci == 0 ? "bias + " : "")}{string.Join(" + ", terms)};");
                }
                string total = string.Join(" + ", Enumerable.Range(0, chains.Count).Select(i => $"s{i}"));
                w.Line($"{U}.Add(ref yo, ox) = {KernelEmit.ApplyScalar(_act, $"({total})")};");
                w.Close();
            }

            private void WriteVector(SourceWriter w, string vector, List<List<(int Tap, string Source, int Offset)>> chains)
            {
                int width = Width(vector);
                // Two vectors per iteration while they fit, then one, then one more overlapping the end of the row.
                void Body(string ox, int vectors)
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        string at = v == 0 ? ox : $"{ox} + {I(v * width)}";
                        for (int ci = 0; ci < chains.Count; ci++)
                        {
                            w.Line($"var a{v}_{ci} = {(ci == 0 ? "vb" : $"{vector}<float>.Zero")};");
                            foreach (var (tap, source, offset) in chains[ci])
                                w.Line($"a{v}_{ci} = {vector}.MultiplyAddEstimate({vector}.LoadUnsafe(ref {source}, (nuint)({at} + {I(offset)})), v{tap}, a{v}_{ci});");
                        }
                    }
                    for (int v = 0; v < vectors; v++)
                    {
                        string at = v == 0 ? ox : $"{ox} + {I(v * width)}";
                        string sum = string.Join(" + ", Enumerable.Range(0, chains.Count).Select(ci => $"a{v}_{ci}"));
                        w.Line($"{vector}.StoreUnsafe({KernelEmit.ApplyVector(_act, vector, $"({sum})")}, ref yo, (nuint)({at}));");
                    }
                }
                w.Line("int ox = 0;");
                if (_ow >= 2 * width)
                {
                    w.Open($"for (; ox <= {I(_ow - 2 * width)}; ox += {I(2 * width)})");
                    Body("ox", 2);
                    w.Close();
                }
                w.Open($"for (; ox <= {I(_ow - width)}; ox += {I(width)})");
                Body("ox", 1);
                w.Close();
                if (_ow % width != 0)
                {
                    w.Open("// The last vector ends at the row's end, overlapping outputs already written.");
                    w.Line($"ox = {I(_ow - width)};");
                    Body("ox", 1);
                    w.Close();
                }
            }
        }

        /// <summary>
        /// Writes the specialized depthwise method for stride 1 and kernels up to 3 wide: every size is a constant, the
        /// interior of each row is vectorized straight from the input, and the few edge columns are unrolled scalar code with
        /// constant indices (rows above and below the image read a zero row).
        /// </summary>
        private sealed class DirectDepthwiseWriter : DepthwiseWriter
        {
            public DirectDepthwiseWriter(Shape s, Activation? act, bool hasBias) : base(s, act, hasBias) { }


            /// <summary>Output columns [Lo, Hi) read only columns inside the input for every tap.</summary>
            private (int Lo, int Hi) Interior()
            {
                int lo = _pl <= 0 ? 0 : (_pl + _sw - 1) / _sw;
                int last = _w - 1 + _pl - (_kw - 1) * _dw;
                int hi = last < 0 ? 0 : Math.Min(_ow, last / _sw + 1);
                lo = Math.Min(lo, _ow);
                return (lo, Math.Max(lo, hi));
            }

            private bool RowsAlwaysValid()
            {
                for (int oy = 0; oy < _oh; oy++)
                    for (int ky = 0; ky < _kh; ky++)
                    {
                        int iy = oy * _sh - _pt + ky * _dh;
                        if (iy < 0 || iy >= _h) return false;
                    }
                return true;
            }

            public void Write(SourceWriter w, string name)
            {
                w.Line($"/// <summary>Depthwise {I(_kh)}x{I(_kw)} convolution, stride {I(_sh)}x{I(_sw)}, dilation {I(_dh)}x{I(_dw)}, pads {I(_pt)},{I(_pl)}: [{I(_n)},{I(_c)},{I(_h)},{I(_w)}] -> [{I(_n)},{I(_c)},{I(_oh)},{I(_ow)}].</summary>");
                w.Open($"private static void {name}(global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<float> w, global::System.ReadOnlySpan<float> b, global::System.Span<float> y)");
                string biasCheck = _hasBias ? $" || b.Length < {I(_c)}" : "";
                w.Line($"if (x.Length < {I((long)_n * _c * _h * _w)} || w.Length < {I((long)_c * Taps)} || y.Length < {I((long)_n * _c * _oh * _ow)}{biasCheck}) throw new global::System.ArgumentException(\"Depthwise convolution operand too short.\");");
                w.Line($"ref float xr = ref {MM}.GetReference(x);");
                w.Line($"ref float wr = ref {MM}.GetReference(w);");
                w.Line($"ref float yr = ref {MM}.GetReference(y);");
                if (_hasBias) w.Line($"ref float br = ref {MM}.GetReference(b);");
                bool rowsValid = RowsAlwaysValid();
                if (!rowsValid)
                {
                    // Rows above and below the image read this zero row, so the taps stay the same on every row.
                    w.Line($"global::System.Span<float> zeroRow = stackalloc float[{I(_w)}];");
                    w.Line("zeroRow.Clear();");
                    w.Line($"ref float zr = ref {MM}.GetReference(zeroRow);");
                }
                if (_act is not null && _act.Kind is not ("Relu" or "Clip"))
                    w.Line($"var act = new {EmitContext.Runtime}.FusedActivation({EmitContext.Runtime}.ActivationKind.{KernelEmit.Kind(_act)}, {KernelEmit.F(_act.Alpha)}, {KernelEmit.F(_act.Beta)});");
                w.Open($"for (int nc = 0; nc < {I((long)_n * _c)}; nc++)");
                w.Line(_n == 1 ? "int c = nc;" : $"int c = nc % {I(_c)};");
                w.Line($"ref float xc = ref {U}.Add(ref xr, nc * {I(_h * _w)});");
                w.Line($"ref float yc = ref {U}.Add(ref yr, nc * {I(_oh * _ow)});");
                WriteChannelTaps(w);

                // One branch per vector width; each uses the widest vector its interior fits (decided now). Strided rows
                // have no contiguous interior to vectorize.
                var (lo, hi) = Interior();
                WriteWidthBranches(w, _sw == 1 ? hi - lo : 0, vector => WriteRows(w, vector, rowsValid, lo, hi));
                w.Close();
                w.Close();
            }


            private void WriteRows(SourceWriter w, string? vector, bool rowsValid, int lo, int hi)
            {
                if (vector is not null)
                {
                    w.Line($"var vb = {vector}.Create(bias);");
                    for (int t = 0; t < Taps; t++) w.Line($"var v{t} = {vector}.Create(w{t});");
                }
                w.Open($"for (int oy = 0; oy < {I(_oh)}; oy++)");
                w.Line($"int iy = oy * {I(_sh)} - {I(_pt)};");
                for (int ky = 0; ky < _kh; ky++)
                {
                    string row = $"iy + {I(ky * _dh)}";
                    if (rowsValid) w.Line($"ref float r{ky} = ref {U}.Add(ref xc, ({row}) * {I(_w)});");
                    else w.Line($"ref float r{ky} = ref (uint)({row}) < {I(_h)}u ? ref {U}.Add(ref xc, ({row}) * {I(_w)}) : ref zr;");
                }
                w.Line($"ref float yo = ref {U}.Add(ref yc, oy * {I(_ow)});");

                WriteEdgeColumns(w, 0, lo);
                if (hi > lo)
                {
                    if (vector is null) WriteScalarInterior(w, lo, hi);
                    else WriteVectorInterior(w, vector, lo, hi);
                }
                WriteEdgeColumns(w, hi, _ow);
                w.Close();
            }

            /// <summary>Columns whose window leaves the image: unrolled with constant indices, or a checked loop when many.</summary>
            private void WriteEdgeColumns(SourceWriter w, int from, int to)
            {
                if (to <= from) return;
                if (to - from <= 8)
                {
                    for (int ox = from; ox < to; ox++)
                    {
                        var terms = new List<string>();
                        for (int ky = 0; ky < _kh; ky++)
                            for (int kx = 0; kx < _kw; kx++)
                            {
                                int ix = ox * _sw - _pl + kx * _dw;
                                if (ix >= 0 && ix < _w) terms.Add($"w{ky * _kw + kx} * {U}.Add(ref r{ky}, {I(ix)})");
                            }
                        string sum = terms.Count == 0 ? "bias" : "bias + " + string.Join(" + ", terms);
                        w.Line($"{U}.Add(ref yo, {I(ox)}) = {KernelEmit.ApplyScalar(_act, $"({sum})")};");
                    }
                    return;
                }
                w.Open($"for (int ox = {I(from)}; ox < {I(to)}; ox++)");
                w.Line("float s = bias;");
                w.Line($"int ix0 = ox * {I(_sw)} - {I(_pl)};");
                for (int ky = 0; ky < _kh; ky++)
                    for (int kx = 0; kx < _kw; kx++)
                        w.Line($"if ((uint)(ix0 + {I(kx * _dw)}) < {I(_w)}u) s += w{ky * _kw + kx} * {U}.Add(ref r{ky}, ix0 + {I(kx * _dw)});");
                w.Line($"{U}.Add(ref yo, ox) = {KernelEmit.ApplyScalar(_act, "s")};");
                w.Close();
            }

            /// <summary>Independent partial sums per vector: one per kernel row (or two for a single row), summed at the end.</summary>
            private List<List<(int Tap, int Offset, int Row)>> Chains()
            {
                var chains = new List<List<(int, int, int)>>();
                for (int ky = 0; ky < _kh; ky++)
                {
                    var taps = Enumerable.Range(0, _kw).Select(kx => (ky * _kw + kx, kx * _dw - _pl, ky)).ToList();
                    if (_kh == 1 && _kw > 2)
                    {
                        chains.Add(taps.Where((_, i) => i % 2 == 0).ToList());
                        chains.Add(taps.Where((_, i) => i % 2 == 1).ToList());
                    }
                    else chains.Add(taps);
                }
                return chains;
            }

            private void WriteScalarInterior(SourceWriter w, int lo, int hi)
            {
                w.Open($"for (int ox = {I(lo)}; ox < {I(hi)}; ox++)");
                w.Line($"ref float xo = ref {U}.Add(ref r0, ox * {I(_sw)});");
                var chains = Chains();
                for (int ci = 0; ci < chains.Count; ci++)
                {
                    var chain = chains[ci];
                    string Term((int Tap, int Offset, int Row) t) =>
                        $"w{t.Tap} * {U}.Add(ref {(t.Row == 0 ? "xo" : $"r{t.Row}")}, {(t.Row == 0 ? I(t.Offset) : $"ox * {I(_sw)} + {I(t.Offset)}")})";
                    w.Line($"float s{ci} = {(ci == 0 ? "bias + " : "")}{string.Join(" + ", chain.Select(Term))};");
                }
                string total = string.Join(" + ", Enumerable.Range(0, chains.Count).Select(i => $"s{i}"));
                w.Line($"{U}.Add(ref yo, ox) = {KernelEmit.ApplyScalar(_act, $"({total})")};");
                w.Close();
            }

            private void WriteVectorInterior(SourceWriter w, string vector, int lo, int hi)
            {
                int width = Width(vector);
                int count = hi - lo;
                var chains = Chains();
                // Two vectors per iteration while they fit, then one, then one more overlapping the end.
                void Body(string ox, int vectors)
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        string at = v == 0 ? ox : $"{ox} + {I(v * width)}";
                        for (int ci = 0; ci < chains.Count; ci++)
                        {
                            w.Line($"var a{v}_{ci} = {(ci == 0 ? "vb" : $"{vector}<float>.Zero")};");
                            foreach (var (tap, offset, row) in chains[ci])
                                w.Line($"a{v}_{ci} = {vector}.MultiplyAddEstimate({vector}.LoadUnsafe(ref r{row}, (nuint)({at} + {I(offset)})), v{tap}, a{v}_{ci});");
                        }
                    }
                    for (int v = 0; v < vectors; v++)
                    {
                        string at = v == 0 ? ox : $"{ox} + {I(v * width)}";
                        string sum = string.Join(" + ", Enumerable.Range(0, chains.Count).Select(ci => $"a{v}_{ci}"));
                        w.Line($"{vector}.StoreUnsafe({KernelEmit.ApplyVector(_act, vector, $"({sum})")}, ref yo, (nuint)({at}));");
                    }
                }
                w.Line($"int ox = {I(lo)};");
                if (count >= 2 * width)
                {
                    w.Open($"for (; ox <= {I(hi - 2 * width)}; ox += {I(2 * width)})");
                    Body("ox", 2);
                    w.Close();
                }
                w.Open($"for (; ox <= {I(hi - width)}; ox += {I(width)})");
                Body("ox", 1);
                w.Close();
                if (count % width != 0)
                {
                    w.Open("// The last vector ends at the row's end, overlapping outputs already written.");
                    w.Line($"ox = {I(hi - width)};");
                    Body("ox", 1);
                    w.Close();
                }
            }
        }
    }
}
