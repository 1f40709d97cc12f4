using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using ModelGen.Runtime;

namespace ModelGen.Benchmarks;

/// <summary>
/// Single convolution layers of ResNet18 and MobileNetV2 (bias and ReLU fused), ModelGen against ONNX Runtime with one
/// intra-op thread. ModelGen runs the runtime kernel of the strategy the generator picks for the shape, on weights laid
/// out as the generator lays them out at build time (Winograd-transformed, packed by rows, or packed as B panels);
/// ONNX Runtime runs a one-node model (Conv + Relu) built here, through OrtIoBinding. Setup checks both agree.
/// </summary>
[MemoryDiagnoser]
public class ConvBenchmarks
{
    /// <summary>name: C, H=W, M, kernel, stride, pad.</summary>
    public static IEnumerable<string> Layers => new[]
    {
        "resnet18.layer1 64x56x56 3x3",
        "resnet18.layer3 256x14x14 3x3",
        "resnet18.layer4 512x7x7 3x3",
        "resnet18.layer2.0 64x56x56 3x3 s2",
        "mobilenetv2 24x56x56 1x1 ->144",
        "mobilenetv2 320x7x7 1x1 ->1280",
    };

    [ParamsSource(nameof(Layers))]
    public string Layer { get; set; } = "";

    private int _c, _h, _m, _k, _s, _p, _oh;
    private float[] _x = null!, _y = null!, _bias = null!, _weights = null!, _scratch = null!;
    private Action _modelGen = null!;
    private static readonly FusedActivation Relu = new(ActivationKind.Relu);

    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtIoBinding _binding = null!;
    private OrtValue _ortInput = null!, _ortOutput = null!;
    private float[] _ortY = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_c, _h, _m, _k, _s, _p) = Layer switch
        {
            "resnet18.layer1 64x56x56 3x3" => (64, 56, 64, 3, 1, 1),
            "resnet18.layer3 256x14x14 3x3" => (256, 14, 256, 3, 1, 1),
            "resnet18.layer4 512x7x7 3x3" => (512, 7, 512, 3, 1, 1),
            "resnet18.layer2.0 64x56x56 3x3 s2" => (64, 56, 128, 3, 2, 1),
            "mobilenetv2 24x56x56 1x1 ->144" => (24, 56, 144, 1, 1, 0),
            "mobilenetv2 320x7x7 1x1 ->1280" => (320, 7, 1280, 1, 1, 0),
            _ => throw new ArgumentException("unknown layer " + Layer),
        };
        _oh = (_h + 2 * _p - _k) / _s + 1;
        var random = new Random(7);
        float[] Floats(int n, float scale) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)(random.NextDouble() * 2 - 1) * scale; return a; }
        _x = Floats(_c * _h * _h, 1f);
        var w = Floats(_m * _c * _k * _k, 0.1f);
        _bias = Floats(_m, 0.1f);
        _y = new float[_m * _oh * _oh];
        SetUpModelGen(w);
        SetUpOnnxRuntime(w);

        _modelGen();
        _session.RunWithBinding(_runOptions, _binding);
        for (int i = 0; i < _y.Length; i++)
            if (Math.Abs(_y[i] - _ortY[i]) > 1e-4 + 1e-3 * Math.Abs(_ortY[i]))
                throw new InvalidOperationException($"{Layer}, element {i}: ModelGen {_y[i]}, ONNX Runtime {_ortY[i]}");
    }

    /// <summary>The generator's choice for these shapes (src/Generator/Ops/Conv.cs), with its build-time weight layout.</summary>
    private void SetUpModelGen(float[] w)
    {
        int kernelSize = _c * _k * _k, pixels = _oh * _oh;
        var g = new ConvGeometry(_c, 1, _h, _h, _m, 1, _oh, _oh, 1, _k, _k, 1, _s, _s, 1, 1, 1, 0, _p, _p, 1,
            chunk: _k == 1 && _s == 1 ? 0 : Math.Min((pixels + 15) / 16 * 16, Math.Max(32, 64 * 1024 / kernelSize / 16 * 16)), packedWeights: true);
        if (_k == 3 && _s == 1 && (_oh + 1) / 2 * ((_oh + 1) / 2) >= 36)
        {
            _weights = new float[Kernels.WinogradWeightLength(_m, _c)];
            Kernels.WinogradTransformWeights(w, _m, _c, _weights);
            int tilesW = (_oh + 1) / 2, rows = Math.Max(1, Math.Min((_oh + 1) / 2, 256 * 1024 / (16 * (_c + _m) * tilesW)));
            _scratch = new float[Kernels.WinogradScratch(_c, _m, _oh, rows)];
            _modelGen = () => Kernels.ConvWinograd(_x, _weights, _bias, _y, 1, _c, _h, _h, _m, _oh, _oh, _p, _p, rows, Relu, _scratch);
        }
        else if (pixels <= 64 && pixels % 16 != 0 && _m >= 256)
        {
            var wt = new float[w.Length];
            for (int o = 0; o < _m; o++)
                for (int q = 0; q < kernelSize; q++)
                    wt[q * _m + o] = w[o * kernelSize + q];
            _weights = new float[Kernels.PackedBLength(kernelSize, _m)];
            Kernels.PackB(wt, kernelSize, _m, _weights);
            _scratch = new float[Kernels.ConvPixelRowsScratch(g)];
            _modelGen = () => Kernels.ConvPixelRows(_x, _weights, _bias, _y, 1, g, Relu, _scratch);
        }
        else
        {
            _weights = new float[Kernels.PackedALength(_m, kernelSize)];
            Kernels.PackA(w, kernelSize, _m, kernelSize, _weights);
            _scratch = new float[Math.Max(1, Kernels.ConvScratch(g))];
            _modelGen = () => Kernels.Conv(_x, _weights, _bias, _y, 1, g, Relu, _scratch);
        }
    }

    private void SetUpOnnxRuntime(float[] w)
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(OnnxConvModel.Build(_c, _h, _m, _k, _s, _p, w, _bias), options);
        _runOptions = new RunOptions();
        _binding = _session.CreateIoBinding();
        _ortY = new float[_y.Length];
        _ortInput = OrtValue.CreateTensorValueFromMemory(_x, new long[] { 1, _c, _h, _h });
        _ortOutput = OrtValue.CreateTensorValueFromMemory(_ortY, new long[] { 1, _m, _oh, _oh });
        _binding.BindInput("x", _ortInput);
        _binding.BindOutput("y", _ortOutput);
    }

    [Benchmark(Baseline = true)]
    public float ModelGen()
    {
        _modelGen();
        return _y[0];
    }

    [Benchmark]
    public float OnnxRuntime()
    {
        _session.RunWithBinding(_runOptions, _binding);
        return _ortY[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ortInput.Dispose();
        _ortOutput.Dispose();
        _binding.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}

/// <summary>
/// A one-node ONNX model, Conv (with bias) followed by Relu, written with a few lines of protobuf encoding (this project
/// has no protobuf library): field numbers are those of onnx.proto.
/// </summary>
internal static class OnnxConvModel
{
    public static byte[] Build(int c, int h, int m, int k, int s, int p, float[] w, float[] bias)
    {
        int oh = (h + 2 * p - k) / s + 1;
        var graph = new List<byte>();
        var conv = new List<byte>();
        foreach (var input in new[] { "x", "w", "b" }) Bytes(conv, 1, Encoding.UTF8.GetBytes(input));
        Bytes(conv, 2, Encoding.UTF8.GetBytes("t"));
        Bytes(conv, 4, Encoding.UTF8.GetBytes("Conv"));
        Bytes(conv, 5, IntsAttribute("strides", s, s));
        Bytes(conv, 5, IntsAttribute("pads", p, p, p, p));
        Bytes(conv, 5, IntsAttribute("kernel_shape", k, k));
        Bytes(graph, 1, conv.ToArray());
        var relu = new List<byte>();
        Bytes(relu, 1, Encoding.UTF8.GetBytes("t"));
        Bytes(relu, 2, Encoding.UTF8.GetBytes("y"));
        Bytes(relu, 4, Encoding.UTF8.GetBytes("Relu"));
        Bytes(graph, 1, relu.ToArray());
        Bytes(graph, 2, Encoding.UTF8.GetBytes("conv"));
        Bytes(graph, 5, FloatTensor("w", w, m, c, k, k));
        Bytes(graph, 5, FloatTensor("b", bias, m));
        Bytes(graph, 11, ValueInfo("x", 1, c, h, h));
        Bytes(graph, 12, ValueInfo("y", 1, m, oh, oh));
        var model = new List<byte>();
        Varint(model, 1, 8); // ir_version
        Bytes(model, 7, graph.ToArray());
        var opset = new List<byte>();
        Varint(opset, 2, 13);
        Bytes(model, 8, opset.ToArray());
        return model.ToArray();
    }

    private static byte[] IntsAttribute(string name, params long[] values)
    {
        var a = new List<byte>();
        Bytes(a, 1, Encoding.UTF8.GetBytes(name));
        foreach (var v in values) Varint(a, 8, (ulong)v);
        Varint(a, 20, 7); // AttributeType.INTS
        return a.ToArray();
    }

    private static byte[] FloatTensor(string name, float[] data, params long[] dims)
    {
        var t = new List<byte>();
        foreach (var d in dims) Varint(t, 1, (ulong)d);
        Varint(t, 2, 1); // FLOAT
        Bytes(t, 8, Encoding.UTF8.GetBytes(name));
        var raw = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, raw, 0, raw.Length);
        Bytes(t, 9, raw);
        return t.ToArray();
    }

    private static byte[] ValueInfo(string name, params long[] dims)
    {
        var shape = new List<byte>();
        foreach (var d in dims)
        {
            var dim = new List<byte>();
            Varint(dim, 1, (ulong)d);
            Bytes(shape, 1, dim.ToArray());
        }
        var tensor = new List<byte>();
        Varint(tensor, 1, 1); // FLOAT
        Bytes(tensor, 2, shape.ToArray());
        var type = new List<byte>();
        Bytes(type, 1, tensor.ToArray());
        var info = new List<byte>();
        Bytes(info, 1, Encoding.UTF8.GetBytes(name));
        Bytes(info, 2, type.ToArray());
        return info.ToArray();
    }

    private static void Varint(List<byte> to, int field, ulong value)
    {
        RawVarint(to, (ulong)(field << 3));
        RawVarint(to, value);
    }

    private static void Bytes(List<byte> to, int field, byte[] value)
    {
        RawVarint(to, (ulong)(field << 3 | 2));
        RawVarint(to, (ulong)value.Length);
        to.AddRange(value);
    }

    private static void RawVarint(List<byte> to, ulong value)
    {
        while (value >= 0x80)
        {
            to.Add((byte)(value | 0x80));
            value >>= 7;
        }
        to.Add((byte)value);
    }
}
