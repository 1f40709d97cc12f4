using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// ConvTranspose (float, 1-D to 3-D, every attribute): per image and group, a GEMM of Wᵀ [M/g·taps, C/g] (transposed at
    /// build time for constant weights) with blocks of input rows, followed by col2im accumulation of each tap into its
    /// output position (Kernels.ConvTranspose). Bias and a fused activation are applied by the kernel.
    /// </summary>
    public sealed class ConvTransposeOp : OpDefinition
    {
        public override string OpType => "ConvTranspose";

        /// <summary>Target floats of one column block (1 MB), so the block and its output rows stay in L2.</summary>
        private const int ColumnBlockFloats = 256 * 1024;

        private sealed class ConvTransposeGeometry
        {
            public int N, C, M, Group, Rank;
            public int[] Input = Array.Empty<int>(), Kernel = Array.Empty<int>(), Output = Array.Empty<int>();
            public int[] Strides = Array.Empty<int>(), Dilations = Array.Empty<int>(), PadBegin = Array.Empty<int>();
            public int Taps => Kernel.Aggregate(1, (a, b) => a * b);
        }

        private static ConvTransposeGeometry Analyze(Node node)
        {
            Require(node.Inputs.Length >= 2 && node.Inputs[0] is not null && node.Inputs[1] is not null, "expects X and W");
            RequireFloat(node, 0);
            RequireFloat(node, 1);
            var x = node.Inputs[0]!.Shape!; var w = node.Inputs[1]!.Shape!;
            Require(x.Length >= 3, $"X {Shapes.Format(x)} must have a batch, a channel and at least one spatial axis");
            Require(w.Length == x.Length, $"W {Shapes.Format(w)} must have the rank of X {Shapes.Format(x)}");
            RequireSupported(x.Length <= 5, $"{x.Length - 2}-D transposed convolution (1-D, 2-D and 3-D are supported)");
            int rank = x.Length - 2;
            long group = node.Attributes.Int("group", 1);
            Require(group > 0, $"group {group} must be positive");
            Require(x[1] == w[0], $"X has {x[1]} channels but W {Shapes.Format(w)} expects {w[0]}");
            Require(x[1] % group == 0, $"{x[1]} input channels are not divisible by group {group}");
            var g = new ConvTransposeGeometry
            {
                N = x[0], C = x[1], M = (int)(w[1] * group), Group = (int)group, Rank = rank,
                Input = x.Skip(2).ToArray(), Kernel = w.Skip(2).ToArray(),
            };
            var ks = Ints(node, "kernel_shape", rank, null);
            if (ks is not null) Require(ks.SequenceEqual(g.Kernel), $"kernel_shape {SpatialGeometry.Format(ks)} does not match W {Shapes.Format(w)}");
            g.Strides = Ints(node, "strides", rank, 1)!;
            g.Dilations = Ints(node, "dilations", rank, 1)!;
            var outputPadding = Ints(node, "output_padding", rank, 0)!;
            var pads = Ints(node, "pads", 2 * rank, 0)!;
            Require(g.Strides.All(s => s > 0), $"strides {SpatialGeometry.Format(g.Strides)} must be positive");
            Require(g.Dilations.All(d => d > 0), $"dilations {SpatialGeometry.Format(g.Dilations)} must be positive");
            Require(g.Kernel.All(k => k > 0), $"kernel {SpatialGeometry.Format(g.Kernel)} must be positive");
            Require(outputPadding.All(p => p >= 0), $"output_padding {SpatialGeometry.Format(outputPadding)} must not be negative");
            string autoPad = node.Attributes.String("auto_pad", "NOTSET");
            if (autoPad.Length == 0) autoPad = "NOTSET";
            Require(autoPad is "NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER", $"auto_pad '{autoPad}' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER");

            var outputShape = node.Attributes.Ints("output_shape");
            int[]? target = null;
            if (outputShape is { Length: > 0 })
            {
                // Spatial sizes, or (as ONNX Runtime also accepts) the full shape with batch and channels.
                Require(outputShape.Length == rank || outputShape.Length == rank + 2, $"output_shape has {outputShape.Length} values, {rank} expected");
                target = outputShape.Skip(outputShape.Length - rank).Select(v => checked((int)v)).ToArray();
                Require(target.All(v => v > 0), $"output_shape {SpatialGeometry.Format(target)} must be positive");
            }
            else if (autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                target = g.Input.Select((n, i) => n * g.Strides[i]).ToArray();
            }

            g.PadBegin = new int[rank];
            g.Output = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                int full = g.Strides[i] * (g.Input[i] - 1) + outputPadding[i] + (g.Kernel[i] - 1) * g.Dilations[i] + 1;
                if (target is not null)
                {
                    // ONNX: total padding split in half, the odd one at the end for SAME_UPPER and at the start otherwise
                    // (floor division, so a negative total, an output longer than the full one, extends the end).
                    int total = full - target[i];
                    int half = FloorDiv(total, 2);
                    g.PadBegin[i] = autoPad == "SAME_UPPER" ? half : total - half;
                    g.Output[i] = target[i];
                }
                else if (autoPad == "VALID")
                {
                    g.Output[i] = full;
                }
                else
                {
                    Require(pads[i] >= 0 && pads[rank + i] >= 0, $"pads {SpatialGeometry.Format(pads)} must not be negative");
                    g.PadBegin[i] = pads[i];
                    g.Output[i] = full - pads[i] - pads[rank + i];
                }
                Require(g.Output[i] > 0, $"axis {i}: input {g.Input[i]}, kernel {g.Kernel[i]} and pads leave no output");
            }
            var b = node.Input(2);
            if (b is not null)
            {
                RequireFloat(node, 2);
                Require(b.Rank == 1 && b.Shape![0] == g.M, $"B {Shapes.Format(b.Shape!)} must be [{g.M}]");
            }
            return g;
        }

        private static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);

        private static int[]? Ints(Node node, string name, int count, int? fallback)
        {
            var values = node.Attributes.Ints(name);
            if (values is null || values.Length == 0) return fallback is null ? null : Enumerable.Repeat(fallback.Value, count).ToArray();
            Require(values.Length == count, $"{name} has {values.Length} values, {count} expected");
            return values.Select(v => checked((int)v)).ToArray();
        }

        public override void InferShapes(Node node)
        {
            var g = Analyze(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = new[] { g.N, g.M }.Concat(g.Output).ToArray();
        }

        public override long Macs(Node node)
        {
            var g = Analyze(node);
            return (long)g.N * g.C * (g.M / g.Group) * g.Taps * Shapes.Size(g.Input);
        }

        public override bool TryFold(Node node)
        {
            var g = Analyze(node);
            var x = node.Inputs[0]!.Constant!.AsFloats(); var w = node.Inputs[1]!.Constant!.AsFloats();
            var b = node.Input(2)?.Constant?.AsFloats();
            var (din, dk, dout, s, d, p) = (P3(g.Input, 1), P3(g.Kernel, 1), P3(g.Output, 1), P3(g.Strides, 1), P3(g.Dilations, 1), P3(g.PadBegin, 0));
            int cg = g.C / g.Group, mg = g.M / g.Group, inPixels = Shapes.Size(g.Input), outPixels = Shapes.Size(g.Output), taps = g.Taps;
            var y = new double[g.N * g.M * outPixels];
            for (int n = 0; n < g.N; n++)
                for (int c = 0; c < g.C; c++)
                    for (int m = 0; m < mg; m++)
                    {
                        int oc = c / cg * mg + m;
                        for (int i = 0; i < inPixels; i++)
                        {
                            int id = i / (din[1] * din[2]), ih = i / din[2] % din[1], iw = i % din[2];
                            double xv = x[(n * g.C + c) * inPixels + i];
                            for (int t = 0; t < taps; t++)
                            {
                                int kd = t / (dk[1] * dk[2]), kh = t / dk[2] % dk[1], kw = t % dk[2];
                                int od = id * s[0] - p[0] + kd * d[0], oh = ih * s[1] - p[1] + kh * d[1], ow = iw * s[2] - p[2] + kw * d[2];
                                if (od < 0 || od >= dout[0] || oh < 0 || oh >= dout[1] || ow < 0 || ow >= dout[2]) continue;
                                y[(n * g.M + oc) * outPixels + (od * dout[1] + oh) * dout[2] + ow] += xv * w[(c * mg + m) * taps + t];
                            }
                        }
                    }
            var result = new float[y.Length];
            for (int i = 0; i < y.Length; i++)
            {
                double v = y[i] + (b is null ? 0 : b[i / outPixels % g.M]);
                result[i] = (float)v;
            }
            node.Outputs[0].Constant = Tensor.FromFloats(new[] { g.N, g.M }.Concat(g.Output).ToArray(), result);
            return true;
        }

        private static int[] P3(int[] v, int fill) => Enumerable.Repeat(fill, 3 - v.Length).Concat(v).ToArray();

        /// <summary>Input rows (of the last spatial axis) per column block.</summary>
        private static int ChunkRows(ConvTransposeGeometry g)
        {
            int width = g.Input[g.Rank - 1];
            int inRows = Shapes.Size(g.Input) / width;
            long perRow = (long)(g.M / g.Group) * g.Taps * width;
            return (int)Math.Max(1, Math.Min(inRows, ColumnBlockFloats / Math.Max(1, perRow)));
        }

        private static List<(string, Arg)> GeometryFields(ConvTransposeGeometry g, bool transposed)
        {
            var input = P3(g.Input, 1); var output = P3(g.Output, 1); var kernel = P3(g.Kernel, 1);
            var strides = P3(g.Strides, 1); var dilations = P3(g.Dilations, 1); var pads = P3(g.PadBegin, 0);
            return new List<(string, Arg)>
            {
                ("channels", g.C), ("depth", input[0]), ("height", input[1]), ("width", input[2]),
                ("outChannels", g.M), ("outDepth", output[0]), ("outHeight", output[1]), ("outWidth", output[2]),
                ("kernelD", kernel[0]), ("kernelH", kernel[1]), ("kernelW", kernel[2]), ("strideD", strides[0]), ("strideH", strides[1]), ("strideW", strides[2]),
                ("dilationD", dilations[0]), ("dilationH", dilations[1]), ("dilationW", dilations[2]), ("padFront", pads[0]), ("padTop", pads[1]), ("padLeft", pads[2]),
                ("groups", g.Group), ("chunk", ChunkRows(g)), ("rowsPerBlock", 0), ("packedWeights", transposed),
            };
        }

        /// <summary>Mirrors the runtime's ConvTransposeScratch.</summary>
        public override long ScratchBytes(Node node)
        {
            var g = Analyze(node);
            int cg = g.C / g.Group, rows = g.M / g.Group * g.Taps;
            long floats = (long)rows * ChunkRows(g) * g.Input[g.Rank - 1] + (long)cg * KernelLayout.PanelWidth;
            if (node.Inputs[1]!.Constant is null) floats += (long)g.C * rows;
            return 4 * floats;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var g = Analyze(node);
            var wv = node.Inputs[1]!;
            Arg weights = ctx.Input(1);
            bool transposed = wv.Constant is not null;
            if (transposed)
            {
                // Wᵀ per group: [C/g, M/g·taps] → [M/g·taps, C/g], the GEMM's row-major A.
                var w = wv.Constant!.AsFloats();
                int cg = g.C / g.Group, rows = g.M / g.Group * g.Taps;
                var t = new float[w.Length];
                for (int gi = 0; gi < g.Group; gi++)
                    for (int c = 0; c < cg; c++)
                        for (int r = 0; r < rows; r++)
                            t[gi * cg * rows + r * cg + c] = w[gi * cg * rows + c * rows + r];
                weights = ctx.Weight(Tensor.FromFloats(new[] { t.Length }, t), wv.Name + "_T");
            }
            Arg bias = node.Input(2) is not null ? ctx.Input(2) : Arg.None;
            ctx.Call("ConvTranspose", ("x", ctx.Input(0)), ("w", weights), ("bias", bias), ("y", ctx.Output(0)), ("batch", g.N),
                ("g", Arg.New("ConvGeometry", GeometryFields(g, transposed).ToArray())), ("activation", KernelLayout.Activation(node)), ("scratch", ctx.Scratch()));
        }
    }
}
