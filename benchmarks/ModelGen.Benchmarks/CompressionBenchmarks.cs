using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelGen.Compression;
using ModelGen.Onnx.Proto;
using ModelGen.Runtime;

namespace ModelGen.Benchmarks;

/// <summary>
/// Compression on request: one Conv 3×3 128→128 on 28×28 + Relu with random float weights, compressed by
/// <see cref="ModelCompressor"/> (what Compression="..." and `modelgen compress` do) and written to a file that both
/// engines run: ModelGen (compiled from the compressed file) and ONNX Runtime (one thread). "none" is the float layer.
/// Setup checks that both agree on the compressed file.
/// </summary>
[MemoryDiagnoser]
public class CompressionBenchmarks
{
    public static IEnumerable<string> Techniques => new[] { "none", "int8", "int4", "lowrank=0.5", "lowrank=0.5;int8" };

    [ParamsSource(nameof(Techniques))]
    public string Technique { get; set; } = "";

    private const int C = 128, H = 28, M = 128, K = 3;
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
        var w = Enumerable.Range(0, M * C * K * K).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray();
        var bias = Enumerable.Range(0, M).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray();
        var x = Enumerable.Range(0, C * H * H).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var model = Model(w, bias);
        if (Technique != "none")
        {
            var options = CompressionOptions.Parse(Technique, null, out string error) ?? throw new ArgumentException(error);
            model = ModelCompressor.Compress(model, options).Model;
        }
        string path = Path.Combine(Path.GetTempPath(), $"modelgen-compression-{Technique.Replace(';', '_').Replace('=', '_')}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        _model = GeneratedModel.Compile(path);
        _inputs = new Array[] { x };
        _outputs = new Array[] { new float[M * H * H] };
        var so = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(path, so);
        _runOptions = new RunOptions();
        _ortY = new float[M * H * H];
        _ortInput = OrtValue.CreateTensorValueFromMemory(x, new long[] { 1, C, H, H });
        _ortOutput = OrtValue.CreateTensorValueFromMemory(_ortY, new long[] { 1, M, H, H });
        _binding = _session.CreateIoBinding();
        _binding.BindInput("x", _ortInput);
        _binding.BindOutput("y", _ortOutput);

        ModelGenPredict();
        OnnxRuntimeRunWithBinding();
        var ours = (float[])_outputs[0];
        for (int i = 0; i < ours.Length; i++)
            if (Math.Abs(ours[i] - _ortY[i]) > 1e-3 + 1e-3 * Math.Abs(_ortY[i]))
                throw new InvalidOperationException($"{Technique}, element {i}: ModelGen {ours[i]}, ONNX Runtime {_ortY[i]}");
    }

    private static ModelProto Model(float[] w, float[] bias)
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
        var graph = new GraphProto { Name = "compression" };
        graph.Input.Add(Info("x", 1, C, H, H));
        graph.Output.Add(Info("y", 1, M, H, H));
        graph.Initializer.Add(Tensor("w", w, M, C, K, K));
        graph.Initializer.Add(Tensor("b", bias, M));
        var conv = new NodeProto { Name = "conv", OpType = "Conv" };
        conv.Input.AddRange(new[] { "x", "w", "b" });
        conv.Output.Add("t");
        var pads = new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints };
        pads.Ints.AddRange(Enumerable.Repeat((long)(K / 2), 4));
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
        _binding.Dispose();
        _ortInput.Dispose();
        _ortOutput.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
