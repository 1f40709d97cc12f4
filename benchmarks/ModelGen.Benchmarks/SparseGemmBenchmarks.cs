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
/// Pruned fully connected layers: one Gemm (transB = 1, as PyTorch exports nn.Linear) + Relu, 1024 inputs and 1024 outputs,
/// whose weights have the given fraction of non-zeros at random positions, for a batch of 1 and of 64 rows. ModelGen
/// runs its sparse kernel at or below the densities in Ops/SparseGemm.cs (density 1 is the dense kernel on the same shape);
/// ONNX Runtime (one thread) computes the zeros. Setup checks both agree.
/// </summary>
[MemoryDiagnoser]
public class SparseGemmBenchmarks
{
    [Params(1, 64)]
    public int Batch { get; set; }

    [Params(1.0, 0.2, 0.1, 0.05)]
    public double Density { get; set; }

    private const int K = 1024, N = 1024;

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
        var random = new Random(7);
        // Exactly ⌊density·K⌋ non-zeros per output (row of W [N, K]), at random positions.
        var w = new float[N * K];
        int perRow = (int)Math.Floor(Density * K);
        for (int j = 0; j < N; j++)
            foreach (int p in Enumerable.Range(0, K).OrderBy(_ => random.Next()).Take(perRow))
                w[j * K + p] = (float)(random.NextDouble() * 0.2 - 0.1);
        var bias = Enumerable.Range(0, N).Select(_ => (float)(random.NextDouble() * 0.2 - 0.1)).ToArray();
        var x = Enumerable.Range(0, Batch * K).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        string path = Path.Combine(Path.GetTempPath(), $"modelgen-sparse-gemm-{Batch}-{Density:0.00}.onnx");
        File.WriteAllBytes(path, Model(w, bias).ToByteArray());

        _model = GeneratedModel.Compile(path);
        _inputs = new Array[] { x };
        _outputs = new Array[] { new float[Batch * N] };

        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(path, options);
        _runOptions = new RunOptions();
        _ortY = new float[Batch * N];
        _ortInput = OrtValue.CreateTensorValueFromMemory(x, new long[] { Batch, K });
        _ortOutput = OrtValue.CreateTensorValueFromMemory(_ortY, new long[] { Batch, N });
        _binding = _session.CreateIoBinding();
        _binding.BindInput("x", _ortInput);
        _binding.BindOutput("y", _ortOutput);

        ModelGenPredict();
        OnnxRuntimeRunWithBinding();
        var ours = (float[])_outputs[0];
        for (int i = 0; i < ours.Length; i++)
            if (Math.Abs(ours[i] - _ortY[i]) > 1e-4 + 1e-3 * Math.Abs(_ortY[i]))
                throw new InvalidOperationException($"batch {Batch} at density {Density}, element {i}: ModelGen {ours[i]}, ONNX Runtime {_ortY[i]}");
    }

    private ModelProto Model(float[] w, float[] bias)
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
        var graph = new GraphProto { Name = "sparse_gemm" };
        graph.Input.Add(Info("x", Batch, K));
        graph.Output.Add(Info("y", Batch, N));
        graph.Initializer.Add(Tensor("w", w, N, K));
        graph.Initializer.Add(Tensor("b", bias, N));
        var gemm = new NodeProto { Name = "fc", OpType = "Gemm" };
        gemm.Input.AddRange(new[] { "x", "w", "b" });
        gemm.Output.Add("t");
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        var relu = new NodeProto { Name = "relu", OpType = "Relu" };
        relu.Input.Add("t");
        relu.Output.Add("y");
        graph.Node.Add(gemm);
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
