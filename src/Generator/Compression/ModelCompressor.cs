using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Google.Protobuf;
using ModelGen.Onnx.Proto;

namespace ModelGen.Compression
{
    /// <summary>
    /// Compresses the float weights of a parsed ONNX model (Conv, Gemm and MatMul layers with constant weights) into a
    /// model of standard ONNX operators that ONNX Runtime runs as well: quantized weights behind DequantizeLinear, the
    /// dynamic-quantization chain ONNX Runtime's quantize_dynamic writes, pruned float weights, two thin layers for a
    /// low-rank factorization, and uint8 indices into float codebooks reconstructed by constant ops (Cast, Add, Gather,
    /// Reshape, Transpose) that ModelGen folds at build time. Deterministic: seeded random numbers, node order, ordinal
    /// names. Never throws for a model it cannot handle: layers it cannot compress are reported as skipped.
    /// </summary>
    public static partial class ModelCompressor
    {
        /// <summary>Layers whose reduction or output dimension is at most this are checked for exact low rank unasked.</summary>
        public const int AutoLowRankLimit = 128;

        /// <summary>Random input vectors behind <see cref="LayerReport.OutputDeviation"/>.</summary>
        public const int DeviationSamples = 4;

        private const int Seed = 0x5EED;

        /// <param name="progress">Called with (layer, fraction done of that layer) during long work (SVD, k-means).</param>
        public static (ModelProto Model, CompressionReport Report) Compress(ModelProto source, CompressionOptions options, Action<string, double>? progress = null)
        {
            var model = source.Clone();
            var report = new CompressionReport { Options = options.ToString() };
            if (options.IsEmpty || model.Graph is null) return (model, report);
            if (options.Quantization == WeightQuantization.Int8Static)
            {
                // Activation scales come from running the model: CompressCalibrated with the ranges (modelgen compress).
                report.Notes.Add("int8-static needs calibration ranges from running the model: use `modelgen compress IN OUT --int8-static`");
                return (model, report);
            }
            new CompressionRun(model, options, report, progress).Execute();
            return (model, report);
        }

        /// <summary>One Conv, Gemm or MatMul whose weight is a float initializer, seen as W[M, K] (a row per output).</summary>
        private sealed class Layer
        {
            public NodeProto Node = null!;
            public string Name = "";
            public TensorProto Weight = null!;
            public long[] Dims = Array.Empty<long>();
            /// <summary>The initializer is [K, N] (MatMul B, Gemm with transB = 0): rows of W are its columns.</summary>
            public bool Transposed;
            public int M, K;
            public double[] W = Array.Empty<double>();
            /// <summary>The second factor of a low-rank pair (its input is the first factor's output).</summary>
            public bool Inner;
        }

        private sealed class CompressionRun
        {
            private readonly ModelProto _model;
            private readonly GraphProto _graph;
            private readonly CompressionOptions _options;
            private readonly CompressionReport _report;
            private readonly Action<string, double>? _progress;
            private readonly GraphNames _names;
            private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
            private readonly int _opset;
            /// <summary>Nodes to insert before a node (constant reconstruction, Sign), by the node.</summary>
            private readonly Dictionary<NodeProto, List<NodeProto>> _before = new(ByReference.Instance);
            /// <summary>Nodes that replace a node (factored or integer layers).</summary>
            private readonly Dictionary<NodeProto, List<NodeProto>> _replace = new(ByReference.Instance);
            private readonly List<TensorProto> _newInitializers = new();
            private readonly HashSet<string> _removedInitializers = new(StringComparer.Ordinal);
            private readonly Dictionary<string, int> _uses = new(StringComparer.Ordinal);

            public CompressionRun(ModelProto model, CompressionOptions options, CompressionReport report, Action<string, double>? progress)
            {
                _model = model;
                _graph = model.Graph;
                _options = options;
                _report = report;
                _progress = progress;
                _opset = (int)(model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0);
                foreach (var t in _graph.Initializer) _initializers[t.Name] = t;
                _names = new GraphNames(_graph);
            }

            public void Execute()
            {
                var uses = _uses;
                foreach (var n in _graph.Node)
                    foreach (var i in n.Input) uses[i] = uses.TryGetValue(i, out int c) ? c + 1 : 1;
                var outputs = new HashSet<string>(_graph.Output.Select(o => o.Name), StringComparer.Ordinal);

                var candidates = new List<(NodeProto Node, string? Problem)>();
                foreach (var node in _graph.Node)
                {
                    if (node.Domain is not ("" or "ai.onnx") || node.OpType is not ("Conv" or "Gemm" or "MatMul")) continue;
                    string? problem = null;
                    if (node.Input.Count < 2 || !_initializers.TryGetValue(node.Input[1], out var w)) problem = "weight is not a constant";
                    else if (w.DataType != (int)TensorProto.Types.DataType.Float) problem = "weight is not float";
                    else if (w.DataLocation == TensorProto.Types.DataLocation.External) problem = "weight is in external data";
                    else if (uses[node.Input[1]] > 1 || outputs.Contains(node.Input[1])) problem = "weight is shared with other nodes";
                    else if (node.OpType == "Conv" ? w.Dims.Count < 3 : w.Dims.Count != 2) problem = "weight rank";
                    else if (node.OpType == "Gemm" && Int(node, "transA", 0) != 0) problem = "Gemm with transA";
                    candidates.Add((node, problem));
                }
                var keep = KeptNodes(candidates.Where(c => c.Problem is null).Select(c => c.Node).ToList());

                foreach (var (node, problem) in candidates)
                {
                    var layerReport = new LayerReport { Node = NodeName(node), OpType = node.OpType };
                    _report.Layers.Add(layerReport);
                    if (problem is not null) { layerReport.Skipped = problem; continue; }
                    var layer = Load(node);
                    layerReport.Weights = (long)layer.M * layer.K;
                    layerReport.BytesBefore = 4L * layer.M * layer.K;
                    if (keep.Contains(node)) { layerReport.Skipped = "kept float"; continue; }
                    CompressLayer(layer, layerReport);
                }
                if (_options.Quantization == WeightQuantization.Int4 && _report.CompressedLayers.Any() && !Int4Native)
                    _report.Notes.Add("int4 values stored as int8 (4-bit ONNX tensors need opset 21 and IR 10; the model's opset is kept)");
                Rebuild();
            }

            private bool Int4Native => _opset >= 21 && _model.IrVersion >= 10;

            /// <summary>Layers left float: CompressionKeep names (node, weight or output), "first"/"last", or by default the first and last layer for binary weights (as XNOR-Net does).</summary>
            private HashSet<NodeProto> KeptNodes(List<NodeProto> layers)
            {
                var keep = new HashSet<NodeProto>(ByReference.Instance);
                IEnumerable<string> names = _options.KeepGiven ? _options.Keep : (_options.Quantization is WeightQuantization.Binary or WeightQuantization.Xnor ? new[] { "first", "last" } : Array.Empty<string>());
                foreach (var name in names)
                {
                    if (name == "first" && layers.Count > 0) keep.Add(layers[0]);
                    else if (name == "last" && layers.Count > 0) keep.Add(layers[layers.Count - 1]);
                    else foreach (var n in layers)
                        if (NodeName(n) == name || n.Input[1] == name || n.Output.Contains(name)) keep.Add(n);
                }
                return keep;
            }

            private Layer Load(NodeProto node)
            {
                var w = _initializers[node.Input[1]];
                var dims = w.Dims.ToArray();
                var data = ReadFloats(w);
                bool transposed = node.OpType == "MatMul" || node.OpType == "Gemm" && Int(node, "transB", 0) == 0;
                int m, k;
                if (transposed) { k = (int)dims[0]; m = (int)dims[1]; }
                else { m = (int)dims[0]; k = data.Length / Math.Max(1, m); }
                var rows = new double[(long)m * k];
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < k; j++)
                        rows[(long)i * k + j] = transposed ? data[(long)j * m + i] : data[(long)i * k + j];
                return new Layer { Node = node, Name = NodeName(node), Weight = w, Dims = dims, Transposed = transposed, M = m, K = k, W = rows };
            }

            private void CompressLayer(Layer layer, LayerReport r)
            {
                var original = layer.W;
                var techniques = new List<string>();
                var w = (double[])original.Clone();
                long bytesAfter = r.BytesBefore;
                if (_options.Prune > 0)
                {
                    int zeros = Prune(w, _options.Prune);
                    techniques.Add("prune " + Percent((double)zeros / Math.Max(1, w.Length), 0));
                    long nnz = w.LongLength - zeros;
                    bytesAfter = 8 * nnz + 4L * (layer.M + 1); // compressed rows: value + column index per non-zero, row starts
                }
                else if (_options.PruneFilters > 0)
                {
                    int removed = PruneFilters(w, layer.M, layer.K, _options.PruneFilters);
                    techniques.Add($"{removed} of {layer.M} filters zeroed");
                    bytesAfter = 4L * (layer.M - removed) * layer.K;
                }

                // Low rank: asked for, or found (exactly low rank) when the layer is small enough to check cheaply.
                double energy = _options.LowRank > 0 ? _options.LowRank : CompressionOptions.ExactRankEnergy;
                bool tryLowRank = _options.LowRank > 0 || _options.Prune == 0 && _options.PruneFilters == 0 && Math.Min(layer.M, layer.K) <= AutoLowRankLimit;
                if (tryLowRank && !(layer.Node.OpType == "Conv" && Int(layer.Node, "group", 1) != 1))
                {
                    var (rank, a, b, _) = LinearAlgebra.LowRank(w, layer.M, layer.K, energy, f => _progress?.Invoke(layer.Name, f));
                    if ((long)rank * (layer.M + layer.K) < (long)layer.M * layer.K)
                    {
                        techniques.Add(_options.LowRank > 0 ? $"lowrank r={rank}" : $"exact rank {rank}");
                        var approx = Factor(layer, rank, a, b, out long factorBytes, out string? quantizer);
                        if (quantizer is not null) techniques.Add(quantizer);
                        bytesAfter = factorBytes;
                        Finish(r, original, approx, techniques, bytesAfter, layer);
                        return;
                    }
                    if (_options.LowRank > 0 && _options.Quantization == WeightQuantization.None)
                    {
                        r.Skipped = $"rank {rank} for energy {_options.LowRank.ToString(CultureInfo.InvariantCulture)} saves nothing ({rank}·({layer.M}+{layer.K}) ≥ {layer.M}·{layer.K})";
                        return;
                    }
                    if (_options.LowRank > 0) techniques.Add($"lowrank skipped (r={rank})");
                }
                else if (_options.LowRank > 0 && _options.Quantization == WeightQuantization.None)
                {
                    r.Skipped = "grouped convolution (low rank needs group = 1)";
                    return;
                }

                if (_options.Quantization == WeightQuantization.None)
                {
                    if (techniques.Count == 0) { r.Skipped = "nothing to do"; return; }
                    WriteFloats(layer, w);
                    Finish(r, original, w, techniques, bytesAfter, layer);
                    return;
                }
                var q = Quantize(layer, w, (layer.Node, 1), out long qBytes, out string qName, out string? problem);
                if (q is null)
                {
                    if (techniques.Count == 0 || techniques.All(t => t.StartsWith("lowrank skipped", StringComparison.Ordinal))) { r.Skipped = problem; return; }
                    WriteFloats(layer, w);
                    techniques.Add(qName + " skipped: " + problem);
                    Finish(r, original, w, techniques, bytesAfter, layer);
                    return;
                }
                techniques.RemoveAll(t => t.StartsWith("lowrank skipped", StringComparison.Ordinal));
                techniques.Add(qName);
                Finish(r, original, q, techniques, qBytes, layer);
            }

            private void Finish(LayerReport r, double[] original, double[] approx, List<string> techniques, long bytesAfter, Layer layer)
            {
                r.Technique = string.Join(" + ", techniques);
                r.BytesAfter = bytesAfter;
                r.WeightError = RelativeError(original, approx);
                r.OutputDeviation = OutputDeviation(original, approx, layer.M, layer.K, layer.Name, _options.Quantization == WeightQuantization.Xnor);
            }

            // ---------------- pruning ----------------

            /// <summary>Zeros the smallest-magnitude fraction of w (ties by index). Returns the number of zeros.</summary>
            private static int Prune(double[] w, double sparsity)
            {
                int count = (int)Math.Floor(sparsity * w.Length);
                var order = Enumerable.Range(0, w.Length).OrderBy(i => Math.Abs(w[i])).ThenBy(i => i).Take(count);
                foreach (int i in order) w[i] = 0;
                return w.Count(x => x == 0);
            }

            /// <summary>Zeros the rows (filters) of smallest L1 norm. Returns how many.</summary>
            private static int PruneFilters(double[] w, int m, int k, double sparsity)
            {
                int count = Math.Min(m - 1, (int)Math.Floor(sparsity * m));
                var norms = Enumerable.Range(0, m).Select(i => { double s = 0; for (int j = 0; j < k; j++) s += Math.Abs(w[(long)i * k + j]); return s; }).ToArray();
                foreach (int i in Enumerable.Range(0, m).OrderBy(i => norms[i]).ThenBy(i => i).Take(count))
                    for (int j = 0; j < k; j++) w[(long)i * k + j] = 0;
                return count;
            }

            // ---------------- low rank ----------------

            /// <summary>
            /// Replaces the layer by two: W ≈ A·B with A [M, r], B [r, K]. Conv: Conv(k×k, C→r, the layer's geometry, no
            /// bias) then Conv(1×1, r→M, bias). MatMul: MatMul(x, Bᵀ) then MatMul(·, Aᵀ). Gemm: MatMul(x, Bᵀ) then Gemm(·, Aᵀ, C).
            /// Each factor is then quantized when a quantizer is asked for. Returns the effective weight.
            /// </summary>
            private double[] Factor(Layer layer, int rank, double[] a, double[] b, out long bytes, out string? quantizer)
            {
                quantizer = null;
                var node = layer.Node;
                string hidden = _names.Fresh(layer.Name + "_lowrank");
                var first = new NodeProto { Name = _names.Fresh(layer.Name + "_lowrank_in"), OpType = node.OpType == "Conv" ? "Conv" : "MatMul", Domain = node.Domain };
                var second = new NodeProto { Name = _names.Fresh(layer.Name + "_lowrank_out"), OpType = node.OpType, Domain = node.Domain };
                string w1 = _names.Fresh(layer.Weight.Name + "_lowrank_in"), w2 = _names.Fresh(layer.Weight.Name + "_lowrank_out");
                first.Input.Add(node.Input[0]);
                first.Input.Add(w1);
                first.Output.Add(hidden);
                second.Input.Add(hidden);
                second.Input.Add(w2);
                for (int i = 2; i < node.Input.Count; i++) second.Input.Add(node.Input[i]);
                second.Output.AddRange(node.Output);
                Layer l1, l2;
                if (node.OpType == "Conv")
                {
                    foreach (var attr in node.Attribute) first.Attribute.Add(attr.Clone());
                    int spatial = layer.Dims.Length - 2;
                    second.Attribute.Add(Ints("kernel_shape", Enumerable.Repeat(1L, spatial)));
                    var d1 = new long[] { rank }.Concat(layer.Dims.Skip(1)).ToArray();
                    var d2 = new long[] { layer.M, rank }.Concat(Enumerable.Repeat(1L, spatial)).ToArray();
                    l1 = NewLayer(first, w1, d1, false, rank, layer.K, b);
                    l2 = NewLayer(second, w2, d2, false, layer.M, rank, a);
                }
                else
                {
                    // Second layer: Gemm keeps alpha/beta/C and reads the factor as [r, N] (transB = 0).
                    foreach (var attr in node.Attribute) if (attr.Name != "transB") second.Attribute.Add(attr.Clone());
                    l1 = NewLayer(first, w1, new long[] { layer.K, rank }, true, rank, layer.K, b);
                    l2 = NewLayer(second, w2, new long[] { rank, layer.M }, true, layer.M, rank, a);
                }
                l2.Inner = true; // xnor binarizes the layer's input, not the factors' hidden values
                _replace[node] = new List<NodeProto> { first, second };
                _removedInitializers.Add(layer.Weight.Name);

                double[] effA = a, effB = b;
                bytes = 4L * rank * (layer.M + layer.K);
                if (_options.Quantization != WeightQuantization.None)
                {
                    var qb = Quantize(l1, b, (first, 1), out long b1, out string name1, out string? problem1);
                    var qa = Quantize(l2, a, (second, 1), out long b2, out _, out string? problem2);
                    quantizer = qb is null && qa is null ? name1 + " skipped: " + problem1
                        : qb is null || qa is null ? name1 + " (one factor float: " + (problem1 ?? problem2) + ")" : name1;
                    // A factor the quantizer cannot take stays float.
                    if (qb is null) { AddFloat(l1); b1 = 4L * rank * layer.K; } else effB = qb;
                    if (qa is null) { AddFloat(l2); b2 = 4L * rank * layer.M; } else effA = qa;
                    bytes = b1 + b2;
                }
                else
                {
                    AddFloat(l1);
                    AddFloat(l2);
                }
                var product = new double[(long)layer.M * layer.K];
                for (int i = 0; i < layer.M; i++)
                    for (int t = 0; t < rank; t++)
                    {
                        double ait = effA[i * rank + t];
                        if (ait == 0) continue;
                        for (int j = 0; j < layer.K; j++) product[(long)i * layer.K + j] += ait * effB[(long)t * layer.K + j];
                    }
                return product;
            }

            private static Layer NewLayer(NodeProto node, string weightName, long[] dims, bool transposed, int m, int k, double[] rows) =>
                new() { Node = node, Name = node.Name, Weight = new TensorProto { Name = weightName, DataType = (int)TensorProto.Types.DataType.Float }, Dims = dims, Transposed = transposed, M = m, K = k, W = rows };

            private void AddFloat(Layer l)
            {
                var t = FloatTensor(l.Weight.Name, ToLayout(l, l.W), l.Dims);
                _newInitializers.Add(t);
            }

            // ---------------- quantizers ----------------

            /// <summary>
            /// Quantizes the layer's weight (rows w) with the model's quantizer: rewrites the graph and returns the
            /// dequantized weight, or null with the reason when the quantizer does not apply.
            /// </summary>
            private double[]? Quantize(Layer layer, double[] w, (NodeProto Node, int Input) use, out long bytes, out string name, out string? problem)
            {
                bytes = 0;
                problem = null;
                var q = _options.Quantization;
                name = q switch
                {
                    WeightQuantization.ProductQuantization => $"pq {_options.PqDimension}x{_options.Centroids}",
                    WeightQuantization.Cluster => $"cluster {_options.Centroids}",
                    WeightQuantization.Int4 when !Int4Native => "int4 (int8 storage)",
                    _ => CompressionOptions.Name(q),
                };
                if (layer.Node.OpType == "Gemm" && Int(layer.Node, "transA", 0) != 0) { problem = "Gemm with transA"; return null; }
                switch (q)
                {
                    case WeightQuantization.Int4:
                    case WeightQuantization.Binary:
                    case WeightQuantization.Xnor:
                        if (_opset < 13) { problem = "per-channel DequantizeLinear needs opset 13"; return null; }
                        return SymmetricWeights(layer, w, q, out bytes);
                    case WeightQuantization.Int8:
                        if (_opset < 11) { problem = "DynamicQuantizeLinear needs opset 11"; return null; }
                        // Grouped (depthwise) convolutions stay float: they hold a few percent of a network's weights,
                        // and ModelGen's float depthwise kernels are several times faster than its integer ones (and
                        // ONNX Runtime's ConvInteger) on them — measured on MobileNetV2, docs/compression.md.
                        if (layer.Node.OpType == "Conv" && Int(layer.Node, "group", 1) != 1) { problem = "grouped convolution kept float (int8 depthwise is slower)"; return null; }
                        return DynamicInt8(layer, w, out bytes, out problem);
                    case WeightQuantization.ProductQuantization:
                        if (layer.K % _options.PqDimension != 0) { problem = $"reduction length {layer.K} is not a multiple of {_options.PqDimension}"; return null; }
                        long subspaces = layer.K / _options.PqDimension, centroids = Math.Min(_options.Centroids, layer.M);
                        if ((long)layer.M * subspaces + 4 * subspaces + 4 * centroids * _options.PqDimension * subspaces >= 4L * layer.M * layer.K)
                        { problem = $"codebooks of {centroids} centroids for {layer.M} output channels would not be smaller than the weights"; return null; }
                        return ProductQuantize(layer, w, out bytes);
                    case WeightQuantization.Cluster:
                        return Cluster(layer, w, out bytes);
                }
                problem = "no quantizer";
                return null;
            }

            /// <summary>int4, binary, xnor: integer weights and one scale per output channel behind DequantizeLinear.</summary>
            private double[] SymmetricWeights(Layer layer, double[] w, WeightQuantization q, out long bytes)
            {
                int m = layer.M, k = layer.K;
                var scales = new float[m];
                var values = new sbyte[(long)m * k];
                var approx = new double[w.Length];
                for (int i = 0; i < m; i++)
                {
                    double max = 0, sum = 0;
                    for (int j = 0; j < k; j++) { double a = Math.Abs(w[(long)i * k + j]); max = Math.Max(max, a); sum += a; }
                    float s = q == WeightQuantization.Int4 ? (float)(max / 7) : (float)(sum / k);
                    if (!(s > 0) || float.IsInfinity(s)) s = 1;
                    scales[i] = s;
                    for (int j = 0; j < k; j++)
                    {
                        long idx = (long)i * k + j;
                        int v = q == WeightQuantization.Int4 ? (int)Math.Max(-8, Math.Min(7, Math.Round(w[idx] / s, MidpointRounding.ToEven))) : w[idx] >= 0 ? 1 : -1;
                        values[idx] = (sbyte)v;
                        approx[idx] = (double)s * v;
                    }
                }
                string qName = _names.Fresh(layer.Weight.Name + (q == WeightQuantization.Int4 ? "_int4" : "_binary"));
                string sName = _names.Fresh(layer.Weight.Name + "_scale");
                var stored = ToLayout(layer, values.Select(v => (double)v).ToArray());
                TensorProto qt;
                if (q == WeightQuantization.Int4 && Int4Native)
                {
                    var packed = new byte[(stored.Length + 1) / 2];
                    for (int i = 0; i < stored.Length; i++)
                        packed[i / 2] |= (byte)(((int)stored[i] & 0xF) << (i % 2 == 0 ? 0 : 4));
                    qt = Raw(qName, TensorProto.Types.DataType.Int4, packed, layer.Dims);
                }
                else qt = Raw(qName, TensorProto.Types.DataType.Int8, stored.Select(v => unchecked((byte)(sbyte)v)).ToArray(), layer.Dims);
                _newInitializers.Add(qt);
                _newInitializers.Add(FloatTensor(sName, scales.Select(x => (double)x).ToArray(), new long[] { m }));
                var dq = new NodeProto { Name = _names.Fresh(layer.Name + "_dequantize"), OpType = "DequantizeLinear" };
                dq.Input.Add(qName);
                dq.Input.Add(sName);
                string output = _names.Fresh(layer.Weight.Name + "_dequantized");
                dq.Output.Add(output);
                dq.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = layer.Transposed ? 1 : 0 });
                Before(layer.Node, dq);
                layer.Node.Input[1] = output;
                _removedInitializers.Add(layer.Weight.Name);
                if (q == WeightQuantization.Xnor && !layer.Inner)
                {
                    var sign = new NodeProto { Name = _names.Fresh(layer.Name + "_sign"), OpType = "Sign" };
                    sign.Input.Add(layer.Node.Input[0]);
                    string signed = _names.Fresh(layer.Node.Input[0] + "_sign");
                    sign.Output.Add(signed);
                    Before(layer.Node, sign);
                    layer.Node.Input[0] = signed;
                }
                long n = (long)m * k;
                bytes = (q == WeightQuantization.Int4 ? (n + 1) / 2 : (n + 7) / 8) + 4L * m;
                return approx;
            }

            /// <summary>
            /// ONNX Runtime's quantize_dynamic form: DynamicQuantizeLinear(x) → MatMulInteger/ConvInteger → Cast → Mul(x scale ·
            /// per-channel weight scales) → Add(bias). Weights per-output-channel symmetric int8 (ConvInteger: uint8 with zero
            /// point 128, the only weight type ONNX Runtime's ConvInteger kernel takes).
            /// </summary>
            private double[]? DynamicInt8(Layer layer, double[] w, out long bytes, out string? problem)
            {
                bytes = 0;
                problem = null;
                var node = layer.Node;
                int m = layer.M, k = layer.K;
                bool conv = node.OpType == "Conv";
                double alpha = node.OpType == "Gemm" ? Float(node, "alpha", 1) : 1, beta = node.OpType == "Gemm" ? Float(node, "beta", 1) : 1;
                string? bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null;
                if (bias is not null && beta != 1 && !_initializers.ContainsKey(bias)) { problem = "Gemm with beta ≠ 1 and a run-time C"; return null; }
                if (conv && Str(node, "auto_pad", "NOTSET") is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER")) { problem = "auto_pad"; return null; }

                var scales = new float[m];
                var values = new int[(long)m * k];
                var approx = new double[w.Length];
                for (int i = 0; i < m; i++)
                {
                    double max = 0;
                    for (int j = 0; j < k; j++) max = Math.Max(max, Math.Abs(w[(long)i * k + j]));
                    float s = (float)(max / 127);
                    if (!(s > 0) || float.IsInfinity(s)) s = 1;
                    scales[i] = s;
                    for (int j = 0; j < k; j++)
                    {
                        long idx = (long)i * k + j;
                        int v = (int)Math.Max(-127, Math.Min(127, Math.Round(w[idx] / s, MidpointRounding.ToEven)));
                        values[idx] = v;
                        approx[idx] = (double)s * v;
                    }
                }
                string prefix = layer.Name;
                string xq = _names.Fresh(prefix + "_xq"), xs = _names.Fresh(prefix + "_xscale"), xz = _names.Fresh(prefix + "_xzero");
                string wq = _names.Fresh(layer.Weight.Name + "_int8"), wz = _names.Fresh(layer.Weight.Name + "_zero"), ws = _names.Fresh(layer.Weight.Name + "_scale");
                string acc = _names.Fresh(prefix + "_int32"), accf = _names.Fresh(prefix + "_float"), scale = _names.Fresh(prefix + "_scale"), prod = _names.Fresh(prefix + "_scaled");
                var nodes = new List<NodeProto>();
                nodes.Add(_names.MakeNode("DynamicQuantizeLinear", prefix + "_quantize", new[] { node.Input[0] }, new[] { xq, xs, xz }));
                int spatial = conv ? layer.Dims.Length - 2 : 0;
                long[] channelShape = conv ? new long[] { m }.Concat(Enumerable.Repeat(1L, spatial)).ToArray() : new long[] { m };
                if (conv)
                {
                    _newInitializers.Add(Raw(wq, TensorProto.Types.DataType.Uint8, values.Select(v => (byte)(v + 128)).ToArray(), layer.Dims));
                    _newInitializers.Add(Raw(wz, TensorProto.Types.DataType.Uint8, new byte[] { 128 }, Array.Empty<long>()));
                    var ci = _names.MakeNode("ConvInteger", prefix + "_convinteger", new[] { xq, wq, xz, wz }, new[] { acc });
                    foreach (var attr in node.Attribute) ci.Attribute.Add(attr.Clone());
                    nodes.Add(ci);
                }
                else
                {
                    var stored = ToLayout(layer, values.Select(v => (double)v).ToArray());
                    // MatMulInteger wants B as [K, N]: a Gemm with transB = 1 stores [N, K].
                    var dims = layer.Transposed ? layer.Dims : new long[] { k, m };
                    if (!layer.Transposed)
                    {
                        stored = new double[(long)m * k];
                        for (int i = 0; i < m; i++)
                            for (int j = 0; j < k; j++) stored[(long)j * m + i] = values[(long)i * k + j];
                    }
                    _newInitializers.Add(Raw(wq, TensorProto.Types.DataType.Int8, stored.Select(v => unchecked((byte)(sbyte)v)).ToArray(), dims));
                    _newInitializers.Add(Raw(wz, TensorProto.Types.DataType.Int8, new byte[] { 0 }, Array.Empty<long>()));
                    nodes.Add(_names.MakeNode("MatMulInteger", prefix + "_matmulinteger", new[] { xq, wq, xz, wz }, new[] { acc }));
                }
                _newInitializers.Add(FloatTensor(ws, scales.Select(x => (double)x * alpha).ToArray(), channelShape));
                var cast = _names.MakeNode("Cast", prefix + "_cast", new[] { acc }, new[] { accf });
                cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
                nodes.Add(cast);
                nodes.Add(_names.MakeNode("Mul", prefix + "_scale_product", new[] { xs, ws }, new[] { scale }));
                string finalOutput = node.Output[0];
                if (bias is null)
                    nodes.Add(_names.MakeNode("Mul", prefix + "_rescale", new[] { accf, scale }, new[] { finalOutput }));
                else
                {
                    nodes.Add(_names.MakeNode("Mul", prefix + "_rescale", new[] { accf, scale }, new[] { prod }));
                    string biasName = bias;
                    if (_initializers.TryGetValue(bias, out var b) && (conv || beta != 1))
                    {
                        var values2 = ReadFloats(b).Select(v => v * beta).ToArray();
                        biasName = _names.Fresh(bias + "_bias");
                        _newInitializers.Add(FloatTensor(biasName, values2, conv ? channelShape : b.Dims.ToArray()));
                        if (_uses.TryGetValue(bias, out int biasUses) && biasUses == 1 && !_graph.Output.Any(o => o.Name == bias)) _removedInitializers.Add(bias);
                    }
                    else if (conv)
                    {
                        // A bias computed in the graph (e.g. an Identity of a shared initializer): reshaped to [M, 1, ...] at run time.
                        string shapeName = _names.Fresh(bias + "_shape");
                        _newInitializers.Add(Raw(shapeName, TensorProto.Types.DataType.Int64, channelShape.SelectMany(BitConverter.GetBytes).ToArray(), new long[] { channelShape.Length }));
                        biasName = _names.Fresh(bias + "_channels");
                        nodes.Add(_names.MakeNode("Reshape", prefix + "_bias_shape", new[] { bias, shapeName }, new[] { biasName }));
                    }
                    nodes.Add(_names.MakeNode("Add", prefix + "_bias", new[] { prod, biasName }, new[] { finalOutput }));
                }
                _replace[node] = nodes;
                _removedInitializers.Add(layer.Weight.Name);
                long n = (long)m * k;
                bytes = n + 4L * m;
                return approx; // compared with the weights before Gemm's alpha, like the original
            }

            /// <summary>
            /// Product quantization: each row split into sub-vectors of d consecutive elements; per sub-space (column block),
            /// k-means over the M sub-vectors. Written as uint8 indices [M, S] + cumulative offsets [S] + one float codebook
            /// [T, d], reconstructed by Cast → Add → Gather → Reshape (→ Transpose).
            /// </summary>
            private double[] ProductQuantize(Layer layer, double[] w, out long bytes)
            {
                int m = layer.M, k = layer.K, d = _options.PqDimension, s = k / d;
                var random = new SeededRandom(Seed ^ StableHash(layer.Name));
                var indices = new byte[(long)m * s];
                var offsets = new int[s];
                var codebook = new List<double>();
                var approx = new double[w.Length];
                int total = 0;
                var points = new double[m * d];
                for (int j = 0; j < s; j++)
                {
                    for (int i = 0; i < m; i++)
                        for (int t = 0; t < d; t++) points[i * d + t] = w[(long)i * k + j * d + t];
                    var (c, kk, assign) = LinearAlgebra.KMeans(points, m, d, _options.Centroids, random);
                    offsets[j] = total;
                    for (int x = 0; x < kk * d; x++) codebook.Add((float)c[x]);
                    for (int i = 0; i < m; i++)
                    {
                        indices[(long)i * s + j] = (byte)assign[i];
                        for (int t = 0; t < d; t++) approx[(long)i * k + j * d + t] = (float)c[assign[i] * d + t];
                    }
                    total += kk;
                    if (j % 8 == 7 || j == s - 1) _progress?.Invoke(layer.Name, (j + 1.0) / s);
                }
                string idx = _names.Fresh(layer.Weight.Name + "_pq_indices"), off = _names.Fresh(layer.Weight.Name + "_pq_offsets"), book = _names.Fresh(layer.Weight.Name + "_pq_codebook");
                string shape = _names.Fresh(layer.Weight.Name + "_pq_shape");
                _newInitializers.Add(Raw(idx, TensorProto.Types.DataType.Uint8, indices, new long[] { m, s }));
                _newInitializers.Add(Raw(off, TensorProto.Types.DataType.Int32, offsets.SelectMany(BitConverter.GetBytes).ToArray(), new long[] { s }));
                _newInitializers.Add(FloatTensor(book, codebook.ToArray(), new long[] { total, d }));
                var rowShape = layer.Transposed ? new long[] { m, k } : layer.Dims;
                _newInitializers.Add(Raw(shape, TensorProto.Types.DataType.Int64, rowShape.SelectMany(BitConverter.GetBytes).ToArray(), new long[] { rowShape.Length }));
                string i32 = _names.Fresh(idx + "_int32"), global = _names.Fresh(idx + "_global"), gathered = _names.Fresh(book + "_gathered"), rows = _names.Fresh(layer.Weight.Name + "_pq");
                var cast = _names.MakeNode("Cast", layer.Name + "_pq_cast", new[] { idx }, new[] { i32 });
                cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Int32 });
                Before(layer.Node, cast);
                Before(layer.Node, _names.MakeNode("Add", layer.Name + "_pq_offset", new[] { i32, off }, new[] { global }));
                Before(layer.Node, _names.MakeNode("Gather", layer.Name + "_pq_gather", new[] { book, global }, new[] { gathered }));
                Before(layer.Node, _names.MakeNode("Reshape", layer.Name + "_pq_reshape", new[] { gathered, shape }, new[] { rows }));
                string weight = rows;
                if (layer.Transposed)
                {
                    weight = _names.Fresh(layer.Weight.Name + "_pq_t");
                    var tr = _names.MakeNode("Transpose", layer.Name + "_pq_transpose", new[] { rows }, new[] { weight });
                    tr.Attribute.Add(Ints("perm", new long[] { 1, 0 }));
                    Before(layer.Node, tr);
                }
                layer.Node.Input[1] = weight;
                _removedInitializers.Add(layer.Weight.Name);
                bytes = (long)m * s + 4L * s + 4L * total * d;
                return approx;
            }

            /// <summary>Weight sharing: 1-D k-means of all the layer's weights (linear initialisation), uint8 indices + codebook through Cast → Gather.</summary>
            private double[] Cluster(Layer layer, double[] w, out long bytes)
            {
                int k = _options.Centroids;
                double min = w.Min(), max = w.Max();
                var c = Enumerable.Range(0, k).Select(i => k == 1 ? min : min + (max - min) * i / (k - 1)).Distinct().ToArray();
                var assign = new int[w.Length];
                for (int it = 0; it < 30; it++)
                {
                    Array.Sort(c);
                    var sums = new double[c.Length];
                    var counts = new int[c.Length];
                    for (long i = 0; i < w.Length; i++)
                    {
                        int j = Nearest(c, w[i]);
                        assign[i] = j;
                        sums[j] += w[i];
                        counts[j]++;
                    }
                    bool moved = false;
                    for (int j = 0; j < c.Length; j++)
                        if (counts[j] > 0 && sums[j] / counts[j] != c[j]) { c[j] = sums[j] / counts[j]; moved = true; }
                    if (!moved) break;
                }
                Array.Sort(c);
                var book = c.Select(x => (double)(float)x).ToArray();
                var idx = new byte[w.Length];
                var approx = new double[w.Length];
                for (long i = 0; i < w.Length; i++)
                {
                    int j = Nearest(book, w[i]);
                    idx[i] = (byte)j;
                    approx[i] = book[j];
                }
                string iName = _names.Fresh(layer.Weight.Name + "_cluster_indices"), bName = _names.Fresh(layer.Weight.Name + "_cluster_codebook");
                _newInitializers.Add(Raw(iName, TensorProto.Types.DataType.Uint8, ToLayout(layer, idx.Select(x => (double)x).ToArray()).Select(x => (byte)x).ToArray(), layer.Dims));
                _newInitializers.Add(FloatTensor(bName, book, new long[] { book.Length }));
                string i32 = _names.Fresh(iName + "_int32"), weight = _names.Fresh(layer.Weight.Name + "_clustered");
                var cast = _names.MakeNode("Cast", layer.Name + "_cluster_cast", new[] { iName }, new[] { i32 });
                cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Int32 });
                Before(layer.Node, cast);
                Before(layer.Node, _names.MakeNode("Gather", layer.Name + "_cluster_gather", new[] { bName, i32 }, new[] { weight }));
                layer.Node.Input[1] = weight;
                _removedInitializers.Add(layer.Weight.Name);
                int bits = 1;
                while ((1 << bits) < book.Length) bits++;
                bytes = (w.LongLength * bits + 7) / 8 + 4L * book.Length;
                return approx;
            }

            private static int Nearest(double[] sorted, double x)
            {
                int lo = 0, hi = sorted.Length - 1;
                while (lo < hi)
                {
                    int mid = (lo + hi) / 2;
                    if (x > (sorted[mid] + sorted[mid + 1]) / 2) lo = mid + 1; else hi = mid;
                }
                return lo;
            }

            // ---------------- graph editing ----------------

            private void Before(NodeProto node, NodeProto add)
            {
                if (!_before.TryGetValue(node, out var list)) _before[node] = list = new List<NodeProto>();
                list.Add(add);
            }

            private void WriteFloats(Layer layer, double[] w)
            {
                var t = FloatTensor(layer.Weight.Name, ToLayout(layer, w), layer.Dims);
                layer.Weight.RawData = t.RawData;
                layer.Weight.FloatData.Clear();
            }

            private void Rebuild()
            {
                var nodes = new List<NodeProto>();
                void Emit(NodeProto n)
                {
                    // Constant reconstruction and Sign nodes first, then the node or, recursively, what replaced it.
                    if (_before.TryGetValue(n, out var pre)) nodes.AddRange(pre);
                    if (_replace.TryGetValue(n, out var replaced)) foreach (var r in replaced) Emit(r);
                    else nodes.Add(n);
                }
                foreach (var node in _graph.Node) Emit(node);
                _graph.Node.Clear();
                _graph.Node.AddRange(nodes);
                var keepInits = _graph.Initializer.Where(t => !_removedInitializers.Contains(t.Name)).ToList();
                _graph.Initializer.Clear();
                _graph.Initializer.AddRange(keepInits);
                _graph.Initializer.AddRange(_newInitializers);
                // A graph input that named a removed initializer (IR < 4 style) goes too.
                var inputs = _graph.Input.Where(i => !_removedInitializers.Contains(i.Name)).ToList();
                _graph.Input.Clear();
                _graph.Input.AddRange(inputs);
                var byName = _graph.ValueInfo.Where(v => !_removedInitializers.Contains(v.Name)).ToList();
                _graph.ValueInfo.Clear();
                _graph.ValueInfo.AddRange(byName);
            }

            /// <summary>Rows (W[M, K]) back to the initializer's layout.</summary>
            private static double[] ToLayout(Layer layer, double[] rows)
            {
                if (!layer.Transposed) return rows;
                var result = new double[rows.Length];
                for (int i = 0; i < layer.M; i++)
                    for (int j = 0; j < layer.K; j++) result[(long)j * layer.M + i] = rows[(long)i * layer.K + j];
                return result;
            }

            internal static double OutputDeviation(double[] w, double[] approx, int m, int k, string name, bool signInputs)
            {
                var random = new SeededRandom(Seed ^ StableHash(name) ^ 0x0DE7);
                double num = 0, den = 0;
                var x = new double[k];
                for (int sample = 0; sample < DeviationSamples; sample++)
                {
                    for (int j = 0; j < k; j++) { x[j] = random.NextDouble() * 2 - 1; if (signInputs) x[j] = x[j] >= 0 ? 1 : -1; }
                    for (int i = 0; i < m; i++)
                    {
                        double y = 0, yh = 0;
                        for (int j = 0; j < k; j++) { y += w[(long)i * k + j] * x[j]; yh += approx[(long)i * k + j] * x[j]; }
                        num += (y - yh) * (y - yh);
                        den += y * y;
                    }
                }
                return den > 0 ? Math.Sqrt(num / den) : num > 0 ? 1 : 0;
            }
        }

        // ---------------- helpers ----------------

        /// <summary>
        /// The names a graph already uses (initializers, inputs, outputs, node names and node outputs) and the node and
        /// value names a compression run adds: each new one is the wanted name, or it with the first free _1, _2, ...
        /// </summary>
        private sealed class GraphNames
        {
            private readonly HashSet<string> _used = new(StringComparer.Ordinal);

            public GraphNames(GraphProto graph)
            {
                foreach (var t in graph.Initializer) _used.Add(t.Name);
                foreach (var n in graph.Node) { foreach (var o in n.Output) _used.Add(o); _used.Add(n.Name); }
                foreach (var v in graph.Input) _used.Add(v.Name);
                foreach (var v in graph.Output) _used.Add(v.Name);
            }

            public string Fresh(string baseName)
            {
                string name = baseName;
                for (int i = 1; _used.Contains(name); i++) name = baseName + "_" + i.ToString(CultureInfo.InvariantCulture);
                _used.Add(name);
                return name;
            }

            public NodeProto MakeNode(string op, string name, string[] inputs, string[] outputs)
            {
                var n = new NodeProto { OpType = op, Name = Fresh(name) };
                n.Input.AddRange(inputs);
                n.Output.AddRange(outputs);
                return n;
            }
        }

        /// <summary>Nodes by identity: protobuf messages compare by value, and the compressor edits them.</summary>
        private sealed class ByReference : IEqualityComparer<NodeProto>
        {
            public static readonly ByReference Instance = new();
            public bool Equals(NodeProto? a, NodeProto? b) => ReferenceEquals(a, b);
            public int GetHashCode(NodeProto n) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(n);
        }

        /// <summary>"6.95%": invariant, no space.</summary>
        internal static string Percent(double fraction, int decimals = 2) =>
            (fraction * 100).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + "%";

        internal static string NodeName(NodeProto n) => n.Name.Length > 0 ? n.Name : $"{n.OpType}({string.Join(",", n.Output)})";

        private static double RelativeError(double[] a, double[] b)
        {
            double num = 0, den = 0;
            for (long i = 0; i < a.Length; i++) { num += (a[i] - b[i]) * (a[i] - b[i]); den += a[i] * a[i]; }
            return den > 0 ? Math.Sqrt(num / den) : num > 0 ? 1 : 0;
        }

        /// <summary>FNV-1a of the ordinal characters: a seed that does not depend on string.GetHashCode's randomization.</summary>
        internal static int StableHash(string s)
        {
            unchecked
            {
                uint h = 2166136261;
                foreach (char c in s) { h ^= c; h *= 16777619; }
                return (int)(h & 0x7FFFFFFF);
            }
        }

        private static long Int(NodeProto n, string name, long fallback) => n.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

        private static double Float(NodeProto n, string name, double fallback) => n.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;

        private static string Str(NodeProto n, string name, string fallback) => n.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.S.ToStringUtf8() : fallback;

        private static AttributeProto Ints(string name, IEnumerable<long> values)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(values);
            return a;
        }

        internal static double[] ReadFloats(TensorProto t)
        {
            if (t.FloatData.Count > 0) return t.FloatData.Select(f => (double)f).ToArray();
            var raw = t.RawData.ToByteArray();
            var result = new double[raw.Length / 4];
            for (int i = 0; i < result.Length; i++) result[i] = BitConverter.ToSingle(raw, i * 4);
            return result;
        }

        internal static TensorProto FloatTensor(string name, double[] values, long[] dims)
        {
            var bytes = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++)
            {
                var b = BitConverter.GetBytes((float)values[i]);
                if (!BitConverter.IsLittleEndian) Array.Reverse(b);
                Buffer.BlockCopy(b, 0, bytes, i * 4, 4);
            }
            return Raw(name, TensorProto.Types.DataType.Float, bytes, dims);
        }

        private static TensorProto Raw(string name, TensorProto.Types.DataType type, byte[] raw, long[] dims)
        {
            var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
            t.Dims.AddRange(dims);
            return t;
        }
    }
}
