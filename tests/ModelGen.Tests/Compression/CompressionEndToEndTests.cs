using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using ModelGen.Cli;
using ModelGen.Compiler;
using ModelGen.Compression;
using ModelGen.Onnx.Proto;
using ModelGen.Runtime;
using ModelGen.Tests.Diagnostics;
using ModelGen.Tests.Generator;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Compression;

/// <summary>
/// Compression from the outside: Compression="..." item metadata through the source generator (as a csproj sets it),
/// the build task's entry point, and `modelgen compress` writing a file ONNX Runtime runs.
/// </summary>
[Trait("Category", "Ops")]
public sealed class CompressionEndToEndTests : IDisposable
{
    private readonly TempFolder _folder = new("modelgen-compress-tests");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Compression_metadata_reaches_the_generator_and_the_class_computes_the_compressed_model()
    {
        var model = ModelCompressorTests.ConvNet();
        string path = _folder.File("net.onnx", model.ToByteArray());
        var options = new TestOptionsProvider().With(path, new Dictionary<string, string>
        {
            ["ClassName"] = "Net", ["Namespace"] = "Compressed", ["Compression"] = "int4", ["CompressionKeep"] = "gemm_6",
        });

        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, options);

        DiagnosticAssert.Reports(run.Diagnostics, "MG0303", "compressed with 'int4': 3 layers", "'gemm_6' (kept float)");
        Assert.Empty(run.CompilationProblems);
        var net = (IOnnxModel)Activator.CreateInstance(run.Load().GetType("Compressed.Net", throwOnError: true)!)!;
        var inputs = ModelCompressorTests.Inputs(model);
        var y = new float[10];
        net.Run(new Array[] { inputs["x"].Data }, new Array[] { y });

        var options2 = CompressionOptions.Parse("int4", "gemm_6", out _)!;
        var file = ModelCompressor.Compress(model, options2).Model;
        var expected = ModelCompressorTests.RunOrt(file.ToByteArray(), inputs, 1, 10);
        for (int i = 0; i < 10; i++)
            Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-4 + 1e-3 * Math.Abs(expected[i]), $"y[{i}]: {y[i]} vs ONNX Runtime {expected[i]}");
        // And not the float model's outputs.
        var floatOutputs = ModelCompressorTests.RunOrt(model.ToByteArray(), inputs, 1, 10);
        Assert.Contains(Enumerable.Range(0, 10), i => Math.Abs(y[i] - floatOutputs[i]) > 1e-3);
    }

    [Fact]
    public void Bad_compression_metadata_in_the_generator_is_MG0401_and_nothing_is_generated()
    {
        string path = _folder.File("bad.onnx", ModelCompressorTests.Mlp().ToByteArray());
        var options = new TestOptionsProvider().With(path, new Dictionary<string, string> { ["Compression"] = "int3" });
        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, options);
        DiagnosticAssert.Reports(run.Diagnostics, "MG0401", "Compression", "int3");
    }

    [Fact]
    public void The_build_task_compiles_with_the_same_compression()
    {
        // The task compiles the model only for a resource blob; with compression the blob holds the compressed weights.
        var random = new Random(12);
        var big = new ModelBuilder(13).Input("x", 1, 1024).Initializer("w", TestData.Floats(random, 1024 * 512), 1024, 512)
            .Node("MatMul", new[] { "x", "w" }, new[] { "y" }).Output("y").Build();
        string path = _folder.File("big.onnx", big.ToByteArray());
        var plain = BuildTaskEntry.CompileWeights(path, new Dictionary<string, string> { ["WeightStorage"] = "Resource" }, "App");
        var int8 = BuildTaskEntry.CompileWeights(path, new Dictionary<string, string> { ["WeightStorage"] = "Resource", ["Compression"] = "int8" }, "App");
        Assert.Equal("Resource", plain[0]);
        Assert.Equal("Resource", int8[0]);
        // MatMulInteger's constant weights are widened to int16 for the integer GEMM at build time: half the float bytes.
        Assert.True(((byte[])int8[3]!).Length < ((byte[])plain[3]!).Length * 0.55, $"{((byte[])int8[3]!).Length} vs {((byte[])plain[3]!).Length}");
    }

    [Fact]
    public void Cli_compress_writes_a_model_onnx_runtime_runs_and_prints_the_table_and_the_deviation()
    {
        string input = _folder.File("mlp.onnx", ModelCompressorTests.Mlp().ToByteArray());
        string output = Path.Combine(_folder.Path, "out", "mlp-int8.onnx");

        var (code, stdout, stderr) = Run("compress", input, output, "--lowrank", "0.9", "--int8", "--keep", "matmul_5");

        Assert.True(code == 0, stderr);
        Assert.Contains("lowrank r=", stdout);
        Assert.Contains("skipped: kept float", stdout);
        Assert.Contains("deviation of OUT from IN with ONNX Runtime", stdout);
        var bytes = File.ReadAllBytes(output);
        var expected = ModelCompressor.Compress(ModelCompressorTests.Mlp(), CompressionOptions.Parse("lowrank=0.9;int8", "matmul_5", out _)!).Model.ToByteArray();
        Assert.Equal(expected, bytes); // the same library, the same bytes
        var model = ModelProto.Parser.ParseFrom(bytes);
        Assert.Contains(model.Graph.Node, n => n.OpType == "MatMulInteger");
        Assert.Equal(3 * 16, ModelCompressorTests.RunOrt(bytes, ModelCompressorTests.Inputs(model), 3, 16).Length);
    }

    [Theory]
    [InlineData(new[] { "compress", "a.onnx", "b.onnx" }, "no technique given")]
    [InlineData(new[] { "compress", "a.onnx", "b.onnx", "--int8", "--int4" }, "both quantize")]
    [InlineData(new[] { "compress", "a.onnx", "b.onnx", "--prune", "2" }, "sparsity in (0, 1)")]
    [InlineData(new[] { "compress", "a.onnx", "--int8" }, "expected IN.onnx and OUT.onnx")]
    public void Cli_compress_rejects_bad_command_lines(string[] args, string message)
    {
        var (code, _, stderr) = Run(args);
        Assert.Equal(Commands.BadUsage, code);
        Assert.Contains(message, stderr);
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = Commands.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
