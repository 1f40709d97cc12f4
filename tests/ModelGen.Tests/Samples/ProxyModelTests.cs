using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Configuration;
using ModelGen.Diagnostics;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ModelGen.Tests.Samples;

/// <summary>
/// Small random-weight stand-ins for the model families ModelGen is meant for (sentence-embedding BERT, YOLOX, DBNet,
/// CRNN with BiLSTM, conv+GRU wake word, SSD face detector, LSTM VAD, int8 MobileNetV2 blocks) and for the shapes other
/// exporters write (IR 3, NHWC with Transposes, Shape-chain Reshapes, odd names and dimensions). The files in
/// tests/ModelGen.Tests/Models/proxies are written by `tools/export_proxies.py --assets`; its manifest.txt gives each
/// file's `verify` arguments. Every output must match ONNX Runtime within verify's default tolerance.
/// </summary>
[Trait("Category", "Samples")]
public class ProxyModelTests
{
    private const long MaxAssetBytes = 300 * 1024, MaxTotalBytes = 1536 * 1024;

    /// <summary>Operators each asset must contain, so a re-export that loses what the file stands for fails here.</summary>
    private static readonly Dictionary<string, string[]> Characteristic = new(StringComparer.Ordinal)
    {
        ["bert_op13.onnx"] = new[] { "Gather", "Erf", "Softmax", "MatMul", "ReduceMean", "Sqrt", "Reshape", "Transpose" },
        ["yolox_op11.onnx"] = new[] { "Slice", "Sigmoid", "Resize", "Concat", "Exp" },
        ["dbnet_op17.onnx"] = new[] { "ConvTranspose", "HardSigmoid", "Resize", "GlobalAveragePool", "Reciprocal" },
        ["crnn_op9.onnx"] = new[] { "LSTM", "MaxPool", "LogSoftmax", "Squeeze" },
        ["wakeword_op13.onnx"] = new[] { "GRU", "Conv", "Transpose", "Sigmoid" },
        ["ssdface_op11.onnx"] = new[] { "Softmax", "Reshape", "Concat", "Transpose" },
        ["vad_op17.onnx"] = new[] { "Pad", "LSTM", "Sqrt", "Log", "ReduceMean" },
        ["ir3_initializer_inputs.onnx"] = new[] { "Conv", "Gemm", "Softmax" },
        ["nhwc_keras.onnx"] = new[] { "Transpose", "Clip", "Shape", "Reshape" },
        ["shape_chain_reshape.onnx"] = new[] { "Shape", "Gather", "Unsqueeze", "Concat", "ReduceProd", "Reshape" },
        ["int8_qoperator_s8_perchannel.onnx"] = new[] { "QLinearConv", "QLinearAdd", "QLinearGlobalAveragePool", "QLinearMatMul" },
        ["int8_qdq.onnx"] = new[] { "QuantizeLinear", "DequantizeLinear", "Conv", "Gemm" },
        ["names_and_dims.onnx"] = new[] { "MatMul", "Cast" },
    };

    public static IEnumerable<object[]> Assets() => Manifest().Select(e => new object[] { e.File });

    [Theory]
    [MemberData(nameof(Assets))]
    public void Proxy_matches_onnx_runtime(string file)
    {
        var entry = Manifest().Single(e => e.File == file);
        string path = Path.Combine(Folder(), file);
        byte[] bytes = File.ReadAllBytes(path);

        var ops = ModelProto.Parser.ParseFrom(bytes).Graph.Node.Select(n => n.OpType).ToHashSet(StringComparer.Ordinal);
        Assert.True(Characteristic.ContainsKey(file), $"{file} is in manifest.txt but has no expected operators here");
        foreach (var op in Characteristic[file])
            Assert.True(ops.Contains(op), $"{file} no longer has a {op} node: re-exported differently?");

        var parse = new List<ModelDiagnostic>();
        var options = ModelOptions.Default("Proxy", "Proxies") with
        {
            Dimensions = ModelOptions.ParseDimensions(entry.Dims, file, parse, null),
            Shapes = ModelOptions.ParseShapes(entry.Shapes, file, parse, null),
        };
        Assert.Empty(parse);
        var verify = new VerifyOptions { Seed = TestData.StableSeed(file), IntMax = entry.IntMax };
        var result = ModelCompiler.Compile(bytes, path, options);
        Assert.True(result.Success, $"{file}: " + string.Join("; ", result.Diagnostics));
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);

        var model = InMemoryModel.Load(result, options);
        var inputs = model.Inputs.Select(i => Verifier.RandomTensor(i, verify)).ToArray();
        var outputs = model.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        model.Run(inputs, outputs);

        using var oracle = new OnnxRuntimeOracle(bytes);
        var theirs = oracle.Run(model.Inputs.Select((info, k) => (info.OnnxName, inputs[k], info.Shape)).ToList(),
                                model.Outputs.Select(o => (o.OnnxName, o.ElementType, o.Shape)).ToList());
        var failures = new List<string>();
        for (int i = 0; i < outputs.Length; i++)
        {
            var cmp = Verifier.Compare(model.Outputs[i].OnnxName, outputs[i], theirs[i], verify);
            if (!cmp.WithinTolerance) failures.Add(cmp.ToString());
        }
        Assert.True(failures.Count == 0, $"{file}: " + string.Join("; ", failures));

        // The inputs must reach the outputs: an output ONNX Runtime computes as one repeated value would let a wrong
        // kernel pass (a saturated int8 block, a mask that hides everything).
        for (int i = 0; i < outputs.Length; i++)
            if (theirs[i].Length > 1)
            {
                var values = theirs[i].Cast<object>().Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray();
                Assert.True(values.Max() > values.Min(), $"{file}: ONNX Runtime's output {model.Outputs[i].OnnxName} is constant ({values[0]})");
            }
    }

    [Fact]
    public void Assets_stay_small_and_every_file_is_in_the_manifest()
    {
        var files = Directory.GetFiles(Folder(), "*.onnx").Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.Equal(files, Manifest().Select(e => e.File).OrderBy(f => f, StringComparer.Ordinal).ToArray());
        long total = 0;
        foreach (var f in files)
        {
            long size = new FileInfo(Path.Combine(Folder(), f!)).Length;
            Assert.True(size <= MaxAssetBytes, $"{f} is {size:N0} bytes; keep proxies under {MaxAssetBytes:N0}");
            total += size;
        }
        Assert.True(total <= MaxTotalBytes, $"proxies take {total:N0} bytes; the budget is {MaxTotalBytes:N0}");
    }

    private static string Folder() => Path.Combine(DigitsSample.RepoRoot(), "tests", "ModelGen.Tests", "Models", "proxies");

    private sealed record Entry(string File, string? Dims, string? Shapes, int IntMax);

    /// <summary>manifest.txt: a file name, then the `modelgen verify` options it needs (--dims, --shape, --int-max).</summary>
    private static List<Entry> Manifest()
    {
        var entries = new List<Entry>();
        foreach (var line in File.ReadLines(Path.Combine(Folder(), "manifest.txt")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            string? dims = null, shapes = null;
            int intMax = 1;
            for (int i = 1; i + 1 < parts.Length; i += 2)
            {
                switch (parts[i])
                {
                    case "--dims": dims = parts[i + 1]; break;
                    case "--shape": shapes = parts[i + 1]; break;
                    case "--int-max": intMax = int.Parse(parts[i + 1], CultureInfo.InvariantCulture); break;
                    default: throw new FormatException($"manifest.txt: unknown option {parts[i]} in '{line}'");
                }
            }
            entries.Add(new Entry(parts[0], dims, shapes, intMax));
        }
        return entries;
    }
}
