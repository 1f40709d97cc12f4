using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using ModelGen.Runtime;

namespace ModelGen.Benchmarks;

/// <summary>
/// The quantized operators against ONNX Runtime (one intra-op thread) and against ModelGen's float kernel of the same
/// shape: QLinearConv 64→64 3×3 on 56×56 (uint8 x, int8 w, uint8 y), two pointwise QLinearConvs of MobileNetV2's kind
/// (32→192 on 112×112: few channels, many pixels; 384→64 on 14×14: many channels, 196 pixels) and QLinearMatMul
/// 1×1024 · 1024×1000. ModelGen runs
/// the runtime kernel the generator calls (for these symmetric int8 weights the uint8 × int8 quad kernels,
/// Kernels.GemmU8S8/ConvU8S8), with the weights packed as the generator does at build time, and, for comparison, the exact
/// int16 path (ModelGenInt16Path) it uses for other weights; ONNX
/// Runtime a one-node model built here, through OrtIoBinding. Setup checks both agree exactly.
/// </summary>
[MemoryDiagnoser]
public class QuantizedBenchmarks
{
    public static IEnumerable<string> Shapes => new[]
    {
        "qconv 64x56x56 3x3 ->64", "qconv 32x112x112 1x1 ->192", "qconv 384x14x14 1x1 ->64", "qmatmul 1x1024 x 1024x1000",
    };

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "";

    private const int K = 1024, N = 1000;
    private const float XScale = 0.02f, WScale = 0.004f, YScale = 0.05f;
    private byte[] _x = null!, _y = null!, _ortY = null!;
    private sbyte[] _w = null!;
    private short[] _scratch = null!, _prepared = null!;
    private float[] _multiplier = null!;
    private Action _int8 = null!, _int16 = null!, _float = null!;
    private static readonly byte[] XZero = { 120 }, YZero = { 128 };

    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtIoBinding _binding = null!;
    private OrtValue _ortInput = null!, _ortOutput = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        bool conv = Shape.StartsWith("qconv", StringComparison.Ordinal);
        var (C, H, M, R) = Shape switch
        {
            "qconv 64x56x56 3x3 ->64" => (64, 56, 64, 3),
            "qconv 32x112x112 1x1 ->192" => (32, 112, 192, 1),
            "qconv 384x14x14 1x1 ->64" => (384, 14, 64, 1),
            _ => (0, 0, 0, 0),
        };
        int kernelSize = C * R * R, pad = R / 2;
        int xLength = conv ? C * H * H : K, wLength = conv ? M * kernelSize : K * N, yLength = conv ? M * H * H : N;
        _x = Enumerable.Range(0, xLength).Select(_ => (byte)random.Next(256)).ToArray();
        _w = Enumerable.Range(0, wLength).Select(_ => (sbyte)random.Next(-128, 128)).ToArray();
        _y = new byte[yLength];
        _ortY = new byte[yLength];
        _multiplier = new[] { XScale * WScale / YScale };
        float[] fx = _x.Select(v => (v - 120) * XScale).ToArray(), fw = _w.Select(v => v * WScale).ToArray(), fy = new float[yLength];
        if (conv)
        {
            var g = new ConvGeometry(C, 1, H, H, M, 1, H, H, 1, R, R, 1, 1, 1, 1, 1, 1, 0, pad, pad, 1, chunk: 0);
            _prepared = new short[M * kernelSize];
            Kernels.WidenInt8Rows<sbyte>(_w, kernelSize, 0, M, kernelSize, default, _prepared);
            _scratch = new short[Kernels.ConvIntegerScratchShorts(g, true, true)];
            _int16 = () => Kernels.QLinearConv<byte, sbyte, byte>(_x, XZero, default, default, _prepared, default, _multiplier, YZero, _y, 1, g, _scratch);
            // Symmetric int8 weights: the generator emits the uint8 x int8 quad kernel (weight rows as bytes + row sums).
            var rowSums = new int[M];
            for (int i = 0; i < _w.Length; i++) rowSums[i / kernelSize] += _w[i];
            var quadScratch = new short[Kernels.ConvU8S8ScratchShorts(g, true)];
            _int8 = () => Kernels.QLinearConvU8S8<byte, byte>(_x, XZero, _w, rowSums, default, _multiplier, YZero, _y, 1, g, quadScratch);
            if (R == 3)
            {
                // The float convolution the generator picks for this shape: Winograd F(2x2, 3x3).
                var u = new float[Kernels.WinogradWeightLength(M, C)];
                Kernels.WinogradTransformWeights(fw, M, C, u);
                int tilesW = (H + 1) / 2, rows = Math.Max(1, Math.Min((H + 1) / 2, 256 * 1024 / (16 * (C + M) * tilesW)));
                var fscratch = new float[Kernels.WinogradScratch(C, M, H, rows)];
                _float = () => Kernels.ConvWinograd(fx, u, default, fy, 1, C, H, H, M, H, H, 1, 1, rows, default, fscratch);
            }
            else
            {
                // Pointwise: the float GEMM straight on the input planes, weights packed as rows (ConvBenchmarks' choice).
                var fg = new ConvGeometry(C, 1, H, H, M, 1, H, H, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, chunk: 0, packedWeights: true);
                var packedW = new float[Kernels.PackedALength(M, C)];
                Kernels.PackA(fw, C, M, C, packedW);
                var fscratch = new float[Math.Max(1, Kernels.ConvScratch(fg))];
                _float = () => Kernels.Conv(fx, packedW, default, fy, 1, fg, default, fscratch);
            }
        }
        else
        {
            // Symmetric int8 weights: the generator emits the uint8 x int8 quad kernel (bytes in 4-K quads + column sums).
            var quads = new sbyte[Kernels.PackedQuadBLength(K, N)];
            var sums = new int[N];
            int panel = 64 * ((K + 3) / 4);
            for (int p = 0; p < K; p++)
                for (int j = 0; j < N; j++)
                {
                    quads[j / 16 * panel + p / 4 * 64 + j % 16 * 4 + p % 4] = _w[p * N + j];
                    sums[j] += _w[p * N + j];
                }
            var quadScratch = new short[Kernels.MatMulU8S8ScratchShorts(1, N, K, true)];
            _int8 = () => Kernels.QLinearMatMulU8S8<byte, byte>(_x, XZero, quads, sums, _multiplier, YZero, _y, 1, N, K, quadScratch);
            // The exact int16 path (machines without VNNI take it for asymmetric or uint8 weights).
            _prepared = new short[Kernels.PackedInt8BLength(K, N)];
            Kernels.PackInt8B<sbyte>(_w, N, K, N, default, _prepared);
            _scratch = new short[Kernels.MatMulIntegerScratchShorts(1, N, K, true, true)];
            _int16 = () => Kernels.QLinearMatMul<byte, sbyte, byte>(_x, XZero, default, default, _prepared, _multiplier, YZero, _y, 1, N, K, _scratch);
            var packed = new float[Kernels.PackedBLength(K, N)];
            Kernels.PackB(fw, K, N, packed);
            _float = () => Kernels.GemmPackedB(fx, K, packed, fy, N, 1, N, K, default, default, 1f, false, default);
        }

        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(conv ? QuantizedModel.Conv(C, H, M, R, _w) : QuantizedModel.MatMul(K, N, _w), options);
        _runOptions = new RunOptions();
        _binding = _session.CreateIoBinding();
        _ortInput = OrtValue.CreateTensorValueFromMemory(_x, conv ? new long[] { 1, C, H, H } : new long[] { 1, K });
        _ortOutput = OrtValue.CreateTensorValueFromMemory(_ortY, conv ? new long[] { 1, M, H, H } : new long[] { 1, N });
        _binding.BindInput("x", _ortInput);
        _binding.BindOutput("y", _ortOutput);

        _float();
        _session.RunWithBinding(_runOptions, _binding);
        foreach (var run in new[] { _int16, _int8 })
        {
            Array.Clear(_y);
            run();
            for (int i = 0; i < _y.Length; i++)
                if (_y[i] != _ortY[i]) throw new InvalidOperationException($"{Shape}, element {i}: ModelGen {_y[i]}, ONNX Runtime {_ortY[i]}");
        }
    }

    [Benchmark(Baseline = true)]
    public byte ModelGenInt8()
    {
        _int8();
        return _y[0];
    }

    [Benchmark]
    public byte ModelGenInt16Path()
    {
        _int16();
        return _y[0];
    }

    [Benchmark]
    public byte OnnxRuntime()
    {
        _session.RunWithBinding(_runOptions, _binding);
        return _ortY[0];
    }

    [Benchmark]
    public int ModelGenFloat()
    {
        _float();
        return 0;
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

/// <summary>One-node QLinearConv / QLinearMatMul models in a few lines of protobuf encoding (field numbers of onnx.proto).</summary>
internal static class QuantizedModel
{
    private const int Float = 1, UInt8 = 2, Int8 = 3;

    public static byte[] Conv(int c, int h, int m, int r, sbyte[] w)
    {
        int p = r / 2;
        var node = Node("QLinearConv", new[] { "x", "xs", "xz", "w", "ws", "wz", "ys", "yz" },
            IntsAttribute("pads", p, p, p, p), IntsAttribute("kernel_shape", r, r));
        return Model(node, w, new long[] { m, c, r, r }, new long[] { 1, c, h, h }, new long[] { 1, m, h, h });
    }

    public static byte[] MatMul(int k, int n, sbyte[] w)
    {
        var node = Node("QLinearMatMul", new[] { "x", "xs", "xz", "w", "ws", "wz", "ys", "yz" });
        return Model(node, w, new long[] { k, n }, new long[] { 1, k }, new long[] { 1, n });
    }

    private static byte[] Model(byte[] node, sbyte[] w, long[] wShape, long[] xShape, long[] yShape)
    {
        var graph = new List<byte>();
        Bytes(graph, 1, node);
        Bytes(graph, 2, Encoding.UTF8.GetBytes("q"));
        Bytes(graph, 5, Tensor("xs", Float, BitConverter.GetBytes(0.02f)));
        Bytes(graph, 5, Tensor("xz", UInt8, new byte[] { 120 }));
        Bytes(graph, 5, Tensor("w", Int8, (byte[])(Array)w, wShape));
        Bytes(graph, 5, Tensor("ws", Float, BitConverter.GetBytes(0.004f)));
        Bytes(graph, 5, Tensor("wz", Int8, new byte[] { 0 }));
        Bytes(graph, 5, Tensor("ys", Float, BitConverter.GetBytes(0.05f)));
        Bytes(graph, 5, Tensor("yz", UInt8, new byte[] { 128 }));
        Bytes(graph, 11, ValueInfo("x", xShape));
        Bytes(graph, 12, ValueInfo("y", yShape));
        var model = new List<byte>();
        Varint(model, 1, 8);
        Bytes(model, 7, graph.ToArray());
        var opset = new List<byte>();
        Varint(opset, 2, 13);
        Bytes(model, 8, opset.ToArray());
        return model.ToArray();
    }

    private static byte[] Node(string op, string[] inputs, params byte[][] attributes)
    {
        var n = new List<byte>();
        foreach (var i in inputs) Bytes(n, 1, Encoding.UTF8.GetBytes(i));
        Bytes(n, 2, Encoding.UTF8.GetBytes("y"));
        Bytes(n, 4, Encoding.UTF8.GetBytes(op));
        foreach (var a in attributes) Bytes(n, 5, a);
        return n.ToArray();
    }

    private static byte[] IntsAttribute(string name, params long[] values)
    {
        var a = new List<byte>();
        Bytes(a, 1, Encoding.UTF8.GetBytes(name));
        foreach (var v in values) Varint(a, 8, (ulong)v);
        Varint(a, 20, 7);
        return a.ToArray();
    }

    private static byte[] Tensor(string name, int type, byte[] raw, params long[] dims)
    {
        var t = new List<byte>();
        foreach (var d in dims) Varint(t, 1, (ulong)d);
        Varint(t, 2, (ulong)type);
        Bytes(t, 8, Encoding.UTF8.GetBytes(name));
        Bytes(t, 9, raw);
        return t.ToArray();
    }

    private static byte[] ValueInfo(string name, long[] dims)
    {
        var shape = new List<byte>();
        foreach (var d in dims)
        {
            var dim = new List<byte>();
            Varint(dim, 1, (ulong)d);
            Bytes(shape, 1, dim.ToArray());
        }
        var tensor = new List<byte>();
        Varint(tensor, 1, UInt8);
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
