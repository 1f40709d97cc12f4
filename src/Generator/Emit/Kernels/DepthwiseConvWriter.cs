using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;

namespace ModelGen.Emit.Kernels
{
    /// <summary>What both depthwise writers know: the geometry as constants, the fused activation and the bias.</summary>
    internal abstract class DepthwiseWriter
    {
        protected const string Runtime = "global::ModelGen.Runtime";
        protected const string V512 = "global::System.Runtime.Intrinsics.Vector512";
        protected const string V256 = "global::System.Runtime.Intrinsics.Vector256";
        protected const string V128 = "global::System.Runtime.Intrinsics.Vector128";
        protected const string U = "global::System.Runtime.CompilerServices.Unsafe";
        protected const string MM = "global::System.Runtime.InteropServices.MemoryMarshal";

        protected readonly int _n, _c, _h, _w, _oh, _ow, _kh, _kw, _sh, _sw, _dh, _dw, _pt, _pl;
        protected readonly ActivationSpec? _act;
        protected readonly DepthwiseGeometry _geometry;
        protected readonly bool _hasBias;

        /// <summary>Set when the method is a depthwise QLinearConv around the float kernel (8-bit X and Y).</summary>
        protected readonly DepthwiseQLinearConvCall? _quantized;

        protected DepthwiseWriter(DepthwiseConvCall call, DepthwiseQLinearConvCall? quantized) : this(call) => _quantized = quantized;

        protected DepthwiseWriter(DepthwiseConvCall call)
        {
            var g = call.Geometry;
            _n = g.Batch; _c = g.Channels;
            _h = g.Height; _w = g.Width;
            _oh = g.OutHeight; _ow = g.OutWidth;
            _kh = g.KernelH; _kw = g.KernelW;
            _sh = g.StrideH; _sw = g.StrideW;
            _dh = g.DilationH; _dw = g.DilationW;
            _pt = g.PadTop; _pl = g.PadLeft;
            _act = call.Activation;
            _hasBias = call.Bias is not null;
            _geometry = g;
        }

        protected static string I(long v) => CSharpLiterals.Int(v);

        /// <summary>Where channel nc starts in x (quantized: the one centered channel in scratch).</summary>
        protected string InputChannelStart => _quantized is null ? $"nc * {I(_h * _w)}" : "0";

        /// <summary>Where channel nc starts in y (quantized: the one channel of sums in scratch).</summary>
        protected string OutputChannelStart => _quantized is null ? $"nc * {I(_oh * _ow)}" : "0";

        /// <summary>
        /// The method's signature and operand checks. Quantized, it takes the 8-bit operands and views its scratch as the
        /// float kernel's x (one channel of x − x_zero_point), y (that channel's sums) and, after them, pad.
        /// </summary>
        protected void OpenMethod(SourceWriter w, string name, int padFloats)
        {
            const string ReadOnlySpan = "global::System.ReadOnlySpan", Span = "global::System.Span";
            string biasCheck = _hasBias ? $" || b.Length < {I(_c)}" : "";
            if (_quantized is null)
            {
                string padParameter = padFloats > 0 ? $", {Span}<float> pad" : "";
                w.Open($"private static void {name}({ReadOnlySpan}<float> x, {ReadOnlySpan}<float> w, {ReadOnlySpan}<float> b, {Span}<float> y{padParameter})");
                string padCheck = padFloats > 0 ? $" || pad.Length < {I(padFloats)}" : "";
                w.Line($"if (x.Length < {I((long)_n * _c * _h * _w)} || w.Length < {I((long)_c * Taps)} || y.Length < {I((long)_n * _c * _oh * _ow)}{padCheck}{biasCheck}) throw new global::System.ArgumentException(\"Depthwise convolution operand too short.\");");
                return;
            }
            string tx = Ir.DataTypes.CSharpName(_quantized.XType)!, ty = Ir.DataTypes.CSharpName(_quantized.YType)!;
            long channel = DepthwiseQLinearConvCall.ChannelFloats(_geometry);
            w.Open($"private static void {name}({ReadOnlySpan}<{tx}> xq, {ReadOnlySpan}<{tx}> xZeroPoint, {ReadOnlySpan}<float> w, {ReadOnlySpan}<int> qbias, {ReadOnlySpan}<float> multiplier, {ReadOnlySpan}<{ty}> yZeroPoint, {Span}<{ty}> yq, {Span}<float> scratch)");
            string qbiasCheck = _quantized.Bias is not null ? $" || qbias.Length < {I(_c)}" : "";
            w.Line($"if (xq.Length < {I((long)_n * _c * _h * _w)} || w.Length < {I((long)_c * Taps)} || yq.Length < {I((long)_n * _c * _oh * _ow)} || multiplier.Length < {I(_c)} || scratch.Length < {I(channel + padFloats)}{qbiasCheck}) throw new global::System.ArgumentException(\"Depthwise QLinearConv operand too short.\");");
            w.Line($"int xzero = {Runtime}.Kernels.Int8ZeroPoint(xZeroPoint), yzero = {Runtime}.Kernels.Int8ZeroPoint(yZeroPoint);");
            w.Line($"{ReadOnlySpan}<float> x = scratch.Slice(0, {I(_h * _w)});");
            w.Line($"{Span}<float> y = scratch.Slice({I(_h * _w)}, {I(_oh * _ow)});");
            if (padFloats > 0) w.Line($"{Span}<float> pad = scratch.Slice({I(channel)}, {I(padFloats)});");
            w.Line($"{ReadOnlySpan}<float> b = default;");
        }

        /// <summary>Quantized: channel nc's x − x_zero_point as floats, the float kernel's input.</summary>
        protected void WriteChannelInput(SourceWriter w)
        {
            if (_quantized is null) return;
            w.Line($"{Runtime}.Kernels.CenteredToFloat(xq.Slice(nc * {I(_h * _w)}, {I(_h * _w)}), xzero, scratch.Slice(0, {I(_h * _w)}));");
        }

        /// <summary>Quantized: channel nc's exact sums + int32 bias, requantized into yq.</summary>
        protected void WriteChannelOutput(SourceWriter w)
        {
            if (_quantized is null) return;
            string bias = _quantized.Bias is not null ? "qbias[c]" : "0";
            w.Line($"{Runtime}.Kernels.RequantizeDepthwiseSums(y, {bias}, multiplier[c], yzero, yq.Slice(nc * {I(_oh * _ow)}, {I(_oh * _ow)}));");
        }

        protected int Taps => _kh * _kw;

        protected static int Width(string vector) => vector == V512 ? 16 : vector == V256 ? 8 : 4;

        /// <summary>
        /// Adds one kernel row's taps as a chain of partial sums: one per kernel row keeps several FMA chains in flight,
        /// and a single row (1-D kernel) of more than 2 taps is split into two.
        /// </summary>
        protected void AddChains<T>(List<List<T>> chains, List<T> row)
        {
            if (_kh == 1 && _kw > 2)
            {
                chains.Add(row.Where((_, i) => i % 2 == 0).ToList());
                chains.Add(row.Where((_, i) => i % 2 == 1).ToList());
            }
            else chains.Add(row);
        }

        /// <summary>The widest vector no wider than <paramref name="vector"/> that fits <paramref name="count"/> floats, or null (scalars).</summary>
        protected static string? FittingVector(string? vector, int count)
        {
            if (vector is null) return null;
            foreach (var candidate in new[] { V512, V256, V128 })
                if (Width(candidate) <= Width(vector) && Width(candidate) <= count) return candidate;
            return null;
        }

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
    internal sealed class PaddedDepthwiseWriter : DepthwiseWriter
    {
        public PaddedDepthwiseWriter(DepthwiseConvCall call) : base(call) { }

        public PaddedDepthwiseWriter(DepthwiseConvCall call, DepthwiseQLinearConvCall quantized) : base(call, quantized) { }

        private int PaddedRows => _geometry.PaddedRows;

        private int RowLength => _geometry.PaddedRowLength;

        private int ScratchFloats => _geometry.PaddedScratchFloats;


        public void Write(SourceWriter w, string name)
        {
            w.Line($"/// <summary>Depthwise {I(_kh)}x{I(_kw)} convolution, stride {I(_sh)}x{I(_sw)}, dilation {I(_dh)}x{I(_dw)}, pads {I(_pt)},{I(_pl)}: [{I(_n)},{I(_c)},{I(_h)},{I(_w)}] -> [{I(_n)},{I(_c)},{I(_oh)},{I(_ow)}].</summary>");
            w.Line(ModelEmitter.OptimizeAttribute);
            OpenMethod(w, name, ScratchFloats);
            w.Line($"ref float wr = ref {MM}.GetReference(w);");
            w.Line($"ref float yr = ref {MM}.GetReference(y);");
            w.Line($"ref float pr = ref {MM}.GetReference(pad);");
            if (_hasBias) w.Line($"ref float br = ref {MM}.GetReference(b);");
            // The zero borders are the same for every channel: clear once, then copy only each channel's data.
            w.Line($"pad.Slice(0, {I(ScratchFloats)}).Clear();");
            w.Open($"for (int nc = 0; nc < {I((long)_n * _c)}; nc++)");
            w.Line(_n == 1 ? "int c = nc;" : $"int c = nc % {I(_c)};");
            WriteChannelInput(w);
            w.Line($"{Runtime}.Kernels.PadPlane(x.Slice({InputChannelStart}, {I(_h * _w)}), {I(_h)}, {I(_w)}, {I(_pt)}, {I(_pl)}, {I(_sw)}, {I(PaddedRows)}, {I(RowLength)}, pad, bordersAreZero: true);");
            w.Line($"ref float yc = ref {U}.Add(ref yr, {OutputChannelStart});");
            WriteChannelTaps(w);

            // One branch per vector width; each uses the widest vector the output row fits (decided now).
            WriteWidthBranches(w, _ow, vector => WriteRows(w, vector));
            WriteChannelOutput(w);
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
                AddChains(chains, chain);
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
            w.Line($"{U}.Add(ref yo, ox) = {ActivationCode.Scalar(_act, $"({total})")};");
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
                    w.Line($"{vector}.StoreUnsafe({ActivationCode.Vector(_act, vector, $"({sum})")}, ref yo, (nuint)({at}));");
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
    /// Writes the flat depthwise method (<see cref="DepthwiseVariant.Flat"/>): each channel is copied with its zero padding
    /// into row- and column-phase planes, where every tap of every output sits at a constant offset from the output's flat
    /// position q = oy·RL + ox (RL the phase row length). One vector loop then covers the whole channel, the few columns
    /// past each row's end included, into a staging block; the valid columns of each row are copied out. For narrow planes,
    /// where a loop per output row would run mostly partial or overlapping vectors.
    /// </summary>
    internal sealed class FlatDepthwiseWriter : DepthwiseWriter
    {
        public FlatDepthwiseWriter(DepthwiseConvCall call) : base(call) { }

        public FlatDepthwiseWriter(DepthwiseConvCall call, DepthwiseQLinearConvCall quantized) : base(call, quantized) { }

        private int RowLength => _geometry.PaddedRowLength;

        private int RowsPerPhase => _geometry.FlatRowsPerPhase;

        private int Count => _geometry.FlatCount;

        private int PlanesFloats => _sh * _sw * RowsPerPhase * RowLength;

        public void Write(SourceWriter w, string name)
        {
            w.Line($"/// <summary>Depthwise {I(_kh)}x{I(_kw)} convolution, stride {I(_sh)}x{I(_sw)}, dilation {I(_dh)}x{I(_dw)}, pads {I(_pt)},{I(_pl)}: [{I(_n)},{I(_c)},{I(_h)},{I(_w)}] -> [{I(_n)},{I(_c)},{I(_oh)},{I(_ow)}], one flat loop per channel.</summary>");
            w.Line(ModelEmitter.OptimizeAttribute);
            OpenMethod(w, name, _geometry.FlatScratchFloats);
            w.Line($"ref float xr = ref {MM}.GetReference(x);");
            w.Line($"ref float wr = ref {MM}.GetReference(w);");
            w.Line($"ref float yr = ref {MM}.GetReference(y);");
            w.Line($"ref float pr = ref {MM}.GetReference(pad);");
            w.Line($"ref float st = ref {U}.Add(ref pr, {I(PlanesFloats)});");
            if (_hasBias) w.Line($"ref float br = ref {MM}.GetReference(b);");
            // The zero borders are the same for every channel: clear once, then copy only each channel's data.
            w.Line($"pad.Slice(0, {I(PlanesFloats)}).Clear();");
            w.Open($"for (int nc = 0; nc < {I((long)_n * _c)}; nc++)");
            w.Line(_n == 1 ? "int c = nc;" : $"int c = nc % {I(_c)};");
            WriteChannelInput(w);
            w.Line($"ref float xc = ref {U}.Add(ref xr, {InputChannelStart});");
            w.Line($"ref float yc = ref {U}.Add(ref yr, {OutputChannelStart});");
            WriteChannelTaps(w);
            WriteWidthBranches(w, Count, vector => WriteChannel(w, vector));
            WriteChannelOutput(w);
            w.Close();
            w.Close();
        }

        /// <summary>Offset of a tap in the phase planes, relative to the output's flat position.</summary>
        private int TapOffset(int ky, int kx)
        {
            int rowPhase = ky * _dh % _sh, row = ky * _dh / _sh;
            int colPhase = kx * _dw % _sw, col = kx * _dw / _sw;
            return (rowPhase * _sw + colPhase) * RowsPerPhase * RowLength + row * RowLength + col;
        }

        /// <summary>Independent partial sums: one per kernel row (two for a single row).</summary>
        private List<List<(int Tap, int Offset)>> Chains()
        {
            var chains = new List<List<(int, int)>>();
            for (int ky = 0; ky < _kh; ky++)
            {
                AddChains(chains, Enumerable.Range(0, _kw).Select(kx => (ky * _kw + kx, TapOffset(ky, kx))).ToList());
            }
            return chains;
        }

        /// <summary>Copies <paramref name="count"/> floats with the widest vectors that fit (the last one overlapping), or scalars.</summary>
        private static void WriteCopy(SourceWriter w, string? vector, string from, string fromAt, string to, string toAt, int count)
        {
            string? copyVector = FittingVector(vector, count);
            if (copyVector is null)
            {
                for (int i = 0; i < count; i++)
                    w.Line($"{U}.Add(ref {to}, {toAt} + {I(i)}) = {U}.Add(ref {from}, {fromAt} + {I(i)});");
                return;
            }
            int width = Width(copyVector);
            var starts = new List<int>();
            for (int i = 0; i + width <= count; i += width) starts.Add(i);
            if (count % width != 0) starts.Add(count - width);
            foreach (int i in starts)
                w.Line($"{copyVector}.StoreUnsafe({copyVector}.LoadUnsafe(ref {from}, (nuint)({fromAt} + {I(i)})), ref {to}, (nuint)({toAt} + {I(i)}));");
        }

        private void WriteChannel(SourceWriter w, string? vector)
        {
            WritePadding(w, vector);
            var chains = Chains();
            if (vector is null)
            {
                w.Open($"for (int q = 0; q < {I(Count)}; q++)");
                for (int ci = 0; ci < chains.Count; ci++)
                {
                    var terms = chains[ci].Select(t => $"w{t.Tap} * {U}.Add(ref pr, q + {I(t.Offset)})");
                    w.Line($"float s{ci} = {(ci == 0 ? "bias + " : "")}{string.Join(" + ", terms)};");
                }
                string total = string.Join(" + ", Enumerable.Range(0, chains.Count).Select(i => $"s{i}"));
                w.Line($"{U}.Add(ref st, q) = {ActivationCode.Scalar(_act, $"({total})")};");
                w.Close();
            }
            else
            {
                int width = Width(vector);
                w.Line($"var vb = {vector}.Create(bias);");
                for (int t = 0; t < Taps; t++) w.Line($"var v{t} = {vector}.Create(w{t});");
                void Body(string q, int vectors)
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        string at = v == 0 ? q : $"{q} + {I(v * width)}";
                        for (int ci = 0; ci < chains.Count; ci++)
                        {
                            w.Line($"var a{v}_{ci} = {(ci == 0 ? "vb" : $"{vector}<float>.Zero")};");
                            foreach (var (tap, offset) in chains[ci])
                                w.Line($"a{v}_{ci} = {vector}.MultiplyAddEstimate({vector}.LoadUnsafe(ref pr, (nuint)({at} + {I(offset)})), v{tap}, a{v}_{ci});");
                        }
                    }
                    for (int v = 0; v < vectors; v++)
                    {
                        string at = v == 0 ? q : $"{q} + {I(v * width)}";
                        string sum = string.Join(" + ", Enumerable.Range(0, chains.Count).Select(ci => $"a{v}_{ci}"));
                        w.Line($"{vector}.StoreUnsafe({ActivationCode.Vector(_act, vector, $"({sum})")}, ref st, (nuint)({at}));");
                    }
                }
                w.Line("int q = 0;");
                if (Count >= 2 * width)
                {
                    w.Open($"for (; q <= {I(Count - 2 * width)}; q += {I(2 * width)})");
                    Body("q", 2);
                    w.Close();
                }
                w.Open($"for (; q <= {I(Count - width)}; q += {I(width)})");
                Body("q", 1);
                w.Close();
                if (Count % width != 0)
                {
                    w.Open("// The last vector ends at the block's end, recomputing outputs already staged.");
                    w.Line($"q = {I(Count - width)};");
                    Body("q", 1);
                    w.Close();
                }
            }
            // Each output row's valid columns, out of the staging block.
            WriteRowCopies(w, _oh, oy => WriteCopy(w, vector, "st", Affine(oy, RowLength, 0), "yc", Affine(oy, _ow, 0), _ow));
        }

        /// <summary>
        /// The channel's data into its phase planes (the zero borders stay from the first clear): input row iy is padded row
        /// iy + padTop, i.e. row (iy + padTop) / strideH of row phase (iy + padTop) % strideH; its column ix likewise goes to
        /// column phase (ix + padLeft) % strideW. Unit strides copy whole rows with vectors; strided ones move each column
        /// phase with a constant-bound loop.
        /// </summary>
        private void WritePadding(SourceWriter w, string? vector)
        {
            int planeFloats = RowsPerPhase * RowLength;
            if (_sh == 1 && _sw == 1)
            {
                WriteRowCopies(w, _h, iy => WriteCopy(w, vector, "xc", Affine(iy, _w, 0), "pr", Affine(iy, RowLength, _pt * RowLength + _pl), _w));
                return;
            }
            for (int rowPhase = 0; rowPhase < _sh; rowPhase++)
            {
                // Input rows of this row phase: iy ≡ rowPhase − padTop (mod strideH).
                int first = ((rowPhase - _pt) % _sh + _sh) % _sh;
                if (first >= _h) continue;
                int rows = (_h - 1 - first) / _sh + 1;
                w.Open($"for (int i = 0; i < {I(rows)}; i++)");
                w.Line($"int iy = {I(first)} + i * {I(_sh)};");
                w.Line($"ref float src = ref {U}.Add(ref xc, iy * {I(_w)});");
                w.Line($"ref float dst = ref {U}.Add(ref pr, {I(rowPhase * _sw * planeFloats)} + (iy + {I(_pt)}) / {I(_sh)} * {I(RowLength)});");
                for (int colPhase = 0; colPhase < _sw; colPhase++)
                {
                    int firstX = ((colPhase - _pl) % _sw + _sw) % _sw;
                    if (firstX >= _w) continue;
                    int count = (_w - 1 - firstX) / _sw + 1;
                    int to = colPhase * planeFloats + (firstX + _pl) / _sw;
                    w.Line($"for (int j = 0; j < {I(count)}; j++) {U}.Add(ref dst, {I(to)} + j) = {U}.Add(ref src, {I(firstX)} + j * {I(_sw)});");
                }
                w.Close();
            }
        }

        /// <summary>Row copies unrolled with constant offsets for up to 16 rows, else a loop over <c>r</c>.</summary>
        private static void WriteRowCopies(SourceWriter w, int rows, System.Action<string> writeRow)
        {
            if (rows <= 16)
            {
                for (int r = 0; r < rows; r++) writeRow(I(r));
                return;
            }
            w.Open($"for (int r = 0; r < {I(rows)}; r++)");
            writeRow("r");
            w.Close();
        }

        /// <summary><paramref name="row"/>·<paramref name="scale"/> + <paramref name="offset"/>, folded when the row is a constant.</summary>
        private static string Affine(string row, int scale, int offset) =>
            int.TryParse(row, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int r)
                ? I((long)r * scale + offset)
                : $"{row} * {I(scale)} + {I(offset)}";
    }

    /// <summary>
    /// Writes the specialized depthwise method for stride 1 and kernels up to 3 wide: every size is a constant, the
    /// interior of each row is vectorized straight from the input, and the few edge columns are unrolled scalar code with
    /// constant indices (rows above and below the image read a zero row).
    /// </summary>
    internal sealed class DirectDepthwiseWriter : DepthwiseWriter
    {
        public DirectDepthwiseWriter(DepthwiseConvCall call) : base(call) { }

        public DirectDepthwiseWriter(DepthwiseConvCall call, DepthwiseQLinearConvCall quantized) : base(call, quantized) { }

        /// <summary>
        /// An activation that costs more than a compare (Sigmoid, SiLU, Tanh, ...) is not applied to the scalar edge
        /// columns one by one: the rows are written without it, then one vector pass over each channel's plane applies it.
        /// </summary>
        private bool ActivationAfterRows => _act is not null && _act.Kind is not ("Relu" or "Clip");

        private ActivationSpec? RowActivation => ActivationAfterRows ? null : _act;


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
            w.Line(ModelEmitter.OptimizeAttribute);
            OpenMethod(w, name, 0);
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
            w.Open($"for (int nc = 0; nc < {I((long)_n * _c)}; nc++)");
            w.Line(_n == 1 ? "int c = nc;" : $"int c = nc % {I(_c)};");
            WriteChannelInput(w);
            w.Line($"ref float xc = ref {U}.Add(ref xr, {InputChannelStart});");
            w.Line($"ref float yc = ref {U}.Add(ref yr, {OutputChannelStart});");
            WriteChannelTaps(w);

            // One branch per vector width; each uses the widest vector its interior fits (decided now). Strided rows
            // have no contiguous interior to vectorize.
            var (lo, hi) = Interior();
            WriteWidthBranches(w, _sw == 1 ? hi - lo : 0, vector => WriteRows(w, vector, rowsValid, lo, hi));
            WriteChannelOutput(w);
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
            if (ActivationAfterRows) WritePlaneActivation(w, vector);
        }

        /// <summary>The activation over the channel's output plane, once per element (the tail vector masks lanes done already).</summary>
        private void WritePlaneActivation(SourceWriter w, string? vector)
        {
            int count = _oh * _ow;
            string? v = FittingVector(vector, count);
            if (v is null)
            {
                w.Line($"for (int i = 0; i < {I(count)}; i++) {U}.Add(ref yc, i) = {ActivationCode.Scalar(_act, $"{U}.Add(ref yc, i)")};");
                return;
            }
            int width = Width(v);
            w.Line($"for (int i = 0; i <= {I(count - width)}; i += {I(width)}) {v}.StoreUnsafe({ActivationCode.Vector(_act, v, $"{v}.LoadUnsafe(ref yc, (nuint)i)")}, ref yc, (nuint)i);");
            if (count % width != 0)
            {
                w.Open("");
                w.Line($"var tail = {v}.LoadUnsafe(ref yc, (nuint){I(count - width)});");
                w.Line($"var fresh = {v}.AsSingle({v}.GreaterThanOrEqual({v}<int>.Indices, {v}.Create({I(width - count % width)})));");
                w.Line($"{v}.StoreUnsafe({v}.ConditionalSelect(fresh, {ActivationCode.Vector(_act, v, "tail")}, tail), ref yc, (nuint){I(count - width)});");
                w.Close();
            }
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
                    w.Line($"{U}.Add(ref yo, {I(ox)}) = {ActivationCode.Scalar(RowActivation, $"({sum})")};");
                }
                return;
            }
            w.Open($"for (int ox = {I(from)}; ox < {I(to)}; ox++)");
            w.Line("float s = bias;");
            w.Line($"int ix0 = ox * {I(_sw)} - {I(_pl)};");
            for (int ky = 0; ky < _kh; ky++)
                for (int kx = 0; kx < _kw; kx++)
                    w.Line($"if ((uint)(ix0 + {I(kx * _dw)}) < {I(_w)}u) s += w{ky * _kw + kx} * {U}.Add(ref r{ky}, ix0 + {I(kx * _dw)});");
            w.Line($"{U}.Add(ref yo, ox) = {ActivationCode.Scalar(RowActivation, "s")};");
            w.Close();
        }

        /// <summary>Independent partial sums per vector: one per kernel row (or two for a single row), summed at the end.</summary>
        private List<List<(int Tap, int Offset, int Row)>> Chains()
        {
            var chains = new List<List<(int, int, int)>>();
            for (int ky = 0; ky < _kh; ky++)
            {
                AddChains(chains, Enumerable.Range(0, _kw).Select(kx => (ky * _kw + kx, kx * _dw - _pl, ky)).ToList());
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
            w.Line($"{U}.Add(ref yo, ox) = {ActivationCode.Scalar(RowActivation, $"({total})")};");
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
                    w.Line($"{vector}.StoreUnsafe({ActivationCode.Vector(RowActivation, vector, $"({sum})")}, ref yo, (nuint)({at}));");
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
