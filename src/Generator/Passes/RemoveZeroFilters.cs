using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;

namespace ModelGen.Passes
{
    /// <summary>
    /// Removes all-zero filters (pruned channels). An output channel of a Conv (ungrouped), Gemm or MatMul whose weights are
    /// all zero is the constant act(bias) everywhere. When every reader of the channel is a Conv, Gemm or MatMul (possibly
    /// behind ops that keep a constant channel constant: Relu, MaxPool, AveragePool without counted padding, global
    /// pools, Identity, Dropout, Flatten of a 1×1 map), the channel is dropped from the producer's weights and output
    /// (a smaller buffer) and the matching input channel from each reader's weights. Exact when the constant the reader
    /// sees is 0, or when the reader is a Conv without padding or a Gemm: then its contribution (constant × the reader's
    /// weights) moves into the reader's bias. A channel a graph output or any other op sees is kept. Runs after the
    /// activation fusion, so the producer's activation is its <see cref="Node.FusedActivation"/>.
    /// </summary>
    public static class RemoveZeroFilters
    {
        /// <summary>What was removed from one node: filters (outputs) or input channels, and its weight counts before and after.</summary>
        public sealed class Removal
        {
            public int Filters, Inputs;
            public long WeightsBefore, WeightsAfter;
        }

        private static readonly ConditionalWeakTable<Node, Removal> Removals = new();

        /// <summary>What the pass removed from <paramref name="node"/>, or null.</summary>
        public static Removal? RemovedFrom(Node node) => Removals.TryGetValue(node, out var r) ? r : null;

        /// <summary>Reports the removal (MG0302) while <paramref name="ctx"/>'s node is lowered; one line in the ops' Lower.</summary>
        public static void Report(LoweringContext ctx)
        {
            if (RemovedFrom(ctx.Node) is not { } r) return;
            string technique = r.Filters > 0 && r.Inputs > 0 ? "filters and inputs removed" : r.Filters > 0 ? "filters removed" : "inputs removed";
            ctx.ReportCompression(technique, r.WeightsBefore, r.WeightsAfter, 4 * r.WeightsBefore, 4 * r.WeightsAfter);
        }

        private static Removal For(Node node, long before)
        {
            if (!Removals.TryGetValue(node, out var r))
            {
                r = new Removal { WeightsBefore = before };
                Removals.Add(node, r);
            }
            return r;
        }

        public static void Run(Graph graph)
        {
            // Producers in order: a reader whose inputs shrank may itself have zero filters afterwards.
            for (int index = 0; index < graph.Nodes.Count; index++)
            {
                var node = graph.Nodes[index];
                try
                {
                    if (TryRemove(graph, node)) graph.Relink();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException)
                {
                    // Never fail the build over an optimisation: a node the pass does not understand keeps its channels.
                }
            }
        }

        /// <summary>A reader of the channel: its node, the constant it sees per removed channel, and its kind.</summary>
        private sealed class Reader
        {
            public Node Node = null!;
            public Func<float, float> Transform = v => v;
        }

        private static bool TryRemove(Graph graph, Node p)
        {
            if (p.Domain.Length != 0 || p.FusedResidual || p.InputChannelsLast || p.Outputs.Length != 1) return false;
            var y = p.Outputs[0];
            if (y.IsGraphOutput || y.Consumers.Count == 0 || y.Shape is null || y.Shape.Length < 2 || y.Type != DataType.Float) return false;
            if (p.Inputs.Length < 2 || p.Inputs[1]?.Constant is null || p.Inputs[0] is null) return false;
            int channels;
            float[] w = p.Inputs[1]!.Constant!.AsFloats();
            // weightOf(m, i): the i-th weight of output channel m; per: weights per channel.
            Func<int, int, int> index;
            int per;
            float[] bias;
            switch (p.OpType)
            {
                case "Conv":
                {
                    if (p.Attributes.Int("group", 1) != 1) return false;
                    var b = p.Input(2);
                    if (b is not null && b.Constant is null) return false;
                    channels = p.Inputs[1]!.Shape![0];
                    per = w.Length / channels;
                    int perConv = per;
                    index = (m, i) => m * perConv + i;
                    bias = b?.Constant!.AsFloats() ?? new float[channels];
                    break;
                }
                case "Gemm":
                {
                    if (y.Rank != 2 || p.Inputs[1]!.Rank != 2) return false;
                    bool tb = p.Attributes.Int("transB", 0) != 0;
                    var bs = p.Inputs[1]!.Shape!;
                    channels = tb ? bs[0] : bs[1];
                    int k = tb ? bs[1] : bs[0];
                    per = k;
                    int n = channels;
                    index = tb ? (m, i) => m * k + i : (m, i) => i * n + m;
                    bias = new float[channels];
                    var c = p.Input(2);
                    float beta = p.Attributes.Float("beta", 1f);
                    if (c is not null && beta != 0)
                    {
                        if (c.Constant is null || c.Rank > 2 || (c.Rank == 2 && c.Shape![0] != 1)) return false;
                        var cf = c.Constant.AsFloats();
                        if (cf.Length != 1 && cf.Length != channels) return false;
                        for (int j = 0; j < channels; j++) bias[j] = beta * cf[cf.Length == 1 ? 0 : j];
                    }
                    break;
                }
                case "MatMul":
                {
                    if (y.Rank != 2 || p.Inputs[0]!.Rank != 2 || p.Inputs[1]!.Rank != 2) return false;
                    var bs = p.Inputs[1]!.Shape!;
                    channels = bs[1];
                    per = bs[0];
                    int n = channels;
                    index = (m, i) => i * n + m;
                    bias = new float[channels];
                    break;
                }
                default:
                    return false;
            }
            if (y.Shape[1] != channels || channels < 2) return false;
            var act = Evaluator(p.FusedActivation);
            if (act is null) return false;

            var zero = new List<int>();
            for (int m = 0; m < channels; m++)
            {
                bool all = true;
                for (int i = 0; i < per && all; i++) all = w[index(m, i)] == 0f;
                if (all) zero.Add(m);
            }
            if (zero.Count == 0) return false;

            // Follow the channel to its readers.
            var path = new List<Value>();
            var readers = new List<Reader>();
            if (!Follow(y, v => v, path, readers)) return false;

            // Which zero channels every reader can drop exactly.
            var constant = zero.ToDictionary(m => m, m => act(bias[m]));
            var removable = zero.Where(m => readers.All(r => r.Transform(constant[m]) == 0f || CanFold(r.Node))).ToList();
            if (removable.Count == 0 || removable.Count == channels) return false;
            var removed = new HashSet<int>(removable);
            var keep = Enumerable.Range(0, channels).Where(m => !removed.Contains(m)).ToArray();

            // The readers: drop the input channels, folding non-zero constants into their biases.
            foreach (var r in readers)
            {
                var folds = removable.Select(m => (m, r.Transform(constant[m]))).ToList();
                ShrinkReader(graph, r.Node, channels, keep, folds);
            }

            // The producer: keep only the live filters.
            long before = w.Length;
            switch (p.OpType)
            {
                case "Conv":
                {
                    var ws = p.Inputs[1]!.Shape!;
                    var nw = new float[keep.Length * per];
                    for (int i = 0; i < keep.Length; i++) Array.Copy(w, keep[i] * per, nw, i * per, per);
                    var inputs = p.Inputs.ToArray();
                    inputs[1] = Constant(graph, p.Inputs[1]!.Name + "_pruned", new[] { keep.Length }.Concat(ws.Skip(1)).ToArray(), nw);
                    if (p.Input(2) is not null) inputs[2] = Constant(graph, p.Inputs[2]!.Name + "_pruned", new[] { keep.Length }, keep.Select(m => bias[m]).ToArray());
                    p.Inputs = inputs;
                    For(p, before).Filters += removable.Count;
                    break;
                }
                case "Gemm":
                case "MatMul":
                {
                    var bs = p.Inputs[1]!.Shape!;
                    bool tb = p.OpType == "Gemm" && p.Attributes.Int("transB", 0) != 0;
                    int k = per;
                    var nw = new float[keep.Length * k];
                    for (int i = 0; i < keep.Length; i++)
                        for (int q = 0; q < k; q++)
                            nw[tb ? i * k + q : q * keep.Length + i] = w[index(keep[i], q)];
                    var inputs = p.Inputs.ToArray();
                    inputs[1] = Constant(graph, p.Inputs[1]!.Name + "_pruned", tb ? new[] { keep.Length, k } : new[] { k, keep.Length }, nw);
                    var c = p.Input(2);
                    if (c is not null && p.OpType == "Gemm")
                    {
                        // The bias as [n] with beta folded in (beta becomes 1).
                        inputs[2] = Constant(graph, c.Name + "_pruned", new[] { keep.Length }, keep.Select(m => bias[m]).ToArray());
                        p.Attributes.Set(new AttributeProto { Name = "beta", Type = AttributeProto.Types.AttributeType.Float, F = 1f });
                    }
                    p.Inputs = inputs;
                    For(p, before).Filters += removable.Count;
                    break;
                }
            }
            For(p, before).WeightsAfter = p.Inputs[1]!.Length;

            // Every value on the way now has fewer channels.
            foreach (var v in path)
            {
                var s = v.Shape!.ToArray();
                s[1] = keep.Length;
                v.Shape = s;
            }
            return true;
        }

        /// <summary>
        /// Collects the values carrying the channel from <paramref name="v"/> and the readers at the end, with the
        /// function the ops between apply to a constant. False when anything else (or a graph output) sees it.
        /// </summary>
        private static bool Follow(Value v, Func<float, float> transform, List<Value> path, List<Reader> readers)
        {
            if (v.IsGraphOutput || path.Contains(v) || path.Count > 64 || v.Shape is null || v.Shape.Length < 2) return false;
            path.Add(v);
            foreach (var c in v.Consumers.Distinct())
            {
                if (c.Domain.Length != 0) return false;
                // The channel may only enter through input 0.
                for (int i = 1; i < c.Inputs.Length; i++) if (c.Inputs[i] == v) return false;
                if (c.Inputs.Length == 0 || c.Inputs[0] != v) return false;
                if (IsReader(c))
                {
                    readers.Add(new Reader { Node = c, Transform = transform });
                    continue;
                }
                Func<float, float>? through = c.OpType switch
                {
                    "Relu" => t => Math.Max(0f, t),
                    "Identity" or "Dropout" or "MaxPool" or "GlobalMaxPool" or "GlobalAveragePool" => t => t,
                    "AveragePool" when c.Attributes.Int("count_include_pad", 0) == 0 => t => t,
                    "Flatten" when c.Attributes.Int("axis", 1) == 1 && v.Shape.Skip(2).All(d => d == 1) => t => t,
                    _ => null,
                };
                if (through is null) return false;
                // Dropout's mask, MaxPool's indices: only the first output may be used.
                if (c.Outputs.Skip(1).Any(o => o.IsGraphOutput || o.Consumers.Count > 0)) return false;
                if (c.Outputs[0].Shape is null || c.Outputs[0].Shape!.Length < 2 || c.Outputs[0].Shape![1] != v.Shape[1]) return false;
                var inner = transform;
                if (!Follow(c.Outputs[0], t => through(inner(t)), path, readers)) return false;
            }
            return true;
        }

        /// <summary>A Conv (ungrouped, constant weights), Gemm (A not transposed, constant B) or MatMul (2-D, constant B) reading the channel as input 0.</summary>
        private static bool IsReader(Node c)
        {
            if (c.Inputs.Length < 2 || c.Inputs[1]?.Constant is null || c.InputChannelsLast) return false;
            return c.OpType switch
            {
                "Conv" => c.Attributes.Int("group", 1) == 1 && (c.Input(2) is null || c.Input(2)!.Constant is not null),
                "Gemm" => c.Attributes.Int("transA", 0) == 0 && c.Inputs[0]!.Rank == 2 && c.Inputs[1]!.Rank == 2,
                "MatMul" => c.Inputs[0]!.Rank == 2 && c.Inputs[1]!.Rank == 2,
                _ => false,
            };
        }

        /// <summary>True when a non-zero constant input channel can move into the reader's bias.</summary>
        private static bool CanFold(Node c)
        {
            if (c.FusedResidual && c.OpType != "Conv") return false;
            switch (c.OpType)
            {
                case "Conv":
                {
                    string autoPad = c.Attributes.String("auto_pad", "NOTSET");
                    var pads = c.Attributes.Ints("pads");
                    return autoPad is "NOTSET" or "VALID" && (pads is null || pads.All(x => x == 0));
                }
                case "Gemm":
                {
                    var cv = c.Input(2);
                    return cv is null || c.Attributes.Float("beta", 1f) == 0
                        || (cv.Constant is not null && cv.Rank <= 2 && (cv.Rank < 2 || cv.Shape![0] == 1));
                }
                default:
                    return false;
            }
        }

        private static void ShrinkReader(Graph graph, Node c, int channels, int[] keep, List<(int Channel, float Value)> folds)
        {
            var wv = c.Inputs[1]!;
            var w = wv.Constant!.AsFloats();
            long before = w.Length;
            var inputs = c.Inputs.ToArray();
            folds = folds.Where(f => f.Value != 0f).ToList();
            if (c.OpType == "Conv")
            {
                var ws = wv.Shape!;
                int outChannels = ws[0], taps = w.Length / (outChannels * channels);
                var nw = new float[outChannels * keep.Length * taps];
                for (int o = 0; o < outChannels; o++)
                    for (int i = 0; i < keep.Length; i++)
                        Array.Copy(w, (o * channels + keep[i]) * taps, nw, (o * keep.Length + i) * taps, taps);
                inputs[1] = Constant(graph, wv.Name + "_pruned", new[] { outChannels, keep.Length }.Concat(ws.Skip(2)).ToArray(), nw);
                if (folds.Count > 0)
                {
                    var nb = c.Input(2)?.Constant!.AsFloats().ToArray() ?? new float[outChannels];
                    for (int o = 0; o < outChannels; o++)
                    {
                        double sum = nb[o];
                        foreach (var (m, value) in folds)
                            for (int t = 0; t < taps; t++) sum += (double)value * w[(o * channels + m) * taps + t];
                        nb[o] = (float)sum;
                    }
                    var name = (c.Input(2)?.Name ?? c.Name + "_bias") + "_pruned";
                    if (inputs.Length < 3) inputs = inputs.Concat(new Value?[3 - inputs.Length]).ToArray();
                    inputs[2] = Constant(graph, name, new[] { outChannels }, nb);
                }
            }
            else
            {
                bool tb = c.OpType == "Gemm" && c.Attributes.Int("transB", 0) != 0;
                var bs = wv.Shape!;
                int n = tb ? bs[0] : bs[1];
                var nw = new float[keep.Length * n];
                for (int i = 0; i < keep.Length; i++)
                    for (int j = 0; j < n; j++)
                        nw[tb ? j * keep.Length + i : i * n + j] = w[tb ? j * channels + keep[i] : keep[i] * n + j];
                inputs[1] = Constant(graph, wv.Name + "_pruned", tb ? new[] { n, keep.Length } : new[] { keep.Length, n }, nw);
                if (folds.Count > 0)
                {
                    // Gemm only (CanFold): C' = beta·C + alpha·Σ value·B[m, :], as [n] with beta 1.
                    float alpha = c.Attributes.Float("alpha", 1f), beta = c.Attributes.Float("beta", 1f);
                    var cv = c.Input(2);
                    var cf = cv is null || beta == 0 ? null : cv.Constant!.AsFloats();
                    var nc = new float[n];
                    for (int j = 0; j < n; j++)
                    {
                        double sum = cf is null ? 0 : (double)beta * cf[cf.Length == 1 ? 0 : j];
                        foreach (var (m, value) in folds) sum += (double)alpha * value * w[tb ? j * channels + m : m * n + j];
                        nc[j] = (float)sum;
                    }
                    if (inputs.Length < 3) inputs = inputs.Concat(new Value?[3 - inputs.Length]).ToArray();
                    inputs[2] = Constant(graph, (cv?.Name ?? c.Name + "_bias") + "_pruned", new[] { n }, nc);
                    c.Attributes.Set(new AttributeProto { Name = "beta", Type = AttributeProto.Types.AttributeType.Float, F = 1f });
                }
            }
            c.Inputs = inputs;
            var r = For(c, before);
            r.Inputs += channels - keep.Length;
            r.WeightsAfter = c.Inputs[1]!.Length;
        }

        /// <summary>The producer's fused activation on one value, or null for one this pass does not evaluate.</summary>
        private static Func<float, float>? Evaluator(Activation? a)
        {
            if (a is null) return v => v;
            return a.Kind switch
            {
                "Relu" => v => Math.Max(0f, v),
                "LeakyRelu" => v => v < 0 ? a.Alpha * v : v,
                "Clip" => v => Math.Min(Math.Max(v, a.Alpha), a.Beta),
                "Sigmoid" => v => (float)(1 / (1 + Math.Exp(-v))),
                "Tanh" => v => (float)Math.Tanh(v),
                "HardSigmoid" => v => Math.Max(0f, Math.Min(1f, a.Alpha * v + a.Beta)),
                "HardSwish" => v => v * Math.Max(0f, Math.Min(1f, v / 6f + 0.5f)),
                "Silu" => v => (float)(v / (1 + Math.Exp(-v))),
                _ => null,
            };
        }

        private static Value Constant(Graph graph, string name, int[] shape, float[] data)
        {
            string unique = name;
            for (int i = 2; graph.Values.ContainsKey(unique); i++) unique = name + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var v = new Value(unique) { Type = DataType.Float, Shape = shape, Constant = Tensor.FromFloats(shape, data) };
            graph.Values[unique] = v;
            return v;
        }
    }
}
