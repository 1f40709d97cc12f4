using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelGen.Onnx.Proto;
using ModelGen.Runtime;

namespace ModelGen.Benchmarks;

/// <summary>
/// Codebook weights (few distinct values per output channel, stored as indices + per-channel codebooks): a batch-1
/// Gemm 1×1024 · (1024×1024)ᵀ whose weights are float (random), binary ±α (1-bit), int4 or int8 per-channel quantized
/// (DequantizeLinear → Gemm, folded at build time and compiled to 4-bit / 8-bit codes), and a 3×3 64→64 convolution on
/// 56×56 with float or binary ±α weights. ModelGen compiles each file; ONNX Runtime (one thread) runs the same file.
/// Setup checks both agree.
/// </summary>
[MemoryDiagnoser]
public class CodebookBenchmarks
{
    public static IEnumerable<string> Cases => new[]
    {
        "gemm 1024 float", "gemm 1024 bwn 1-bit", "gemm 1024 int4 dq", "gemm 1024 int8 dq",
        "conv 64x56x56 3x3 float", "conv 64x56x56 3x3 bwn",
    };

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    private IOnnxModel _model = null!;
    private Array[] _inputs = null!, _outputs = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtIoBinding _binding = null!;
    private OrtValue _ortInput = null!, _ortOutput = null!;
    private float[] _ortY = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(17);
        bool conv = Case.StartsWith("conv", StringComparison.Ordinal);
        const int n = 1024, k = 1024, c = 64, h = 56, m = 64;
        var graph = new GraphProto { Name = "codebook" };
        long[] xShape = conv ? new long[] { 1, c, h, h } : new long[] { 1, k };
        long[] yShape = conv ? new long[] { 1, m, h, h } : new long[] { 1, n };
        graph.Input.Add(Info("x", xShape));
        graph.Output.Add(Info("y", yShape));
        int channels = conv ? m : n, reduction = conv ? c * 9 : k;
        long[] wShape = conv ? new long[] { m, c, 3, 3 } : new long[] { n, k };
        if (Case.EndsWith("float", StringComparison.Ordinal))
            graph.Initializer.Add(FloatTensor("w", Enumerable.Range(0, channels * reduction).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray(), wShape));
        else if (Case.EndsWith("bwn", StringComparison.Ordinal) || Case.EndsWith("1-bit", StringComparison.Ordinal))
        {
            var alpha = Enumerable.Range(0, channels).Select(_ => (float)(0.01 + 0.05 * random.NextDouble())).ToArray();
            graph.Initializer.Add(FloatTensor("w", Enumerable.Range(0, channels * reduction).Select(i => random.Next(2) == 0 ? -alpha[i / reduction] : alpha[i / reduction]).ToArray(), wShape));
        }
        else
        {
            bool int4 = Case.Contains("int4", StringComparison.Ordinal);
            int lo = int4 ? -8 : -128, hi = int4 ? 7 : 127;
            var q = Enumerable.Range(0, channels * reduction).Select(_ => random.Next(lo, hi + 1)).ToArray();
            byte[] raw = int4
                ? Enumerable.Range(0, q.Length / 2).Select(i => (byte)((q[2 * i] & 0xF) | (q[2 * i + 1] & 0xF) << 4)).ToArray()
                : q.Select(v => unchecked((byte)(sbyte)v)).ToArray();
            var wq = new TensorProto { Name = "wq", DataType = (int)(int4 ? TensorProto.Types.DataType.Int4 : TensorProto.Types.DataType.Int8), RawData = ByteString.CopyFrom(raw) };
            wq.Dims.AddRange(wShape);
            graph.Initializer.Add(wq);
            graph.Initializer.Add(FloatTensor("s", Enumerable.Range(0, channels).Select(_ => (float)(0.001 + 0.01 * random.NextDouble())).ToArray(), channels));
            var dq = new NodeProto { Name = "dq", OpType = "DequantizeLinear" };
            dq.Input.AddRange(new[] { "wq", "s" });
            dq.Output.Add("w");
            dq.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
            graph.Node.Add(dq);
        }
        graph.Initializer.Add(FloatTensor("b", Enumerable.Range(0, channels).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray(), channels));
        var node = conv ? new NodeProto { Name = "conv", OpType = "Conv" } : new NodeProto { Name = "gemm", OpType = "Gemm" };
        node.Input.AddRange(new[] { "x", "w", "b" });
        node.Output.Add("y");
        if (conv) node.Attribute.Add(Ints("pads", 1, 1, 1, 1));
        else node.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 10, ProducerName = "ModelGen.Benchmarks", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 21 });
        string path = Path.Combine(Path.GetTempPath(), $"modelgen-codebook-{Case.Replace(' ', '-')}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        int xLength = (int)xShape.Aggregate(1L, (a, b) => a * b), yLength = (int)yShape.Aggregate(1L, (a, b) => a * b);
        var x = Enumerable.Range(0, xLength).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        _model = GeneratedModel.Compile(path);
        _inputs = new Array[] { x };
        _outputs = new Array[] { new float[yLength] };
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(path, options);
        _runOptions = new RunOptions();
        _ortY = new float[yLength];
        _ortInput = OrtValue.CreateTensorValueFromMemory(x, xShape);
        _ortOutput = OrtValue.CreateTensorValueFromMemory(_ortY, yShape);
        _binding = _session.CreateIoBinding();
        _binding.BindInput("x", _ortInput);
        _binding.BindOutput("y", _ortOutput);

        ModelGenPredict();
        OnnxRuntimeRunWithBinding();
        // ONNX Runtime may rewrite DequantizeLinear → Gemm into a kernel that quantizes the activations: the quantized
        // cases are checked to 2% of the output range, the float and binary ones to 1e-3.
        var ours = (float[])_outputs[0];
        double range = _ortY.Max(v => Math.Abs(v)), tolerance = Case.Contains("dq", StringComparison.Ordinal) ? 0.02 * range : 1e-3 * Math.Max(1, range);
        for (int i = 0; i < ours.Length; i++)
            if (Math.Abs(ours[i] - _ortY[i]) > tolerance)
                throw new InvalidOperationException($"{Case}, element {i}: ModelGen {ours[i]}, ONNX Runtime {_ortY[i]}");
    }

    private static TensorProto FloatTensor(string name, float[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    private static ValueInfoProto Info(string name, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    [Benchmark(Baseline = true)]
    public void ModelGenPredict() => _model.Run(_inputs, _outputs);

    [Benchmark]
    public void OnnxRuntimeRunWithBinding() => _session.RunWithBinding(_runOptions, _binding);

    [GlobalCleanup]
    public void Cleanup()
    {
        _binding?.Dispose();
        _ortInput?.Dispose();
        _ortOutput?.Dispose();
        _runOptions?.Dispose();
        _session?.Dispose();
    }
}
