using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// LSTM, GRU and RNN (float, every attribute, layouts 0 and 1). Per direction: the input projection of every time step
    /// is one GEMM (x·Wᵀ, Wᵀ packed at build time for constant weights, at run time into scratch otherwise), then one
    /// kernel runs the time loop (Kernels.LstmSequence, GruSequence, RnnSequence): per step a GEMM of the states with the
    /// packed Rᵀ and the gate math on the batch rows, with no allocation. sequence_lens may be a run-time input.
    /// </summary>
    public abstract class RecurrentOp : OpDefinition
    {
        /// <summary>Gates per direction (LSTM 4, GRU 3, RNN 1).</summary>
        protected abstract int Gates { get; }

        /// <summary>The activations of one direction when the attribute is absent.</summary>
        protected abstract string[] DefaultActivations { get; }

        /// <summary>Inputs the op accepts (X, W, R, B, sequence_lens, initial_h, and for LSTM initial_c and P).</summary>
        protected virtual int MaxInputs => 6;

        /// <summary>Outputs the op has (Y, Y_h, and for LSTM Y_c).</summary>
        protected virtual int MaxOutputs => 2;

        protected sealed class RecurrentDimensions
        {
            public int Steps, Batch, Input, Hidden, Directions;
            public bool BatchMajor;
            public string Direction = "forward";
            public float Clip;
            public (string Kind, float Alpha, float Beta)[] Activations = Array.Empty<(string, float, float)>();
        }

        private static readonly string[] Known =
            { "Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu", "Softsign", "Softplus" };

        /// <summary>
        /// The alpha and beta of each activation when activation_alpha/beta give none: ONNX Runtime's (the standalone
        /// operators' defaults for LeakyRelu, HardSigmoid and Elu; zero for Affine, ThresholdedRelu and ScaledTanh).
        /// </summary>
        private static (float Alpha, float Beta) Defaults(string kind) => kind switch
        {
            "LeakyRelu" => (0.01f, 0f),
            "HardSigmoid" => (0.2f, 0.5f),
            "Elu" => (1f, 0f),
            _ => (0f, 0f),
        };

        private static bool UsesAlpha(string kind) => kind is "LeakyRelu" or "ThresholdedRelu" or "ScaledTanh" or "HardSigmoid" or "Elu" or "Affine";

        private static bool UsesBeta(string kind) => kind is "ScaledTanh" or "HardSigmoid" or "Affine";

        protected RecurrentDimensions Analyze(Node node)
        {
            Require(node.Inputs.Length >= 3 && node.Inputs[0] is not null && node.Inputs[1] is not null && node.Inputs[2] is not null, "expects X, W and R");
            Require(node.Inputs.Length <= MaxInputs, $"has {node.Inputs.Length} inputs, at most {MaxInputs} expected");
            Require(node.Outputs.Length <= MaxOutputs, $"has {node.Outputs.Length} outputs, at most {MaxOutputs} expected");
            for (int i = 0; i < node.Inputs.Length; i++)
                if (node.Inputs[i] is not null && i != 4) RequireFloat(node, i);
            var s = new RecurrentDimensions();
            long layout = node.Attributes.Int("layout", 0);
            Require(layout is 0 or 1, $"layout {layout} must be 0 or 1");
            s.BatchMajor = layout == 1;
            s.Direction = node.Attributes.String("direction", "forward");
            Require(s.Direction is "forward" or "reverse" or "bidirectional", $"direction '{s.Direction}' is not forward, reverse or bidirectional");
            s.Directions = s.Direction == "bidirectional" ? 2 : 1;
            var x = node.Inputs[0]!.Shape!;
            Require(x.Length == 3, $"X {Shapes.Format(x)} must be 3-D");
            s.Steps = s.BatchMajor ? x[1] : x[0];
            s.Batch = s.BatchMajor ? x[0] : x[1];
            s.Input = x[2];
            var r = node.Inputs[2]!.Shape!;
            Require(r.Length == 3, $"R {Shapes.Format(r)} must be 3-D");
            s.Hidden = r[2];
            if (node.Attributes.Has("hidden_size"))
            {
                long hs = node.Attributes.Int("hidden_size", 0);
                Require(hs == s.Hidden, $"hidden_size {hs} does not match R {Shapes.Format(r)}");
            }
            Require(s.Hidden > 0 && s.Steps > 0 && s.Batch > 0, $"X {Shapes.Format(x)} and R {Shapes.Format(r)} must not be empty");
            int g = Gates * s.Hidden;
            ExpectShape(node, 1, "W", new[] { s.Directions, g, s.Input });
            ExpectShape(node, 2, "R", new[] { s.Directions, g, s.Hidden });
            ExpectShape(node, 3, "B", new[] { s.Directions, 2 * g });
            var lens = node.Input(4);
            if (lens is not null)
            {
                Require(lens.Type == DataType.Int32, $"sequence_lens has element type {DataTypes.OnnxName(lens.Type)}, int32 expected");
                Require(lens.Shape!.SequenceEqual(new[] { s.Batch }), $"sequence_lens {Shapes.Format(lens.Shape!)} must be [{s.Batch}]");
                if (lens.Constant is { } c)
                    Require(c.AsLongs().All(v => v >= 0 && v <= s.Steps), $"sequence_lens values must be within [0, {s.Steps}]");
            }
            var state = s.BatchMajor ? new[] { s.Batch, s.Directions, s.Hidden } : new[] { s.Directions, s.Batch, s.Hidden };
            ExpectShape(node, 5, "initial_h", state);
            ExpectShape(node, 6, "initial_c", state);
            ExpectShape(node, 7, "P", new[] { s.Directions, 3 * s.Hidden });

            if (node.Attributes.Has("clip"))
            {
                s.Clip = node.Attributes.Float("clip", 0f);
                Require(s.Clip > 0 && !float.IsNaN(s.Clip), $"clip {s.Clip} must be positive");
            }
            s.Activations = Activations(node, s.Directions);
            foreach (var flag in new[] { "input_forget", "linear_before_reset" })
            {
                long v = node.Attributes.Int(flag, 0);
                Require(v is 0 or 1, $"{flag} {v} must be 0 or 1");
            }
            return s;
        }

        private static void ExpectShape(Node node, int input, string name, int[] shape)
        {
            var v = node.Input(input);
            if (v is null) return;
            Require(v.Shape!.SequenceEqual(shape), $"{name} {Shapes.Format(v.Shape!)} must be {Shapes.Format(shape)}");
        }

        /// <summary>Every direction's activations with their alpha and beta (activation_alpha/beta consumed in order by the functions that take them).</summary>
        private (string, float, float)[] Activations(Node node, int directions)
        {
            int perDirection = DefaultActivations.Length;
            var raw = node.Attributes.Raw("activations");
            string[] names;
            if (raw is null || raw.Strings.Count == 0) names = Enumerable.Range(0, directions).SelectMany(_ => DefaultActivations).ToArray();
            else
            {
                names = raw.Strings.Select(b => b.ToStringUtf8()).ToArray();
                // One direction's list serves both directions of a bidirectional layer (as ONNX Runtime accepts).
                if (names.Length == perDirection && directions == 2) names = names.Concat(names).ToArray();
                Require(names.Length == perDirection * directions, $"activations has {names.Length} entries, {perDirection * directions} expected");
            }
            var resolved = new (string, float, float)[names.Length];
            var alphas = node.Attributes.Floats("activation_alpha") ?? Array.Empty<float>();
            var betas = node.Attributes.Floats("activation_beta") ?? Array.Empty<float>();
            int ai = 0, bi = 0;
            for (int i = 0; i < names.Length; i++)
            {
                string kind = Known.FirstOrDefault(k => string.Equals(k, names[i], StringComparison.OrdinalIgnoreCase));
                Require(kind is not null, $"activation '{names[i]}' is not one of {string.Join(", ", Known)}");
                var (alpha, beta) = Defaults(kind!);
                if (UsesAlpha(kind!) && ai < alphas.Length) alpha = alphas[ai++];
                if (UsesBeta(kind!) && bi < betas.Length) beta = betas[bi++];
                resolved[i] = (kind!, alpha, beta);
            }
            return resolved;
        }

        public override void InferShapes(Node node)
        {
            var s = Analyze(node);
            var y = node.Outputs[0];
            y.Type = DataType.Float;
            y.Shape = s.BatchMajor ? new[] { s.Batch, s.Steps, s.Directions, s.Hidden } : new[] { s.Steps, s.Directions, s.Batch, s.Hidden };
            for (int i = 1; i < node.Outputs.Length; i++)
            {
                node.Outputs[i].Type = DataType.Float;
                node.Outputs[i].Shape = s.BatchMajor ? new[] { s.Batch, s.Directions, s.Hidden } : new[] { s.Directions, s.Batch, s.Hidden };
            }
        }

        public override long Macs(Node node)
        {
            var s = Analyze(node);
            return (long)s.Directions * s.Steps * s.Batch * Gates * s.Hidden * (s.Input + s.Hidden);
        }

        /// <summary>All inputs constant: the whole sequence computed now, in double precision, straight from ONNX's equations.</summary>
        public override bool TryFold(Node node)
        {
            var s = Analyze(node);
            double[]? Get(int i) => node.Input(i)?.Constant is { } t ? Enumerable.Range(0, t.Length).Select(t.GetDouble).ToArray() : null;
            var x = Get(0)!; var w = Get(1)!; var r = Get(2)!; var bias = Get(3); var lens = Get(4); var h0 = Get(5); var c0 = Get(6); var p = Get(7);
            int hidden = s.Hidden, g = Gates * hidden, per = DefaultActivations.Length;
            bool inputForget = node.Attributes.Int("input_forget", 0) == 1, linearBeforeReset = node.Attributes.Int("linear_before_reset", 0) == 1;
            var y = new double[s.Steps * s.Directions * s.Batch * hidden];
            var yh = new double[s.Directions * s.Batch * hidden];
            var yc = new double[yh.Length];
            for (int d = 0; d < s.Directions; d++)
            {
                bool reverse = s.Direction == "reverse" || d == 1;
                var acts = s.Activations.Skip(d * per).Take(per).ToArray();
                double F(int k, double v) => Activate(acts[k], s.Clip > 0 ? Math.Max(-s.Clip, Math.Min(s.Clip, v)) : v);
                var shape = new RecurrentIndex(s, d);
                for (int b = 0; b < s.Batch; b++)
                {
                    int length = lens is null ? s.Steps : (int)lens[b];
                    var h = new double[hidden]; var c = new double[hidden];
                    for (int j = 0; j < hidden; j++)
                    {
                        h[j] = h0 is null ? 0 : h0[shape.State(b) + j];
                        c[j] = c0 is null ? 0 : c0[shape.State(b) + j];
                    }
                    for (int step = 0; step < length; step++)
                    {
                        int t = reverse ? length - 1 - step : step;
                        // Per gate row: x·W + Wb, and h·R + Rb.
                        var xw = new double[g]; var hr = new double[g];
                        for (int j = 0; j < g; j++)
                        {
                            double a = bias is null ? 0 : bias[d * 2 * g + j], e = bias is null ? 0 : bias[d * 2 * g + g + j];
                            for (int k = 0; k < s.Input; k++) a += x[shape.InputRow(t, b) * s.Input + k] * w[(d * g + j) * s.Input + k];
                            for (int k = 0; k < hidden; k++) e += h[k] * r[(d * g + j) * hidden + k];
                            xw[j] = a; hr[j] = e;
                        }
                        var next = new double[hidden];
                        for (int j = 0; j < hidden; j++)
                        {
                            if (Gates == 1) next[j] = F(0, xw[j] + hr[j]);
                            else if (Gates == 4)
                            {
                                double pi = p is null ? 0 : p[d * 3 * hidden + j], po = p is null ? 0 : p[d * 3 * hidden + hidden + j], pf = p is null ? 0 : p[d * 3 * hidden + 2 * hidden + j];
                                double i = F(0, xw[j] + hr[j] + pi * c[j]);
                                double f = inputForget ? 1 - i : F(0, xw[2 * hidden + j] + hr[2 * hidden + j] + pf * c[j]);
                                double cand = F(1, xw[3 * hidden + j] + hr[3 * hidden + j]);
                                c[j] = f * c[j] + i * cand;
                                double o = F(0, xw[hidden + j] + hr[hidden + j] + po * c[j]);
                                next[j] = o * Activate(acts[2], c[j]);
                            }
                        }
                        if (Gates == 3)
                        {
                            var z = new double[hidden]; var reset = new double[hidden];
                            for (int j = 0; j < hidden; j++)
                            {
                                z[j] = F(0, xw[j] + hr[j]);
                                reset[j] = F(0, xw[hidden + j] + hr[hidden + j]);
                            }
                            for (int j = 0; j < hidden; j++)
                            {
                                int row = d * g + 2 * hidden + j;
                                double rbh = bias is null ? 0 : bias[d * 2 * g + g + 2 * hidden + j], recurrent;
                                if (linearBeforeReset) recurrent = reset[j] * hr[2 * hidden + j];
                                else
                                {
                                    recurrent = rbh;
                                    for (int k = 0; k < hidden; k++) recurrent += reset[k] * h[k] * r[row * hidden + k];
                                }
                                double candidate = F(1, xw[2 * hidden + j] + recurrent);
                                next[j] = (1 - z[j]) * candidate + z[j] * h[j];
                            }
                        }
                        h = next;
                        Array.Copy(h, 0, y, shape.Output(t, b), hidden);
                    }
                    if (length == 0) continue; // final states of an empty sequence are zeros
                    Array.Copy(h, 0, yh, shape.State(b), hidden);
                    Array.Copy(c, 0, yc, shape.State(b), hidden);
                }
            }
            var results = new[] { y, yh, yc };
            for (int i = 0; i < node.Outputs.Length; i++)
                node.Outputs[i].Constant = Tensor.FromDoubles(DataType.Float, node.Outputs[i].Shape!, results[i]);
            return true;
        }

        private static double Activate((string Kind, float Alpha, float Beta) a, double v) => a.Kind switch
        {
            "Relu" => Math.Max(0, v),
            "Tanh" => Math.Tanh(v),
            "Sigmoid" => 1 / (1 + Math.Exp(-v)),
            "Affine" => a.Alpha * v + a.Beta,
            "LeakyRelu" => v >= 0 ? v : a.Alpha * v,
            "ThresholdedRelu" => v > a.Alpha ? v : 0,
            "ScaledTanh" => a.Alpha * Math.Tanh(a.Beta * v),
            "HardSigmoid" => Math.Max(0, Math.Min(1, a.Alpha * v + a.Beta)),
            "Elu" => v >= 0 ? v : a.Alpha * (Math.Exp(v) - 1),
            "Softsign" => v / (1 + Math.Abs(v)),
            "Softplus" => Math.Log(1 + Math.Exp(v)),
            _ => throw new InvalidOperationException($"unknown activation {a.Kind}"),
        };

        /// <summary>The runtime RecurrentShape's index arithmetic, for folding.</summary>
        private readonly struct RecurrentIndex
        {
            private readonly RecurrentDimensions _s;
            private readonly int _d;

            public RecurrentIndex(RecurrentDimensions s, int d) { _s = s; _d = d; }

            public int InputRow(int t, int b) => _s.BatchMajor ? b * _s.Steps + t : t * _s.Batch + b;

            public int State(int b) => (_s.BatchMajor ? b * _s.Directions + _d : _d * _s.Batch + b) * _s.Hidden;

            public int Output(int t, int b) => (_s.BatchMajor ? (b * _s.Steps + t) * _s.Directions + _d : (t * _s.Directions + _d) * _s.Batch + b) * _s.Hidden;
        }

        /// <summary>Floats of the kernel's own scratch (states and gates).</summary>
        protected abstract int SequenceScratchFloats(RecurrentDimensions s);

        /// <summary>Row-block splits of R packed separately (GRU: the z and r gates, then the candidate).</summary>
        protected virtual int[] RecurrentSplits(RecurrentDimensions s) => new[] { Gates * s.Hidden };

        private static long Align(long bytes) => ExecutionPlan.Align(bytes);

        private (long Projection, long PackedW, long[] PackedR, long Sequence) ScratchParts(Node node, RecurrentDimensions s)
        {
            int g = Gates * s.Hidden;
            long projection = 4L * s.Steps * s.Batch * g;
            long packedW = node.Inputs[1]!.Constant is null ? 4L * KernelLayout.RoundUp(g, KernelLayout.PanelWidth) * s.Input : 0;
            var packedR = node.Inputs[2]!.Constant is null
                ? RecurrentSplits(s).Select(n => 4L * KernelLayout.RoundUp(n, KernelLayout.PanelWidth) * s.Hidden).ToArray()
                : Array.Empty<long>();
            return (projection, packedW, packedR, 4L * SequenceScratchFloats(s));
        }

        public override long ScratchBytes(Node node)
        {
            var s = Analyze(node);
            var (p, w, r, q) = ScratchParts(node, s);
            return Align(p) + Align(w) + r.Sum(Align) + Align(q);
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var s = Analyze(node);
            int g = Gates * s.Hidden;
            var (pBytes, wBytes, rBytes, qBytes) = ScratchParts(node, s);
            long offset = 0;
            ScratchArg Take(long bytes)
            {
                var a = ctx.Scratch(DataType.Float, offset, bytes);
                offset += Align(bytes);
                return a;
            }
            var projection = Take(pBytes);
            var packedWScratch = wBytes > 0 ? Take(wBytes) : null;
            var packedRScratch = rBytes.Select(Take).ToArray();
            var sequenceScratch = Take(qBytes);
            var splits = RecurrentSplits(s);

            for (int d = 0; d < s.Directions; d++)
            {
                bool reverse = s.Direction == "reverse" || d == 1;
                // x·Wᵀ for every (time, batch) row: one GEMM.
                Arg packedW;
                var wv = node.Inputs[1]!;
                if (wv.Constant is not null)
                {
                    var packed = PackTransposedRows(wv.Constant.AsFloats(), s.Input, d * g, g);
                    packedW = ctx.Weight(Tensor.FromFloats(new[] { packed.Length }, packed), $"{wv.Name}_packed{d}");
                }
                else
                {
                    packedW = packedWScratch!;
                    ctx.Call("PackTransposedRows", ("w", ctx.Input(1)), ("cols", s.Input), ("rowStart", d * g), ("rowCount", g), ("packed", packedW));
                }
                ctx.Call("GemmPackedB", ("a", ctx.Input(0)), ("lda", s.Input), ("packedB", packedW), ("c", projection), ("ldc", g), ("m", s.Steps * s.Batch),
                    ("n", g), ("k", s.Input), ("rowBias", Arg.None), ("colBias", Arg.None), ("alpha", 1f), ("accumulate", false), ("activation", Arg.None));

                // Rᵀ of each gate block, packed.
                var rv = node.Inputs[2]!;
                var packedR = new Arg[splits.Length];
                int start = 0;
                for (int i = 0; i < splits.Length; i++)
                {
                    if (rv.Constant is not null)
                    {
                        var packed = PackTransposedRows(rv.Constant.AsFloats(), s.Hidden, d * g + start, splits[i]);
                        packedR[i] = ctx.Weight(Tensor.FromFloats(new[] { packed.Length }, packed), $"{rv.Name}_packed{d}_{i}");
                    }
                    else
                    {
                        packedR[i] = packedRScratch[i];
                        ctx.Call("PackTransposedRows", ("w", ctx.Input(2)), ("cols", s.Hidden), ("rowStart", d * g + start), ("rowCount", splits[i]), ("packed", packedR[i]));
                    }
                    start += splits[i];
                }

                Arg wb = ctx.HasInput(3) ? ctx.Input(3).Slice(d * 2 * g, g) : Arg.None;
                Arg rb = ctx.HasInput(3) ? ctx.Input(3).Slice(d * 2 * g + g, g) : Arg.None;
                var shape = Arg.New("RecurrentShape", ("steps", s.Steps), ("batch", s.Batch), ("hidden", s.Hidden), ("directions", s.Directions),
                    ("direction", d), ("reverse", reverse), ("batchMajor", s.BatchMajor));
                var acts = s.Activations.Skip(d * DefaultActivations.Length).Take(DefaultActivations.Length)
                    .Select(a => Arg.New("RecurrentActivation", ("kind", Arg.Enum("RecurrentActivationKind", a.Kind)), ("alpha", a.Alpha), ("beta", a.Beta))).ToArray();
                var common = new RecurrentArgs(projection, packedR, wb, rb, OptionalInput(ctx, 4), OptionalInput(ctx, 5), shape, acts, s.Clip, sequenceScratch, d);
                LowerSequence(ctx, s, common);
            }
        }

        protected sealed record RecurrentArgs(Arg Projection, Arg[] PackedR, Arg Wb, Arg Rb, Arg SequenceLengths, Arg InitialH, Arg Shape,
            Arg[] Activations, float Clip, Arg Scratch, int Direction);

        /// <summary>Appends the sequence kernel call of one direction.</summary>
        protected abstract void LowerSequence(LoweringContext ctx, RecurrentDimensions s, RecurrentArgs a);

        protected static Arg OptionalInput(LoweringContext ctx, int i) => ctx.HasInput(i) ? ctx.Input(i) : Arg.None;

        /// <summary>Output i when something reads it, else none (the kernel skips it).</summary>
        protected static Arg OptionalOutput(LoweringContext ctx, int i)
        {
            if (i >= ctx.Node.Outputs.Length) return Arg.None;
            var v = ctx.Node.Outputs[i];
            return v.IsGraphOutput || v.Consumers.Count > 0 ? ctx.Output(i) : Arg.None;
        }

        /// <summary>Rows [rowStart, rowStart + rowCount) of row-major w[·, cols], transposed and packed as Kernels.PackB.</summary>
        private static float[] PackTransposedRows(float[] w, int cols, int rowStart, int rowCount)
        {
            var t = new float[cols * rowCount];
            for (int r = 0; r < rowCount; r++)
                for (int c = 0; c < cols; c++)
                    t[c * rowCount + r] = w[(rowStart + r) * cols + c];
            return KernelLayout.PackB(t, cols, rowCount);
        }
    }

    public sealed class LstmOp : RecurrentOp
    {
        public override string OpType => "LSTM";
        protected override int Gates => 4;
        protected override string[] DefaultActivations => new[] { "Sigmoid", "Tanh", "Tanh" };
        protected override int MaxInputs => 8;
        protected override int MaxOutputs => 3;
        protected override int SequenceScratchFloats(RecurrentDimensions s) => s.Batch * s.Hidden * 6;

        protected override void LowerSequence(LoweringContext ctx, RecurrentDimensions s, RecurrentArgs a)
        {
            long inputForget = ctx.Node.Attributes.Int("input_forget", 0);
            Arg peephole = ctx.HasInput(7) ? ctx.Input(7).Slice(a.Direction * 3 * s.Hidden, 3 * s.Hidden) : Arg.None;
            ctx.Call("LstmSequence", ("projection", a.Projection), ("packedR", a.PackedR[0]), ("wb", a.Wb), ("rb", a.Rb), ("peephole", peephole),
                ("initialH", a.InitialH), ("initialC", OptionalInput(ctx, 6)), ("sequenceLengths", a.SequenceLengths),
                ("y", OptionalOutput(ctx, 0)), ("yh", OptionalOutput(ctx, 1)), ("yc", OptionalOutput(ctx, 2)), ("s", a.Shape),
                ("f", a.Activations[0]), ("g", a.Activations[1]), ("h", a.Activations[2]), ("clip", a.Clip), ("inputForget", inputForget == 1), ("scratch", a.Scratch));
        }
    }

    public sealed class GruOp : RecurrentOp
    {
        public override string OpType => "GRU";
        protected override int Gates => 3;
        protected override string[] DefaultActivations => new[] { "Sigmoid", "Tanh" };
        protected override int SequenceScratchFloats(RecurrentDimensions s) => s.Batch * s.Hidden * 5;
        protected override int[] RecurrentSplits(RecurrentDimensions s) => new[] { 2 * s.Hidden, s.Hidden };

        protected override void LowerSequence(LoweringContext ctx, RecurrentDimensions s, RecurrentArgs a)
        {
            long lbr = ctx.Node.Attributes.Int("linear_before_reset", 0);
            ctx.Call("GruSequence", ("projection", a.Projection), ("packedRzr", a.PackedR[0]), ("packedRh", a.PackedR[1]), ("wb", a.Wb), ("rb", a.Rb),
                ("initialH", a.InitialH), ("sequenceLengths", a.SequenceLengths), ("y", OptionalOutput(ctx, 0)), ("yh", OptionalOutput(ctx, 1)), ("s", a.Shape),
                ("f", a.Activations[0]), ("g", a.Activations[1]), ("clip", a.Clip), ("linearBeforeReset", lbr == 1), ("scratch", a.Scratch));
        }
    }

    public sealed class RnnOp : RecurrentOp
    {
        public override string OpType => "RNN";
        protected override int Gates => 1;
        protected override string[] DefaultActivations => new[] { "Tanh" };
        protected override int SequenceScratchFloats(RecurrentDimensions s) => s.Batch * s.Hidden * 2;

        protected override void LowerSequence(LoweringContext ctx, RecurrentDimensions s, RecurrentArgs a) =>
            ctx.Call("RnnSequence", ("projection", a.Projection), ("packedR", a.PackedR[0]), ("wb", a.Wb), ("rb", a.Rb), ("initialH", a.InitialH),
                ("sequenceLengths", a.SequenceLengths), ("y", OptionalOutput(ctx, 0)), ("yh", OptionalOutput(ctx, 1)), ("s", a.Shape),
                ("f", a.Activations[0]), ("clip", a.Clip), ("scratch", a.Scratch));
    }
}
