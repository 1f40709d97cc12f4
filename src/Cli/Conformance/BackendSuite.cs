using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelGen.Onnx.Proto;

namespace ModelGen.Cli.Conformance;

/// <summary>
/// The ONNX backend test data (onnx/backend/test/data of an ONNX release): node/, pytorch-converted/, pytorch-operator/ and
/// simple/ hold one folder per case (model.onnx and test_data_set_N/{input,output}_i.pb); light/ holds real architectures
/// whose weights are ConstantOfShape nodes (light_X.onnx and light_X_output_0.pb, inputs not stored).
/// </summary>
public static class BackendSuite
{
    public static readonly string[] Suites = { "node", "pytorch-converted", "pytorch-operator", "simple", "light" };

    /// <summary>
    /// MODELGEN_ONNX_BACKEND_TESTS_ROOT, else shared/onnx-backend-tests beside the repository or the current directory's
    /// ancestors (as CI lays it out), else /work/shared/onnx-backend-tests.
    /// </summary>
    public static string? FindRoot(string? start = null)
    {
        if (Environment.GetEnvironmentVariable("MODELGEN_ONNX_BACKEND_TESTS_ROOT") is { Length: > 0 } root) return root;
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "onnx-backend-tests");
            if (Directory.Exists(Path.Combine(candidate, "node"))) return candidate;
        }
        const string workplace = "/work/shared/onnx-backend-tests";
        return Directory.Exists(workplace) ? workplace : null;
    }

    /// <summary>Every case under <paramref name="root"/>, as "suite/name", in ordinal order.</summary>
    public static IReadOnlyList<string> CaseIds(string root)
    {
        var ids = new List<string>();
        foreach (var suite in Suites)
        {
            string dir = Path.Combine(root, suite);
            if (!Directory.Exists(dir)) continue;
            if (suite == "light")
                ids.AddRange(Directory.GetFiles(dir, "light_*.onnx").Select(f => suite + "/" + Path.GetFileNameWithoutExtension(f)));
            else
                ids.AddRange(Directory.GetDirectories(dir).Where(d => File.Exists(Path.Combine(d, "model.onnx"))).Select(d => suite + "/" + Path.GetFileName(d)));
        }
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    public static BackendCase Load(string root, string id)
    {
        int slash = id.IndexOf('/');
        string suite = id.Substring(0, slash), name = id.Substring(slash + 1);
        if (suite == "light")
        {
            var modelBytes = File.ReadAllBytes(Path.Combine(root, suite, name + ".onnx"));
            var model = ModelProto.Parser.ParseFrom(modelBytes);
            var output = TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(root, suite, name + "_output_0.pb")));
            // ONNX's runner feeds light models zeros of the declared input shapes (their weights are constants too).
            var inputs = model.Graph.Input.Where(i => model.Graph.Initializer.All(t => t.Name != i.Name)).Select(ZerosFor).ToList();
            return new BackendCase(id, suite, name, modelBytes, model, new[] { new BackendDataSet("zeros", inputs, new[] { output }) });
        }
        string dir = Path.Combine(root, suite, name);
        var bytes = File.ReadAllBytes(Path.Combine(dir, "model.onnx"));
        var proto = ModelProto.Parser.ParseFrom(bytes);
        var runtimeInputs = proto.Graph.Input.Where(i => proto.Graph.Initializer.All(t => t.Name != i.Name)).ToList();
        var sets = Directory.GetDirectories(dir, "test_data_set_*").OrderBy(d => d, StringComparer.Ordinal)
            .Select(d => new BackendDataSet(Path.GetFileName(d), ReadAll(d, "input", runtimeInputs), ReadAll(d, "output", proto.Graph.Output.ToList())))
            .ToList();
        return new BackendCase(id, suite, name, bytes, proto, sets);
    }

    /// <summary>The i-th .pb of a data set; null where the declared value is not a tensor (sequence, optional, map).</summary>
    private static IReadOnlyList<TensorProto?> ReadAll(string folder, string kind, IReadOnlyList<ValueInfoProto> declared)
    {
        var result = new List<TensorProto?>();
        for (int i = 0; ; i++)
        {
            string file = Path.Combine(folder, $"{kind}_{i}.pb");
            if (!File.Exists(file)) return result;
            bool tensor = i >= declared.Count || declared[i].Type is null || declared[i].Type.ValueCase == TypeProto.ValueOneofCase.TensorType;
            result.Add(tensor ? TensorProto.Parser.ParseFrom(File.ReadAllBytes(file)) : null);
        }
    }

    private static TensorProto? ZerosFor(ValueInfoProto input)
    {
        if (input.Type?.TensorType is not { } t || t.ElemType != (int)TensorProto.Types.DataType.Float) return null;
        var proto = new TensorProto { Name = input.Name, DataType = t.ElemType };
        long n = 1;
        foreach (var d in t.Shape.Dim)
        {
            long v = d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : 1;
            proto.Dims.Add(v);
            n *= v;
        }
        proto.RawData = Google.Protobuf.ByteString.CopyFrom(new byte[n * 4]);
        return proto;
    }
}

/// <summary>One case: its model and data sets (tensors in graph-input and graph-output order; null where not a tensor).</summary>
public sealed record BackendCase(string Id, string Suite, string Name, byte[] ModelBytes, ModelProto Model, IReadOnlyList<BackendDataSet> DataSets)
{
    /// <summary>The operator types of the graph's nodes, distinct, in first-use order.</summary>
    public IReadOnlyList<string> OpTypes => Model.Graph.Node.Select(n => n.Domain is "" or "ai.onnx" ? n.OpType : n.Domain + "." + n.OpType).Distinct(StringComparer.Ordinal).ToList();
}

public sealed record BackendDataSet(string Folder, IReadOnlyList<TensorProto?> Inputs, IReadOnlyList<TensorProto?> Outputs);
