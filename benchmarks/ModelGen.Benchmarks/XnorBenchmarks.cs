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
/// Binarized convolutions (XNOR-Net). Each case is compiled three ways: the binarized model (Sign → Conv with ±α weights
/// per output channel), which ModelGen runs on XNOR + popcount; ModelGen's float kernels on the same shapes (the same
/// model with every weight nudged off ±α by its own factor, so nothing binarizes and no codebook applies: Sign kernel +
/// float conv); and ONNX
/// Runtime (one thread) on the binarized model, which computes it in float. Setup checks ModelGen and ONNX Runtime agree.
/// Cases: single layers Sign → Conv 3×3 pad 1 (+ Relu), and a small XNOR-Net (float first layer, three BN → Sign →
/// binary 3×3 conv blocks at 128 channels on 32×32, the second strided, global pooling and a float classifier).
/// </summary>
[MemoryDiagnoser]
public class XnorBenchmarks
{
    public static IEnumerable<string> Cases => new[] { "3x3 256->256 14x14", "3x3 128->128 28x28", "network 128ch 32x32" };

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    private IOnnxModel _binary = null!, _float = null!;
    private Array[] _inputs = null!, _outputs = null!, _floatOutputs = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtIoBinding _binding = null!;
    private OrtValue _ortInput = null!, _ortOutput = null!;
    private float[] _ortY = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        ModelProto binary, nudged;
        long[] inShape, outShape;
        if (Case.StartsWith("network", StringComparison.Ordinal))
        {
            (binary, nudged) = (Network(new Random(5), 128, 32, false), Network(new Random(5), 128, 32, true));
            inShape = new long[] { 1, 3, 32, 32 };
            outShape = new long[] { 1, 10 };
        }
        else
        {
            var (c, h, m) = Case switch
            {
                "3x3 256->256 14x14" => (256, 14, 256),
                "3x3 128->128 28x28" => (128, 28, 128),
                _ => throw new ArgumentException("unknown case " + Case),
            };
            (binary, nudged) = (Layer(new Random(5), c, h, m, false), Layer(new Random(5), c, h, m, true));
            inShape = new long[] { 1, c, h, h };
            outShape = new long[] { 1, m, h, h };
        }
        int inCount = (int)inShape.Aggregate(1L, (a, b) => a * b), outCount = (int)outShape.Aggregate(1L, (a, b) => a * b);
        var x = Enumerable.Range(0, inCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        string path = Path.Combine(Path.GetTempPath(), $"modelgen-xnor-{Case.Replace(' ', '_').Replace('>', '_')}.onnx");
        string floatPath = Path.ChangeExtension(path, ".float.onnx");
        File.WriteAllBytes(path, binary.ToByteArray());
        File.WriteAllBytes(floatPath, nudged.ToByteArray());

        _binary = GeneratedModel.Compile(path);
        _float = GeneratedModel.Compile(floatPath);
        _inputs = new Array[] { x };
        _outputs = new Array[] { new float[outCount] };
        _floatOutputs = new Array[] { new float[outCount] };

        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(path, options);
        _runOptions = new RunOptions();
        _ortY = new float[outCount];
        _ortInput = OrtValue.CreateTensorValueFromMemory(x, inShape);
        _ortOutput = OrtValue.CreateTensorValueFromMemory(_ortY, outShape);
        _binding = _session.CreateIoBinding();
        _binding.BindInput("x", _ortInput);
        _binding.BindOutput("y", _ortOutput);

        ModelGenXnor();
        ModelGenFloat();
        OnnxRuntimeRunWithBinding();
        var ours = (float[])_outputs[0];
        for (int i = 0; i < ours.Length; i++)
            if (Math.Abs(ours[i] - _ortY[i]) > 1e-3 + 1e-3 * Math.Abs(_ortY[i]))
                throw new InvalidOperationException($"{Case}, element {i}: ModelGen {ours[i]}, ONNX Runtime {_ortY[i]}");
        Console.WriteLine($"// {Case}: binary conv weights {BinaryWeightBytes(binary)} B as float, stored as sign bits + α");
    }

    private static long BinaryWeightBytes(ModelProto model) =>
        model.Graph.Initializer.Where(t => t.Name.StartsWith("bw", StringComparison.Ordinal)).Sum(t => (long)t.RawData.Length);

    /// <summary>
    /// ±α per output channel; <paramref name="nudge"/> scales every weight by its own factor in [0.999, 1.001], so the
    /// channel has as many distinct values as weights: nothing binarizes and no codebook applies (the float kernels
    /// run). The factors come from their own generator, so both variants draw the same signs, α and inputs.
    /// </summary>
    private static float[] BinaryWeights(Random random, int m, int per, bool nudge)
    {
        var w = new float[m * per];
        var factors = new Random(11);
        for (int o = 0; o < m; o++)
        {
            float alpha = (float)(0.01 + 0.05 * random.NextDouble());
            for (int i = 0; i < per; i++) w[o * per + i] = random.Next(2) == 0 ? alpha : -alpha;
            if (nudge)
                for (int i = 0; i < per; i++) w[o * per + i] *= (float)(0.999 + 0.002 * factors.NextDouble());
        }
        return w;
    }

    private static float[] Floats(Random random, int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();

    private static ModelProto Layer(Random random, int c, int h, int m, bool nudge)
    {
        var g = new GraphProto { Name = "xnor" };
        g.Input.Add(Info("x", 1, c, h, h));
        g.Output.Add(Info("y", 1, m, h, h));
        g.Initializer.Add(Tensor("bw", BinaryWeights(random, m, c * 9, nudge), m, c, 3, 3));
        g.Initializer.Add(Tensor("b", Floats(random, m, 0.1f), m));
        g.Node.Add(Node("Sign", new[] { "x" }, "s"));
        g.Node.Add(Node("Conv", new[] { "s", "bw", "b" }, "t", ("pads", new long[] { 1, 1, 1, 1 })));
        g.Node.Add(Node("Relu", new[] { "t" }, "y"));
        return Model(g);
    }

    private static ModelProto Network(Random random, int c, int size, bool nudge)
    {
        var g = new GraphProto { Name = "xnornet" };
        g.Input.Add(Info("x", 1, 3, size, size));
        g.Output.Add(Info("y", 1, 10));
        g.Initializer.Add(Tensor("w0", Floats(random, c * 27, 0.3f), c, 3, 3, 3));
        g.Initializer.Add(Tensor("b0", Floats(random, c, 0.1f), c));
        g.Node.Add(Node("Conv", new[] { "x", "w0", "b0" }, "h0", ("pads", new long[] { 1, 1, 1, 1 })));
        g.Node.Add(Node("Relu", new[] { "h0" }, "a0"));
        string prev = "a0";
        for (int i = 1; i <= 3; i++)
        {
            g.Initializer.Add(Tensor("s" + i, Floats(random, c, 0.5f).Select(v => 0.5f + Math.Abs(v)).ToArray(), c));
            g.Initializer.Add(Tensor("o" + i, Floats(random, c, 0.2f), c));
            g.Initializer.Add(Tensor("m" + i, Floats(random, c, 0.2f), c));
            g.Initializer.Add(Tensor("v" + i, Floats(random, c, 0.5f).Select(v => 0.5f + Math.Abs(v)).ToArray(), c));
            g.Node.Add(Node("BatchNormalization", new[] { prev, "s" + i, "o" + i, "m" + i, "v" + i }, "n" + i));
            g.Node.Add(Node("Sign", new[] { "n" + i }, "g" + i));
            g.Initializer.Add(Tensor("bw" + i, BinaryWeights(random, c, c * 9, nudge), c, c, 3, 3));
            long stride = i == 2 ? 2 : 1;
            g.Node.Add(Node("Conv", new[] { "g" + i, "bw" + i }, "c" + i, ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new[] { stride, stride })));
            prev = "c" + i;
        }
        g.Node.Add(Node("GlobalAveragePool", new[] { prev }, "p"));
        g.Node.Add(Node("Flatten", new[] { "p" }, "f"));
        g.Initializer.Add(Tensor("fc", Floats(random, c * 10, 0.1f), c, 10));
        g.Initializer.Add(Tensor("fb", Floats(random, 10, 0.1f), 10));
        g.Node.Add(Node("Gemm", new[] { "f", "fc", "fb" }, "y"));
        return Model(g);
    }

    private static int _nodes;

    private static NodeProto Node(string op, string[] inputs, string output, params (string Name, long[] Ints)[] attributes)
    {
        var n = new NodeProto { Name = op.ToLowerInvariant() + "_" + _nodes++, OpType = op };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        foreach (var (name, ints) in attributes)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(ints);
            n.Attribute.Add(a);
        }
        return n;
    }

    private static TensorProto Tensor(string name, float[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    private static ValueInfoProto Info(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }

    private static ModelProto Model(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "ModelGen.Benchmarks", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }

    [Benchmark(Baseline = true)]
    public void ModelGenXnor() => _binary.Run(_inputs, _outputs);

    [Benchmark]
    public void ModelGenFloat() => _float.Run(_inputs, _floatOutputs);

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
