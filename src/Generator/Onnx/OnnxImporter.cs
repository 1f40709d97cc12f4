using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using ModelGen.Configuration;
using ModelGen.Compiler;
using ModelGen.Diagnostics;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;

namespace ModelGen.Onnx
{
    /// <summary>Bytes to IR: parses the protobuf, checks versions, binds shapes and loads constants.</summary>
    public sealed class OnnxImporter
    {
        public const int MinIrVersion = 3;
        public const int MaxIrVersion = 13;
        public const int MinOpset = 1;
        public const int MaxOpset = 27;

        private readonly string _path;
        private readonly string _modelName;
        private readonly ModelOptions _options;
        private readonly List<ModelDiagnostic> _diagnostics;

        public OnnxImporter(string path, ModelOptions options, List<ModelDiagnostic> diagnostics)
        {
            _path = path;
            _modelName = System.IO.Path.GetFileName(path);
            _options = options;
            _diagnostics = diagnostics;
        }

        private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor d, params object?[] args) =>
            _diagnostics.Add(ModelDiagnostic.Create(d, _path, args));

        public static ModelProto? Parse(byte[] bytes, string path, List<ModelDiagnostic> diagnostics)
        {
            string name = System.IO.Path.GetFileName(path);
            if (bytes.Length == 0)
            {
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.NotOnnx, path, name, "the file is empty"));
                return null;
            }
            try
            {
                var model = ModelProto.Parser.ParseFrom(bytes);
                if (model.Graph is null || !model.HasIrVersion)
                {
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.NotOnnx, path, name, model.Graph is null ? "it has no graph" : "it has no IR version"));
                    return null;
                }
                return model;
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidOperationException or ArgumentException or OverflowException)
            {
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.NotOnnx, path, name, e.Message));
                return null;
            }
        }

        public Graph? Import(ModelProto model)
        {
            if (model.IrVersion < MinIrVersion || model.IrVersion > MaxIrVersion)
            {
                Report(DiagnosticDescriptors.IrVersionOutOfRange, _modelName, model.IrVersion, MinIrVersion, MaxIrVersion);
                return null;
            }

            var graph = new Graph { Name = model.Graph.Name ?? "", DocString = model.DocString ?? "" };
            bool ok = true;
            foreach (var opset in model.OpsetImport)
            {
                string domain = NormalizeDomain(opset.Domain);
                graph.Opsets[domain] = (int)opset.Version;
                if (domain.Length == 0 && (opset.Version < MinOpset || opset.Version > MaxOpset))
                {
                    Report(DiagnosticDescriptors.OpsetOutOfRange, _modelName, opset.Version, "ai.onnx", MinOpset, MaxOpset);
                    ok = false;
                }
            }
            if (!graph.Opsets.ContainsKey("") && model.Graph.Node.Any(n => NormalizeDomain(n.Domain).Length == 0))
            {
                // The IR spec requires the import; guessing a version would silently change operator semantics.
                // (A model cut off just before its opset_import field parses like this.)
                Report(DiagnosticDescriptors.NotOnnx, _modelName, "it imports no opset of the default domain 'ai.onnx', which its nodes use");
                return null;
            }
            if (!ok) return null;

            var g = model.Graph;
            // Constants first: initializers (dense and sparse) shadow graph inputs of the same name.
            foreach (var init in g.Initializer)
            {
                var tensor = LoadTensor(init);
                if (tensor is null) { ok = false; continue; }
                var v = GetOrAdd(graph, init.Name);
                v.Constant = tensor;
                v.Type = tensor.Type;
                v.Shape = tensor.Shape;
            }
            foreach (var sparse in g.SparseInitializer)
            {
                var tensor = LoadSparse(sparse);
                if (tensor is null) { ok = false; continue; }
                var v = GetOrAdd(graph, sparse.Values.Name);
                v.Constant = tensor;
                v.Type = tensor.Type;
                v.Shape = tensor.Shape;
            }

            foreach (var input in g.Input)
            {
                if (graph.Values.TryGetValue(input.Name, out var existing) && existing.Constant is not null) continue;
                var v = GetOrAdd(graph, input.Name);
                bool bound = BindInput(v, input);
                if (!bound) ok = false;
                if (_options.Values.FirstOrDefault(b => b.Input == input.Name) is { } fixedValue)
                {
                    // Fixed at build time (Values metadata): a constant, no longer an input of Predict.
                    if (bound && FixedTensor(v, fixedValue) is { } tensor) v.Constant = tensor;
                    else ok = false;
                    continue;
                }
                v.IsGraphInput = true;
                graph.Inputs.Add(v);
            }
            foreach (var binding in _options.Values.Where(b => !g.Input.Any(i => i.Name == b.Input)))
            {
                Report(DiagnosticDescriptors.BadMetadata, "Values", binding.Input, _modelName,
                    $"the model has no input '{binding.Input}' (inputs: {string.Join(", ", g.Input.Where(i => g.Initializer.All(t => t.Name != i.Name)).Select(i => i.Name))})");
                ok = false;
            }

            foreach (var np in g.Node)
            {
                string domain = NormalizeDomain(np.Domain);
                graph.Opsets.TryGetValue(domain, out int opset);
                var inputs = new Value?[np.Input.Count];
                for (int i = 0; i < np.Input.Count; i++)
                {
                    string name = np.Input[i];
                    if (name.Length == 0) continue;
                    if (!graph.Values.TryGetValue(name, out var v))
                    {
                        Report(DiagnosticDescriptors.InvalidGraph, NodeName(np), np.OpType, $"input '{name}' is not produced by any earlier node, initializer or graph input");
                        ok = false;
                        v = GetOrAdd(graph, name);
                    }
                    inputs[i] = v;
                }
                var outputs = np.Output.Select((o, k) => GetOrAdd(graph, o.Length == 0 ? $"<unused:{NodeName(np)}:{k}>" : o)).ToArray();
                graph.Nodes.Add(new Node(NodeName(np), np.OpType, domain, opset, inputs, outputs, new Attributes(np.Attribute)));
            }

            foreach (var output in g.Output)
            {
                if (!graph.Values.TryGetValue(output.Name, out var v))
                {
                    Report(DiagnosticDescriptors.InvalidGraph, output.Name, "graph output", "no node produces it");
                    ok = false;
                    continue;
                }
                v.IsGraphOutput = true;
                graph.Outputs.Add(v);
            }
            graph.Relink();
            return ok ? graph : null;
        }

        private static string NormalizeDomain(string domain) => domain == "ai.onnx" ? "" : domain ?? "";

        private string NodeName(NodeProto np) => np.Name.Length > 0 ? np.Name : $"{np.OpType}({string.Join(",", np.Output)})";

        private static Value GetOrAdd(Graph graph, string name)
        {
            if (!graph.Values.TryGetValue(name, out var v)) graph.Values[name] = v = new Value(name);
            return v;
        }

        /// <summary>The constant a Values binding gives an input: its declared type and shape, filled or element by element.</summary>
        private Tensor? FixedTensor(Value v, ValueBinding binding)
        {
            int n = Shapes.Size(v.Shape!);
            if (binding.Values.Count != 1 && binding.Values.Count != n)
            {
                Report(DiagnosticDescriptors.BadMetadata, "Values", binding.Input, _modelName,
                    $"input '{binding.Input}' has {n} elements ({Shapes.Format(v.Shape!)}); give one value or {n}");
                return null;
            }
            var values = Enumerable.Range(0, n).Select(i => binding.Values[binding.Values.Count == 1 ? 0 : i]).ToArray();
            if (!DataTypes.IsFloating(v.Type)) values = values.Select(Math.Truncate).ToArray();
            return Tensor.FromDoubles(v.Type, v.Shape!, values);
        }

        private bool BindInput(Value v, ValueInfoProto info)
        {
            var tt = info.Type?.TensorType;
            if (tt is null)
            {
                Report(DiagnosticDescriptors.UnsupportedDataType, info.Name, info.Type?.ValueCase.ToString() ?? "none");
                return false;
            }
            v.Type = (DataType)tt.ElemType;
            if (!DataTypes.IsSupported(v.Type))
            {
                Report(DiagnosticDescriptors.UnsupportedDataType, info.Name, DataTypes.OnnxName(v.Type));
                return false;
            }
            var wholeShape = _options.Shapes.FirstOrDefault(s => s.Input == info.Name);
            if (wholeShape is not null)
            {
                v.Shape = wholeShape.Shape.ToArray();
                return true;
            }
            if (tt.Shape is null)
            {
                Report(DiagnosticDescriptors.OpenDimension, info.Name, "(unknown rank)", "*", $"Shapes=\"{info.Name}=...\"");
                return false;
            }
            var shape = new int[tt.Shape.Dim.Count];
            bool ok = true;
            for (int i = 0; i < shape.Length; i++)
            {
                var d = tt.Shape.Dim[i];
                if (d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue >= 0)
                {
                    shape[i] = checked((int)d.DimValue);
                    continue;
                }
                string param = d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : "";
                var binding = param.Length > 0 ? _options.Dimensions.FirstOrDefault(b => b.Name == param) : null;
                if (binding is not null) { shape[i] = binding.Value; continue; }
                // Only a named dimension can be bound by name; an unnamed one needs the input's whole shape.
                Report(DiagnosticDescriptors.OpenDimension, info.Name, param.Length > 0 ? param : "?", i,
                    param.Length > 0 ? $"Dimensions=\"{param}=N\" or Shapes=\"{info.Name}=...\"" : $"Shapes=\"{info.Name}=...\"");
                ok = false;
            }
            v.Shape = shape;
            return ok;
        }

        private Tensor? LoadTensor(TensorProto proto)
        {
            try
            {
                byte[]? external = null;
                if (proto.HasDataLocation && proto.DataLocation == TensorProto.Types.DataLocation.External)
                {
                    external = ReadExternal(proto);
                    if (external is null) return null;
                }
                if ((DataType)proto.DataType == DataType.String || !DataTypes.IsSupported((DataType)proto.DataType) && (DataType)proto.DataType is not (DataType.BFloat16 or DataType.Int4 or DataType.UInt4))
                {
                    Report(DiagnosticDescriptors.UnsupportedDataType, proto.Name, DataTypes.OnnxName((DataType)proto.DataType));
                    return null;
                }
                return TensorReader.Read(proto, external);
            }
            catch (Exception e) when (e is IrException or UnsupportedException or ArgumentException or OverflowException or IndexOutOfRangeException)
            {
                Report(DiagnosticDescriptors.InvalidGraph, proto.Name, "initializer", e.Message);
                return null;
            }
        }

        private byte[]? ReadExternal(TensorProto proto)
        {
            var entries = proto.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            entries.TryGetValue("location", out var location);
            location ??= "";
            string? full = ModelFiles.ResolveExternal(_path, location, out string reason);
            if (full is null)
            {
                Report(DiagnosticDescriptors.ExternalDataEscapes, proto.Name, location + " (" + reason + ")");
                return null;
            }
            long offset = entries.TryGetValue("offset", out var o) && long.TryParse(o, out var ov) ? ov : 0;
            long length = entries.TryGetValue("length", out var l) && long.TryParse(l, out var lv) ? lv : -1;
            try
            {
                return ModelFiles.ReadRange(full, offset, length);
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException or NotSupportedException)
            {
                Report(DiagnosticDescriptors.ExternalDataUnreadable, proto.Name, location, e.Message);
                return null;
            }
        }

        private Tensor? LoadSparse(SparseTensorProto sparse)
        {
            var values = LoadTensor(sparse.Values);
            var indices = sparse.Indices is null ? null : LoadTensor(sparse.Indices);
            if (values is null || indices is null) return null;
            var dims = sparse.Dims.Select(d => checked((int)d)).ToArray();
            int n = Shapes.Size(dims), nnz = values.Length;
            var strides = Shapes.Strides(dims);
            var dense = new double[n];
            for (int k = 0; k < nnz; k++)
            {
                long flat;
                if (indices.Shape.Length == 1) flat = indices.GetLong(k);
                else
                {
                    flat = 0;
                    for (int a = 0; a < dims.Length; a++) flat += indices.GetLong(k * dims.Length + a) * strides[a];
                }
                if (flat < 0 || flat >= n)
                {
                    Report(DiagnosticDescriptors.InvalidGraph, sparse.Values.Name, "sparse initializer", $"index {flat} is outside {n} elements");
                    return null;
                }
                dense[flat] = values.GetDouble(k);
            }
            return Tensor.FromDoubles(values.Type, dims, dense);
        }
    }
}
