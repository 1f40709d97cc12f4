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
/// Pruned convolutions: one Conv + Relu layer whose weights have the given fraction of non-zeros (at random positions),
/// compiled by ModelGen (1x1 at or below 20% non-zeros, larger kernels at or below 5%, run the sparse kernel; density 1 is the dense kernel on the same
/// shape) and run by ONNX Runtime (one thread, which computes the zeros). Setup checks both agree.
/// </summary>
[MemoryDiagnoser]
public class SparseConvBenchmarks
{
    /// <summary>name: C, H=W, M, kernel.</summary>
    public static IEnumerable<string> Layers => new[] { "1x1 256->256 28x28", "3x3 128->128 28x28" };

    [ParamsSource(nameof(Layers))]
    public string Layer { get; set; } = "";

    [Params(1.0, 0.3, 0.2, 0.1)]
    public double Density { get; set; }

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
        var (c, h, m, k) = Layer switch
        {
            "1x1 256->256 28x28" => (256, 28, 256, 1),
            "3x3 128->128 28x28" => (128, 28, 128, 3),
            _ => throw new ArgumentException("unknown layer " + Layer),
        };
        var random = new Random(11);
        var w = Enumerable.Range(0, m * c * k * k).Select(_ => random.NextDouble() < Density ? (float)(random.NextDouble() * 0.2 - 0.1) : 0f).ToArray();
        var bias = Enumerable.Range(0, m).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray();
        var x = Enumerable.Range(0, c * h * h).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        string path = Path.Combine(Path.GetTempPath(), $"modelgen-sparse-{c}-{m}-{k}-{Density:0.00}.onnx");
        File.WriteAllBytes(path, Model(c, h, m, k, w, bias).ToByteArray());

        _model = GeneratedModel.Compile(path);
        _inputs = new Array[] { x };
        _outputs = new Array[] { new float[m * h * h] };

        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(path, options);
        _runOptions = new RunOptions();
        _ortY = new float[m * h * h];
        _ortInput = OrtValue.CreateTensorValueFromMemory(x, new long[] { 1, c, h, h });
        _ortOutput = OrtValue.CreateTensorValueFromMemory(_ortY, new long[] { 1, m, h, h });
        _binding = _session.CreateIoBinding();
        _binding.BindInput("x", _ortInput);
        _binding.BindOutput("y", _ortOutput);

        ModelGenPredict();
        OnnxRuntimeRunWithBinding();
        var ours = (float[])_outputs[0];
        for (int i = 0; i < ours.Length; i++)
            if (Math.Abs(ours[i] - _ortY[i]) > 1e-4 + 1e-3 * Math.Abs(_ortY[i]))
                throw new InvalidOperationException($"{Layer} at density {Density}, element {i}: ModelGen {ours[i]}, ONNX Runtime {_ortY[i]}");
    }

    private static ModelProto Model(int c, int h, int m, int k, float[] w, float[] bias)
    {
        TensorProto Tensor(string name, float[] data, params long[] dims)
        {
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.AddRange(dims);
            var bytes = new byte[data.Length * 4];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            t.RawData = ByteString.CopyFrom(bytes);
            return t;
        }
        ValueInfoProto Info(string name, params long[] dims)
        {
            var shape = new TensorShapeProto();
            foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
        }
        var graph = new GraphProto { Name = "sparse" };
        graph.Input.Add(Info("x", 1, c, h, h));
        graph.Output.Add(Info("y", 1, m, h, h));
        graph.Initializer.Add(Tensor("w", w, m, c, k, k));
        graph.Initializer.Add(Tensor("b", bias, m));
        var conv = new NodeProto { Name = "conv", OpType = "Conv" };
        conv.Input.AddRange(new[] { "x", "w", "b" });
        conv.Output.Add("t");
        var pads = new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints };
        pads.Ints.AddRange(Enumerable.Repeat((long)(k / 2), 4));
        conv.Attribute.Add(pads);
        var relu = new NodeProto { Name = "relu", OpType = "Relu" };
        relu.Input.Add("t");
        relu.Output.Add("y");
        graph.Node.Add(conv);
        graph.Node.Add(relu);
        var model = new ModelProto { IrVersion = 8, ProducerName = "ModelGen.Benchmarks", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
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
