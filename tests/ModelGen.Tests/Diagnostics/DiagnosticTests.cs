using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Microsoft.CodeAnalysis;
using ModelGen.Configuration;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Diagnostics;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Generator;
using ModelGen.Tests.Infrastructure;
using Xunit;
using DataType = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Diagnostics;

/// <summary>Every diagnostic ID, produced from a real input: a file, a model, or project item metadata.</summary>
[Trait("Category", "Diagnostics")]
public class DiagnosticTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static ModelOptions Options(string className = "TestModel") => ModelOptions.Default(className, "Diag.Models");

    private CompileResult CompileFile(byte[] bytes, string name = "model.onnx", ModelOptions? options = null)
    {
        string path = _folder.File(name, bytes);
        return ModelCompiler.Compile(bytes, path, options ?? Options());
    }

    private static GeneratorHarness.Generated Generate(IEnumerable<(string Path, Dictionary<string, string>? Metadata)> files)
    {
        var options = new TestOptionsProvider();
        foreach (var (path, metadata) in files)
            if (metadata is not null) options.With(path, metadata);
        var run = GeneratorHarness.Run(files.Select(f => (AdditionalText)new BinaryAdditionalText(f.Path)).ToList(), options);
        // The generator reports problems as diagnostics; it never throws (the driver would report CS8784/CS8785).
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8784" or "CS8785");
        return run;
    }

    private static void AssertFailedCleanly(CompileResult result, string what = "the model")
    {
        Assert.False(result.Success, $"{what} compiled without an error");
        Assert.Null(result.Source);
        Assert.Contains(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("internal compiler error", StringComparison.Ordinal));
    }

    // ---- MG0001: the file cannot be read ---------------------------------------------------------------------------

    [Fact]
    public void MG0001_a_directory_named_like_a_model()
    {
        string dir = Path.Combine(_folder.Path, "folder.onnx");
        Directory.CreateDirectory(dir);
        var run = Generate(new[] { (dir, (Dictionary<string, string>?)null) });

        var d = DiagnosticAssert.Reports(run.Diagnostics, "MG0001", "folder.onnx");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(dir, d.Location.GetLineSpan().Path);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void MG0001_a_file_that_does_not_exist()
    {
        string missing = Path.Combine(_folder.Path, "gone.onnx");
        var run = Generate(new[] { (missing, (Dictionary<string, string>?)null) });
        DiagnosticAssert.Reports(run.Diagnostics, "MG0001", "gone.onnx");
        Assert.Empty(run.Sources);
    }

    // ---- MG0002: not an ONNX model ---------------------------------------------------------------------------------

    [Fact]
    public void MG0002_empty_file_and_text_file()
    {
        DiagnosticAssert.Reports(CompileFile(Array.Empty<byte>()).Diagnostics, "MG0002", "model.onnx", "empty");
        DiagnosticAssert.Reports(CompileFile("just some text, not protobuf\n"u8.ToArray()).Diagnostics, "MG0002");

        string empty = _folder.File("empty.onnx", Array.Empty<byte>());
        var run = Generate(new[] { (empty, (Dictionary<string, string>?)null) });
        DiagnosticAssert.Reports(run.Diagnostics, "MG0002", "empty.onnx");
    }

    /// <summary>
    /// Fuzz-like: a valid model truncated at every offset, and random byte strings (fixed seed). Every result must be an
    /// error diagnostic (no exception, no "internal compiler error"), and most of them MG0002.
    /// </summary>
    [Fact]
    public void MG0002_truncated_and_random_bytes_always_give_a_diagnostic()
    {
        byte[] valid = TestModels.GemmRelu();
        Assert.True(CompileFile(valid).Success);
        int notOnnx = 0, total = 0;
        for (int length = 0; length < valid.Length; length++)
        {
            var result = ModelCompiler.Compile(valid[..length], "truncated.onnx", Options());
            AssertFailedCleanly(result, $"the model cut to {length} of {valid.Length} bytes");
            if (result.Diagnostics.Any(d => d.Id == "MG0002")) notOnnx++;
            total++;
        }

        var random = new Random(20260101);
        for (int i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(1, 600)];
            random.NextBytes(bytes);
            var result = ModelCompiler.Compile(bytes, "random.onnx", Options());
            AssertFailedCleanly(result, $"random input #{i} ({bytes.Length} bytes)");
            if (result.Diagnostics.Any(d => d.Id == "MG0002")) notOnnx++;
            total++;
        }
        Assert.True(notOnnx > total * 9 / 10, $"only {notOnnx} of {total} broken inputs were reported as MG0002");

        // A few through the generator too: diagnostics, never a driver exception.
        var files = Enumerable.Range(1, 5).Select(k => (_folder.File($"cut{k}.onnx", valid[..(valid.Length * k / 6)]), (Dictionary<string, string>?)new() { ["ClassName"] = $"Cut{k}" })).ToList();
        var run = Generate(files);
        DiagnosticAssert.Reports(run.Diagnostics, "MG0002", "cut1.onnx");
        Assert.Empty(run.Sources);
    }

    // ---- MG0003 / MG0004: versions ---------------------------------------------------------------------------------

    [Theory]
    [InlineData(2)]
    [InlineData(14)]
    [InlineData(100)]
    public void MG0003_IR_version_out_of_range(int irVersion)
    {
        var bytes = new ModelBuilder(opset: 13, irVersion: irVersion).Input("x", 2).Node("Relu", new[] { "x" }, new[] { "y" }).Output("y").ToBytes();
        var result = CompileFile(bytes);
        AssertFailedCleanly(result);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0003", $"IR version {irVersion}", "3 to 13");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(28)]
    public void MG0004_opset_out_of_range(int opset)
    {
        var bytes = new ModelBuilder(opset: opset).Input("x", 2).Node("Relu", new[] { "x" }, new[] { "y" }).Output("y").ToBytes();
        var result = CompileFile(bytes);
        AssertFailedCleanly(result);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0004", $"opset {opset}", "ai.onnx", "1 to 27");
    }

    // ---- MG0005 / MG0006: external data ----------------------------------------------------------------------------

    private static TensorProto ExternalTensor(string name, string location, long[] dims, long offset = 0, long length = -1)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        t.Dims.AddRange(dims);
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        if (offset != 0) t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        if (length >= 0) t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return t;
    }

    private static byte[] ExternalModel(TensorProto w, TensorProto? b = null) =>
        new ModelBuilder(opset: 13).Input("x", 2, 4).Initializer(w).Initializer(b ?? ModelBuilder.FloatTensor("b", new float[] { 0.5f, -0.5f, 1f }, 3))
            .Node("Gemm", new[] { "x", "w", "b" }, new[] { "y" }).Output("y").ToBytes();

    private static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    [Fact]
    public void MG0005_external_data_at_an_absolute_path()
    {
        string outside = _folder.File("elsewhere/weights.bin", FloatBytes(new float[12]));
        var result = CompileFile(ExternalModel(ExternalTensor("w", outside, new long[] { 4, 3 })), "models/m.onnx");
        AssertFailedCleanly(result);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0005", "'w'", outside, "absolute path");
    }

    [Fact]
    public void MG0005_external_data_climbing_out_with_dotdot()
    {
        _folder.File("elsewhere/weights.bin", FloatBytes(new float[12]));
        var result = CompileFile(ExternalModel(ExternalTensor("w", "../elsewhere/weights.bin", new long[] { 4, 3 })), "models/m.onnx");
        AssertFailedCleanly(result);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0005", "../elsewhere/weights.bin", "outside the model's folder");

        // Climbing out and back in is fine: the resolved path is what counts.
        _folder.File("models/weights.bin", FloatBytes(new float[12]));
        var back = CompileFile(ExternalModel(ExternalTensor("w", "../models/weights.bin", new long[] { 4, 3 })), "models/m.onnx");
        Assert.True(back.Success, string.Join("; ", back.Diagnostics));
    }

    [Fact]
    public void MG0005_external_data_through_a_symbolic_link()
    {
        string target = _folder.File("secret/weights.bin", FloatBytes(new float[12]));
        Directory.CreateDirectory(Path.Combine(_folder.Path, "models"));
        File.CreateSymbolicLink(Path.Combine(_folder.Path, "models", "weights.bin"), target);
        var result = CompileFile(ExternalModel(ExternalTensor("w", "weights.bin", new long[] { 4, 3 })), "models/m.onnx");
        AssertFailedCleanly(result);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0005", "weights.bin", "symbolic link");

        // A linked folder on the way is refused too.
        Directory.CreateSymbolicLink(Path.Combine(_folder.Path, "models", "data"), Path.Combine(_folder.Path, "secret"));
        var viaFolder = CompileFile(ExternalModel(ExternalTensor("w", "data/weights.bin", new long[] { 4, 3 })), "models/m.onnx");
        DiagnosticAssert.Reports(viaFolder.Diagnostics, "MG0005", "data/weights.bin", "symbolic link");
    }

    [Fact]
    public void MG0006_missing_external_data_file_and_range_past_its_end()
    {
        var missing = CompileFile(ExternalModel(ExternalTensor("w", "missing.bin", new long[] { 4, 3 })));
        AssertFailedCleanly(missing);
        DiagnosticAssert.Reports(missing.Diagnostics, "MG0006", "'w'", "missing.bin");

        _folder.File("short.bin", FloatBytes(new float[12]));
        var pastEnd = CompileFile(ExternalModel(ExternalTensor("w", "short.bin", new long[] { 4, 3 }, offset: 16, length: 48)));
        AssertFailedCleanly(pastEnd);
        DiagnosticAssert.Reports(pastEnd.Diagnostics, "MG0006", "short.bin", "outside the file");
    }

    [Fact]
    public void Valid_external_data_beside_the_model_compiles_and_matches_onnx_runtime()
    {
        var random = new Random(5);
        float[] w = TestData.Floats(random, 12), b = TestData.Floats(random, 3);
        // Both tensors in one file, b at an aligned offset after w, as onnx.save_model(save_as_external_data=True) does.
        var blob = new byte[64 + 12];
        Buffer.BlockCopy(w, 0, blob, 0, 48);
        Buffer.BlockCopy(b, 0, blob, 64, 12);
        _folder.File("ext/model.weights", blob);
        byte[] model = ExternalModel(ExternalTensor("w", "model.weights", new long[] { 4, 3 }, 0, 48), ExternalTensor("b", "model.weights", new long[] { 3 }, 64, 12));
        string path = _folder.File("ext/model.onnx", model);

        var report = Verifier.Verify(model, path, Options("External"), new VerifyOptions { Seed = 3 }, modelOnDisk: true);
        Assert.True(report.Supported, string.Join("; ", report.Diagnostics));
        Assert.True(report.Passed, string.Join("; ", report.Outputs));

        // And through the generator, compiled together with the runtime.
        var run = Generate(new[] { (path, (Dictionary<string, string>?)new() { ["ClassName"] = "External" }) });
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems);
    }

    // ---- MG0101: open dimensions -----------------------------------------------------------------------------------

    [Fact]
    public void MG0101_symbolic_and_unnamed_dimensions_and_their_fixes()
    {
        byte[] model = new ModelBuilder(opset: 13)
            .SymbolicInput("x", DataType.Float, "N", 4)
            .SymbolicInput("z", DataType.Float, null, 4)
            .Node("Add", new[] { "x", "z" }, new[] { "y" }).Output("y").ToBytes();

        var open = CompileFile(model);
        AssertFailedCleanly(open);
        DiagnosticAssert.Reports(open.Diagnostics, "MG0101", "'x'", "'N'", "axis 0", "Dimensions=\"N=N\"");
        DiagnosticAssert.Reports(open.Diagnostics, "MG0101", "'z'", "'?'", "axis 0", "Shapes=\"z=...\"");
        Assert.DoesNotContain(open.Diagnostics, d => d.Message.Contains("Dimensions=\"?=N\""));

        var diags = new List<ModelDiagnostic>();
        var onlyDims = Options() with { Dimensions = ModelOptions.ParseDimensions("N=3", "model.onnx", diags, null) };
        var stillOpen = CompileFile(model, options: onlyDims);
        DiagnosticAssert.Reports(stillOpen.Diagnostics, "MG0101", "'z'", "'?'");
        Assert.DoesNotContain(stillOpen.Diagnostics, d => d.Message.Contains("'N'", StringComparison.Ordinal));

        var fixedOptions = onlyDims with { Shapes = ModelOptions.ParseShapes("z=3x4", "model.onnx", diags, null) };
        Assert.Empty(diags);
        var report = Verifier.Verify(model, "model.onnx", fixedOptions, new VerifyOptions());
        Assert.True(report.Passed, string.Join("; ", report.Diagnostics.Select(d => d.ToString()).Concat(report.Outputs.Select(o => o.ToString()))));
    }

    [Fact]
    public void MG0101_input_without_any_shape()
    {
        var proto = new ModelBuilder(opset: 13).Input("x", 2).Node("Relu", new[] { "x" }, new[] { "y" }).Output("y").Build();
        proto.Graph.Input[0].Type.TensorType.Shape = null;
        var result = CompileFile(proto.ToByteArray());
        DiagnosticAssert.Reports(result.Diagnostics, "MG0101", "'x'", "unknown rank");

        var fixedResult = CompileFile(proto.ToByteArray(), options: Options() with { Shapes = ModelOptions.ParseShapes("x=5", "m", new(), null) });
        Assert.True(fixedResult.Success, string.Join("; ", fixedResult.Diagnostics));
    }

    // ---- MG0102: invalid graph -------------------------------------------------------------------------------------

    [Fact]
    public void MG0102_input_never_produced()
    {
        var result = CompileFile(new ModelBuilder(opset: 13).Input("x", 2).Node("Add", new[] { "x", "ghost" }, new[] { "y" }).Output("y").ToBytes());
        AssertFailedCleanly(result);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0102", "add_0", "'ghost'", "not produced");
    }

    [Fact]
    public void MG0102_gemm_with_mismatched_inner_dimensions()
    {
        var result = CompileFile(new ModelBuilder(opset: 13).Input("a", 2, 3).Input("b", 4, 5).Node("Gemm", new[] { "a", "b" }, new[] { "y" }).Output("y").ToBytes());
        AssertFailedCleanly(result);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0102", "gemm_0", "(Gemm)", "inner dimensions");
    }

    [Fact]
    public void MG0102_output_nobody_produces()
    {
        var result = CompileFile(new ModelBuilder(opset: 13).Input("x", 2).Node("Relu", new[] { "x" }, new[] { "y" }).Output("y").Output("orphan").ToBytes());
        AssertFailedCleanly(result);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0102", "orphan", "no node produces it");
    }

    // ---- MG0201..MG0203: support -----------------------------------------------------------------------------------

    [Fact]
    public void MG0201_lists_every_unsupported_operator_at_once()
    {
        var proto = new ModelBuilder(opset: 13).Input("x", 2, 3)
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("FancyOp", new[] { "r" }, new[] { "f" })
            .Node("Custom", new[] { "f" }, new[] { "y" })
            .Output("y").Build();
        proto.Graph.Node[2].Domain = "com.example";
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.example", Version = 3 });

        var result = CompileFile(proto.ToByteArray());
        AssertFailedCleanly(result);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.Equal(new[] { "MG0201", "MG0201" }, errors.Select(d => d.Id));
        DiagnosticAssert.Reports(errors, "MG0201", "'fancyop_1'", "'FancyOp'", "domain 'ai.onnx'", "opset 13");
        DiagnosticAssert.Reports(errors, "MG0201", "'custom_2'", "'Custom'", "domain 'com.example'", "opset 3");
    }

    [Fact]
    public void MG0202_string_input_and_string_initializer()
    {
        var input = CompileFile(new ModelBuilder(opset: 13).Input("text", DataType.String, 2).Node("Identity", new[] { "text" }, new[] { "y" }).Output("y", DataType.String).ToBytes());
        AssertFailedCleanly(input);
        DiagnosticAssert.Reports(input.Diagnostics, "MG0202", "'text'", "string");

        var table = new TensorProto { Name = "labels", DataType = (int)DataType.String };
        table.Dims.Add(2);
        table.StringData.Add(ByteString.CopyFromUtf8("cat"));
        table.StringData.Add(ByteString.CopyFromUtf8("dog"));
        var init = CompileFile(new ModelBuilder(opset: 13).Input("x", 2).Initializer(table).Node("Identity", new[] { "labels" }, new[] { "y" }).Output("y", DataType.String).ToBytes());
        AssertFailedCleanly(init);
        DiagnosticAssert.Reports(init.Diagnostics, "MG0202", "'labels'", "string");
    }

    [Fact]
    public void MG0203_reshape_to_a_shape_known_only_at_run_time()
    {
        var result = CompileFile(new ModelBuilder(opset: 14).Input("x", 2, 6).Input("shape", DataType.Int64, 2)
            .Node("Reshape", new[] { "x", "shape" }, new[] { "y" }).Output("y").ToBytes());
        AssertFailedCleanly(result);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0203", "reshape_0", "(Reshape)", "'shape'", "build time");
    }

    // ---- MG0301: information ---------------------------------------------------------------------------------------

    [Fact]
    public void MG0301_large_weights_as_literals_is_information_and_resource_storage_is_silent()
    {
        const int n = 1_100_000; // 4.4 MB of float weights, above ModelCompiler.LargeWeightBytes
        Assert.True(n * 4L > ModelCompiler.LargeWeightBytes);
        byte[] model = new ModelBuilder(opset: 13).Input("x", n).Initializer("w", new float[n], n)
            .Node("Add", new[] { "x", "w" }, new[] { "y" }).Output("y").ToBytes();

        var literals = CompileFile(model);
        Assert.True(literals.Success, string.Join("; ", literals.Diagnostics));
        var info = DiagnosticAssert.Reports(literals.Diagnostics, "MG0301", "model.onnx", (n * 4L).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DiagnosticSeverity.Info, info.Severity);

        var resource = CompileFile(model, options: Options() with { Weights = WeightStorage.Resource });
        Assert.True(resource.Success);
        Assert.Empty(resource.Diagnostics);
        Assert.True(resource.WeightBlob!.Length >= n * 4);

        var small = CompileFile(TestModels.GemmRelu());
        Assert.Empty(small.Diagnostics);
    }

    // ---- MG0401 / MG0402: configuration ----------------------------------------------------------------------------

    [Theory]
    [InlineData("Dimensions", "batch=x", "'batch=x'")]
    [InlineData("Dimensions", "batch=0", "'batch=0'")]
    [InlineData("Shapes", "x=2xQ", "'x=2xQ'")]
    [InlineData("ClassName", "class", "not a valid C# identifier")]
    [InlineData("ClassName", "My Model", "not a valid C# identifier")]
    [InlineData("Namespace", "A..B", "not a valid C# namespace")]
    [InlineData("WeightStorage", "Zip", "expected Auto, Literals or Resource")]
    public void MG0401_invalid_item_metadata(string key, string value, string reason)
    {
        string path = _folder.File("meta.onnx", TestModels.GemmRelu());
        var run = Generate(new[] { (path, (Dictionary<string, string>?)new() { [key] = value }) });
        var d = DiagnosticAssert.Reports(run.Diagnostics, "MG0401", $"{key}=\"{value}\"", "meta.onnx", reason);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(path, d.Location.GetLineSpan().Path);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void MG0402_two_models_with_the_same_class_name()
    {
        string a = _folder.File("one/digits.onnx", TestModels.GemmRelu());
        string b = _folder.File("two/digits.onnx", TestModels.AddBroadcast());
        string c = _folder.File("three.onnx", TestModels.ReshapeChain());
        var meta = new Dictionary<string, string> { ["ClassName"] = "Digits", ["Namespace"] = "App" };
        var run = Generate(new[] { (a, (Dictionary<string, string>?)meta), (b, meta), (c, new() { ["ClassName"] = "Other", ["Namespace"] = "App" }) });

        var d = DiagnosticAssert.Reports(run.Diagnostics, "MG0402", "'App.Digits'", "one/digits.onnx", "two/digits.onnx");
        Assert.Single(run.Diagnostics);
        Assert.Equal(b, d.Location.GetLineSpan().Path);

        // Different namespaces are different classes.
        var apart = Generate(new[] { (a, (Dictionary<string, string>?)meta), (b, new() { ["ClassName"] = "Digits", ["Namespace"] = "Other" }) });
        Assert.Empty(apart.Diagnostics);

        // Names that differ only in case are different C# classes; the driver's hint names ignore case.
        var cased = Generate(new[] { (a, (Dictionary<string, string>?)meta), (b, new() { ["ClassName"] = "DIGITS", ["Namespace"] = "App" }) });
        Assert.Empty(cased.Diagnostics);
        Assert.Equal(2, cased.Sources.Count);
        Assert.Empty(cased.CompilationProblems);
    }
}
