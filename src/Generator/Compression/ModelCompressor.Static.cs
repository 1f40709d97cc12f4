using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;

namespace ModelGen.Compression
{
    /// <summary>
    /// int8-static: the QDQ model ONNX Runtime's quantize_static writes (QuantFormat.QDQ, uint8 activations, int8
    /// per-channel weights). The activation ranges come from running the float model, which the compiler cannot do:
    /// <see cref="CalibrationTensors"/> says which tensors to observe, the caller (modelgen compress, through ONNX Runtime)
    /// measures their min/max over calibration inputs, and <see cref="CompressCalibrated"/> writes the model.
    /// </summary>
    public static partial class ModelCompressor
    {
        /// <summary>The float tensors whose ranges int8-static needs, in node order (graph inputs first).</summary>
        public static IReadOnlyList<string> CalibrationTensors(ModelProto model, CompressionOptions options)
        {
            if (model.Graph is null || options.Quantization != WeightQuantization.Int8Static) return Array.Empty<string>();
            var plan = new StaticPlan(model, options);
            return plan.Tensors.Where(t => !plan.SameAs.ContainsKey(t)).ToList();
        }

        /// <summary>
        /// int8-static with the measured ranges (min, max) of the tensors <see cref="CalibrationTensors"/> named. A tensor
        /// without a range stays float (reported in the notes); other techniques go through <see cref="Compress"/>.
        /// </summary>
        public static (ModelProto Model, CompressionReport Report) CompressCalibrated(ModelProto source, CompressionOptions options,
            IReadOnlyDictionary<string, (float Min, float Max)> ranges, Action<string, double>? progress = null)
        {
            if (options.Quantization != WeightQuantization.Int8Static) return Compress(source, options, progress);
            var model = source.Clone();
            var report = new CompressionReport { Options = options.ToString() };
            if (model.Graph is null) return (model, report);
            new StaticRun(model, options, report, ranges, progress).Execute();
            return (model, report);
        }

        /// <summary>Which layers and tensors int8-static quantizes (the same answer for calibration and for writing).</summary>
        private sealed class StaticPlan
        {
            public readonly List<(NodeProto Node, string? Problem)> Layers = new();
            public readonly HashSet<NodeProto> Quantized = new(ByReference.Instance);
            /// <summary>Activation tensors that get a QuantizeLinear → DequantizeLinear pair, in producer order.</summary>
            public readonly List<string> Tensors = new();
            /// <summary>Outputs of data-movement ops (Flatten, Reshape, ...) quantized with their input's parameters, as ORT does.</summary>
            public readonly Dictionary<string, string> SameAs = new(StringComparer.Ordinal);
            public readonly Dictionary<string, TensorProto> Initializers = new(StringComparer.Ordinal);
            public readonly Dictionary<string, int> Uses = new(StringComparer.Ordinal);
            public readonly int Opset;

            /// <summary>Ops that keep a float tensor float (how float activations are told from shape arithmetic without shape inference).</summary>
            private static readonly HashSet<string> FloatOps = new(StringComparer.Ordinal)
            {
                "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish",
                "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Concat", "Flatten", "Reshape", "Transpose", "Squeeze",
                "Unsqueeze", "BatchNormalization", "Softmax", "Identity", "Dropout", "Pad", "Resize", "ReduceMean",
            };

            /// <summary>ORT's QDQ ops whose inputs and output it quantizes with their own ranges (besides the weighted layers).</summary>
            private static readonly HashSet<string> QuantizedOps = new(StringComparer.Ordinal) { "Add", "Concat", "MaxPool", "AveragePool", "GlobalAveragePool" };

            /// <summary>ORT's Direct8BitOps: the output takes the input's scale and zero point, so the op can run on the integers.</summary>
            private static readonly HashSet<string> DataMovementOps = new(StringComparer.Ordinal) { "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze" };

            public StaticPlan(ModelProto model, CompressionOptions options)
            {
                var graph = model.Graph;
                Opset = (int)(model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0);
                foreach (var t in graph.Initializer) Initializers[t.Name] = t;
                foreach (var n in graph.Node)
                    foreach (var i in n.Input) Uses[i] = Uses.TryGetValue(i, out int c) ? c + 1 : 1;
                var outputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
                var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
                foreach (var n in graph.Node)
                    foreach (var i in n.Input.Distinct())
                    {
                        if (!consumers.TryGetValue(i, out var list)) consumers[i] = list = new List<NodeProto>();
                        list.Add(n);
                    }

                // Float activations: float graph inputs (not initializers) and what float ops make of them.
                var isFloat = new HashSet<string>(StringComparer.Ordinal);
                foreach (var v in graph.Input)
                    if (!Initializers.ContainsKey(v.Name) && v.Type?.TensorType?.ElemType == (int)TensorProto.Types.DataType.Float) isFloat.Add(v.Name);
                foreach (var n in graph.Node)
                    if (n.Domain is "" or "ai.onnx" && FloatOps.Contains(n.OpType) && n.Input.Count > 0 && isFloat.Contains(n.Input[0]))
                        isFloat.Add(n.Output[0]);

                // Below opset 13 nothing is quantized (per-axis DequantizeLinear), so no activation pairs either.
                if (Opset < 13) isFloat.Clear();
                var marked = new HashSet<string>(StringComparer.Ordinal);
                var order = new List<string>();
                void Mark(string name)
                {
                    if (name.Length > 0 && isFloat.Contains(name) && marked.Add(name)) order.Add(name);
                }

                // Weighted layers: the candidates of the other quantizers, plus an opset check for per-channel QDQ.
                var candidates = new List<NodeProto>();
                foreach (var node in graph.Node)
                {
                    if (node.Domain is not ("" or "ai.onnx") || node.OpType is not ("Conv" or "Gemm" or "MatMul")) continue;
                    string? problem = null;
                    if (node.Input.Count < 2 || !Initializers.TryGetValue(node.Input[1], out var w)) problem = "weight is not a constant";
                    else if (w.DataType != (int)TensorProto.Types.DataType.Float) problem = "weight is not float";
                    else if (w.DataLocation == TensorProto.Types.DataLocation.External) problem = "weight is in external data";
                    else if (Uses[node.Input[1]] > 1 || outputs.Contains(node.Input[1])) problem = "weight is shared with other nodes";
                    else if (node.OpType == "Conv" ? w.Dims.Count < 3 : w.Dims.Count != 2) problem = "weight rank";
                    else if (node.OpType == "Gemm" && Int(node, "transA", 0) != 0) problem = "Gemm with transA";
                    else if (Opset < 13) problem = "per-channel QDQ needs opset 13";
                    else if (!isFloat.Contains(node.Input[0])) problem = "input is not a float activation";
                    Layers.Add((node, problem));
                    if (problem is null) candidates.Add(node);
                }
                var keep = Kept(candidates, options);
                foreach (var node in candidates)
                    if (!keep.Contains(node)) Quantized.Add(node);
                for (int i = 0; i < Layers.Count; i++)
                    if (Layers[i].Problem is null && keep.Contains(Layers[i].Node)) Layers[i] = (Layers[i].Node, "kept float");

                foreach (var node in graph.Node)
                {
                    if (Quantized.Contains(node))
                    {
                        Mark(node.Input[0]);
                        // A Relu or Clip right after the layer: its output is quantized instead (the group ORT fuses;
                        // with the calibrated range, the activation's clamp is the quantization's own).
                        string y = node.Output[0];
                        if (!outputs.Contains(y) && consumers.TryGetValue(y, out var next) && next.Count == 1 && next[0].OpType is "Relu" or "Clip"
                            && next[0].Domain is "" or "ai.onnx" && next[0].Input[0] == y)
                            y = next[0].Output[0];
                        Mark(y);
                    }
                    else if (node.Domain is "" or "ai.onnx" && QuantizedOps.Contains(node.OpType) && node.Output.Count == 1)
                    {
                        // Only ops between activations (a constant addend would need its own quantization).
                        if (node.Input.Count == 0 || node.Input.Any(i => i.Length == 0 || !isFloat.Contains(i))) continue;
                        foreach (var i in node.Input) Mark(i);
                        Mark(node.Output[0]);
                    }
                }
                foreach (var node in graph.Node)
                {
                    if (node.Domain is not ("" or "ai.onnx") || !DataMovementOps.Contains(node.OpType) || node.Input.Count == 0 || !marked.Contains(node.Input[0])) continue;
                    string source = SameAs.TryGetValue(node.Input[0], out var s) ? s : node.Input[0];
                    Mark(node.Output[0]);
                    if (marked.Contains(node.Output[0])) SameAs[node.Output[0]] = source;
                }
                // Producer order: graph inputs, then node outputs as the nodes come.
                var position = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var v in graph.Input) if (!position.ContainsKey(v.Name)) position[v.Name] = position.Count;
                foreach (var n in graph.Node) foreach (var o in n.Output) if (!position.ContainsKey(o)) position[o] = position.Count;
                Tensors.AddRange(order.Where(position.ContainsKey).OrderBy(t => position[t]));
            }

            private static HashSet<NodeProto> Kept(List<NodeProto> layers, CompressionOptions options)
            {
                var keep = new HashSet<NodeProto>(ByReference.Instance);
                if (!options.KeepGiven) return keep;
                foreach (var name in options.Keep)
                {
                    if (name == "first" && layers.Count > 0) keep.Add(layers[0]);
                    else if (name == "last" && layers.Count > 0) keep.Add(layers[layers.Count - 1]);
                    else foreach (var n in layers)
                        if (NodeName(n) == name || n.Input[1] == name || n.Output.Contains(name)) keep.Add(n);
                }
                return keep;
            }
        }

        /// <summary>Writes the QDQ model: activation pairs, weight and bias DequantizeLinear, per-layer report.</summary>
        private sealed class StaticRun
        {
            private readonly GraphProto _graph;
            private readonly CompressionReport _report;
            private readonly IReadOnlyDictionary<string, (float Min, float Max)> _ranges;
            private readonly Action<string, double>? _progress;
            private readonly StaticPlan _plan;
            private readonly GraphNames _names;
            private readonly List<TensorProto> _newInitializers = new();
            private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
            /// <summary>Scale and zero-point initializer names and the scale, per quantized tensor.</summary>
            private readonly Dictionary<string, (string Scale, string Zero, float ScaleValue)> _params = new(StringComparer.Ordinal);

            public StaticRun(ModelProto model, CompressionOptions options, CompressionReport report, IReadOnlyDictionary<string, (float Min, float Max)> ranges, Action<string, double>? progress)
            {
                _graph = model.Graph;
                _report = report;
                _ranges = ranges;
                _progress = progress;
                _plan = new StaticPlan(model, options);
                _names = new GraphNames(_graph);
            }

            public void Execute()
            {
                // Activation parameters first: the biases need their layer's input scale.
                var missing = new List<string>();
                foreach (var t in _plan.Tensors)
                {
                    if (_plan.SameAs.TryGetValue(t, out var source))
                    {
                        if (_params.TryGetValue(source, out var p)) _params[t] = p;
                        continue;
                    }
                    if (!_ranges.TryGetValue(t, out var range) || float.IsNaN(range.Min) || float.IsNaN(range.Max) || float.IsInfinity(range.Min) || float.IsInfinity(range.Max))
                    {
                        missing.Add(t);
                        continue;
                    }
                    var (scale, zero) = ActivationParameters(range.Min, range.Max);
                    string s = _names.Fresh(t + "_scale"), z = _names.Fresh(t + "_zero_point");
                    _newInitializers.Add(FloatTensor(s, new double[] { scale }, Array.Empty<long>()));
                    _newInitializers.Add(Raw(z, TensorProto.Types.DataType.Uint8, new[] { zero }, Array.Empty<long>()));
                    _params[t] = (s, z, scale);
                }
                if (missing.Count > 0)
                    _report.Notes.Add($"{missing.Count} tensor(s) without a calibration range stay float: {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", ..." : "")}");

                var before = new Dictionary<NodeProto, List<NodeProto>>(ByReference.Instance);
                int done = 0;
                foreach (var (node, problem) in _plan.Layers)
                {
                    var r = new LayerReport { Node = NodeName(node), OpType = node.OpType };
                    _report.Layers.Add(r);
                    if (problem is not null) { r.Skipped = problem; continue; }
                    var list = new List<NodeProto>();
                    QuantizeLayer(node, r, list);
                    if (list.Count > 0) before[node] = list;
                    _progress?.Invoke(r.Node, ++done / (double)_plan.Quantized.Count);
                }

                // Activation pairs right after each tensor's producer (graph inputs: at the start).
                var after = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
                var outputs = new HashSet<string>(_graph.Output.Select(o => o.Name), StringComparer.Ordinal);
                var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var t in _plan.Tensors)
                {
                    if (!_params.TryGetValue(t, out var p)) continue;
                    string q = _names.Fresh(t + "_QuantizeLinear_Output");
                    string input = t, dq;
                    if (outputs.Contains(t))
                    {
                        // A graph output keeps its name on the DequantizeLinear; the producer writes a new one.
                        input = _names.Fresh(t + "_QuantizeLinear_Input");
                        renamed[t] = input;
                        dq = t;
                    }
                    else dq = _names.Fresh(t + "_DequantizeLinear_Output");
                    var qn = _names.MakeNode("QuantizeLinear", t + "_QuantizeLinear", new[] { input, p.Scale, p.Zero }, new[] { q });
                    var dqn = _names.MakeNode("DequantizeLinear", t + "_DequantizeLinear", new[] { q, p.Scale, p.Zero }, new[] { dq });
                    if (!outputs.Contains(t))
                        foreach (var n in _graph.Node)
                            for (int i = 0; i < n.Input.Count; i++)
                                if (n.Input[i] == t) n.Input[i] = dq;
                    after[t] = new List<NodeProto> { qn, dqn };
                }
                foreach (var n in _graph.Node)
                    for (int i = 0; i < n.Output.Count; i++)
                        if (renamed.TryGetValue(n.Output[i], out var name)) n.Output[i] = name;

                var nodes = new List<NodeProto>();
                foreach (var v in _graph.Input) if (after.TryGetValue(v.Name, out var pair)) nodes.AddRange(pair);
                foreach (var n in _graph.Node)
                {
                    if (before.TryGetValue(n, out var pre)) nodes.AddRange(pre);
                    nodes.Add(n);
                    foreach (var o in n.Output)
                    {
                        string original = renamed.FirstOrDefault(kv => kv.Value == o).Key ?? o;
                        if (after.TryGetValue(original, out var pair)) nodes.AddRange(pair);
                    }
                }
                _graph.Node.Clear();
                _graph.Node.AddRange(nodes);
                var keep = _graph.Initializer.Where(t => !_removed.Contains(t.Name)).ToList();
                _graph.Initializer.Clear();
                _graph.Initializer.AddRange(keep);
                _graph.Initializer.AddRange(_newInitializers);
                var inputs = _graph.Input.Where(i => !_removed.Contains(i.Name)).ToList();
                _graph.Input.Clear();
                _graph.Input.AddRange(inputs);
                var infos = _graph.ValueInfo.Where(v => !_removed.Contains(v.Name)).ToList();
                _graph.ValueInfo.Clear();
                _graph.ValueInfo.AddRange(infos);
                int pairs = after.Count;
                _report.Notes.Add($"{pairs} activation tensor(s) quantized to uint8 (QuantizeLinear → DequantizeLinear) with calibrated ranges");
            }

            /// <summary>
            /// ORT's compute_scale_zp for uint8: the range widened to hold 0, scale = (max − min) / 255 (double, then float),
            /// zero point round(−min / scale) half to even; a zero range gets scale 1, zero point 0.
            /// </summary>
            internal static (float Scale, byte Zero) ActivationParameters(float min, float max)
            {
                double lo = Math.Min(min, 0f), hi = Math.Max(max, 0f);
                double scale = (hi - lo) / 255.0;
                if (scale < 1.1754943508222875e-38) return (1f, 0);
                double zero = Math.Round(0 - lo / scale, MidpointRounding.ToEven);
                return ((float)scale, (byte)Math.Max(0, Math.Min(255, zero)));
            }

            private void QuantizeLayer(NodeProto node, LayerReport r, List<NodeProto> nodes)
            {
                var weight = _plan.Initializers[node.Input[1]];
                var dims = weight.Dims.ToArray();
                var data = ReadFloats(weight);
                bool transposed = node.OpType == "MatMul" || node.OpType == "Gemm" && Int(node, "transB", 0) == 0;
                int m, k;
                if (transposed) { k = (int)dims[0]; m = (int)dims[1]; }
                else { m = (int)dims[0]; k = data.Length / Math.Max(1, m); }
                var w = new double[(long)m * k];
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < k; j++) w[(long)i * k + j] = transposed ? data[(long)j * m + i] : data[(long)i * k + j];
                r.Weights = (long)m * k;
                r.BytesBefore = 4L * m * k;

                // Gemm's alpha goes into the weight scales and beta into a constant bias, so the group is the plain one ORT fuses.
                double alpha = node.OpType == "Gemm" ? Float(node, "alpha", 1) : 1, beta = node.OpType == "Gemm" ? Float(node, "beta", 1) : 1;
                string? biasName = node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null;
                bool constantBias = biasName is not null && _plan.Initializers.TryGetValue(biasName, out var bt) && bt.DataType == (int)TensorProto.Types.DataType.Float
                    && bt.DataLocation != TensorProto.Types.DataLocation.External && Shapes(bt).Aggregate(1L, (a, b) => a * b) == m && _plan.Uses[biasName] == 1
                    && !_graph.Output.Any(o => o.Name == biasName);

                var scales = new float[m];
                var values = new sbyte[(long)m * k];
                var approx = new double[w.Length];
                for (int i = 0; i < m; i++)
                {
                    double max = 0;
                    for (int j = 0; j < k; j++) max = Math.Max(max, Math.Abs(w[(long)i * k + j] * alpha));
                    float s = (float)(2 * max / 254.0);
                    if (!(s > 0) || float.IsInfinity(s)) s = 1;
                    scales[i] = s;
                    for (int j = 0; j < k; j++)
                    {
                        long idx = (long)i * k + j;
                        int v = (int)Math.Max(-127, Math.Min(127, Math.Round(w[idx] * alpha / s, MidpointRounding.ToEven)));
                        values[idx] = (sbyte)v;
                        approx[idx] = (double)s * v / alpha;
                    }
                }
                var stored = new sbyte[values.Length];
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < k; j++) stored[transposed ? (long)j * m + i : (long)i * k + j] = values[(long)i * k + j];
                string wq = _names.Fresh(weight.Name + "_quantized"), ws = _names.Fresh(weight.Name + "_scale"), wz = _names.Fresh(weight.Name + "_zero_point");
                string wd = _names.Fresh(weight.Name + "_DequantizeLinear_Output");
                _newInitializers.Add(Raw(wq, TensorProto.Types.DataType.Int8, stored.Select(v => unchecked((byte)v)).ToArray(), dims));
                _newInitializers.Add(FloatTensor(ws, scales.Select(x => (double)x).ToArray(), new long[] { m }));
                _newInitializers.Add(Raw(wz, TensorProto.Types.DataType.Int8, new byte[m], new long[] { m }));
                nodes.Add(Axis(_names.MakeNode("DequantizeLinear", weight.Name + "_DequantizeLinear", new[] { wq, ws, wz }, new[] { wd }), transposed ? 1 : 0));
                node.Input[1] = wd;
                _removed.Add(weight.Name);
                if (alpha != 1) RemoveAttribute(node, "alpha");
                string technique = "int8-static";
                long bytes = (long)m * k + 4L * m;

                // int32 bias at scale x_scale · w_scale[m] (zero point 0), when the input is quantized and the bias constant.
                if (biasName is not null)
                {
                    if (constantBias && _params.TryGetValue(node.Input[0], out var x))
                    {
                        var bias = ReadFloats(_plan.Initializers[biasName]);
                        var bs = new float[m];
                        var bq = new int[m];
                        for (int i = 0; i < m; i++)
                        {
                            bs[i] = x.ScaleValue * scales[i];
                            double v = bs[i] > 0 ? Math.Round(bias[i] * beta / bs[i], MidpointRounding.ToEven) : 0;
                            bq[i] = (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, v));
                        }
                        string bqName = _names.Fresh(biasName + "_quantized"), bsName = _names.Fresh(biasName + "_scale"), bzName = _names.Fresh(biasName + "_zero_point");
                        string bd = _names.Fresh(biasName + "_DequantizeLinear_Output");
                        _newInitializers.Add(Raw(bqName, TensorProto.Types.DataType.Int32, bq.SelectMany(BitConverter.GetBytes).ToArray(), new long[] { m }));
                        _newInitializers.Add(FloatTensor(bsName, bs.Select(v => (double)v).ToArray(), new long[] { m }));
                        _newInitializers.Add(Raw(bzName, TensorProto.Types.DataType.Int32, new byte[4 * m], new long[] { m }));
                        nodes.Add(Axis(_names.MakeNode("DequantizeLinear", biasName + "_DequantizeLinear", new[] { bqName, bsName, bzName }, new[] { bd }), 0));
                        node.Input[2] = bd;
                        _removed.Add(biasName);
                        if (beta != 1) RemoveAttribute(node, "beta");
                        bytes += 4L * m;
                    }
                    else technique += " (float bias)";
                }
                if (!_params.ContainsKey(node.Input[0])) technique += " (float input: no calibration range)";
                r.Technique = technique;
                r.BytesAfter = bytes;
                r.WeightError = RelativeError(w, approx);
                r.OutputDeviation = CompressionRun.OutputDeviation(w, approx, m, k, r.Node, false);
            }

            private static long[] Shapes(TensorProto t) => t.Dims.ToArray();

            private static NodeProto Axis(NodeProto n, long axis)
            {
                n.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis });
                return n;
            }

            private static void RemoveAttribute(NodeProto n, string name)
            {
                var a = n.Attribute.FirstOrDefault(x => x.Name == name);
                if (a is not null) n.Attribute.Remove(a);
            }
        }
    }
}
