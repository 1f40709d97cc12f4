using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Google.Protobuf;
using ModelGen.Cli;
using ModelGen.Cli.Verification;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Cli;

/// <summary>The `modelgen` tool, run in-process through <see cref="Commands.Run"/> on models written to a temp folder.</summary>
[Trait("Category", "Cli")]
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "modelgen-cli-tests", Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = Commands.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, ModelBuilder builder) => Write(name, builder.ToBytes());

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>x[2x8] → Gemm(8→16) → Relu → Gemm(16→4, weights through a foldable Identity) → y[2x4].</summary>
    private static ModelBuilder Mlp()
    {
        var random = new Random(7);
        return new ModelBuilder(opset: 13)
            .Input("x", 2, 8)
            .Initializer("w1", TestData.Floats(random, 8 * 16), 8, 16)
            .Initializer("b1", TestData.Floats(random, 16), 16)
            .Initializer("w2", TestData.Floats(random, 4 * 16), 4, 16)
            .Initializer("b2", TestData.Floats(random, 4), 4)
            .Node("Gemm", new[] { "x", "w1", "b1" }, new[] { "h" })
            .Node("Relu", new[] { "h" }, new[] { "r" })
            .Node("Identity", new[] { "w2" }, new[] { "w2_copy" })
            .Node("Gemm", new[] { "r", "w2_copy", "b2" }, new[] { "y" }, ("transB", 1))
            .Output("y");
    }

    private static JsonElement Json(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Fact]
    public void Inspect_reports_shapes_operator_counts_macs_and_memory()
    {
        string path = Write("mlp.onnx", Mlp());

        var (code, stdout, stderr) = Run("inspect", path, "--json");

        Assert.True(code == 0, stderr + stdout);
        var json = Json(stdout);
        Assert.True(json.GetProperty("supported").GetBoolean());
        Assert.Equal(8, json.GetProperty("irVersion").GetInt32());
        Assert.Equal(13, json.GetProperty("opsets").GetProperty("ai.onnx").GetInt32());
        var input = json.GetProperty("inputs")[0];
        Assert.Equal("x", input.GetProperty("onnxName").GetString());
        Assert.Equal("float", input.GetProperty("elementType").GetString());
        Assert.Equal(new[] { 2, 8 }, Ints(input.GetProperty("shape")));
        Assert.Equal(new[] { 2, 4 }, Ints(json.GetProperty("outputs")[0].GetProperty("shape")));
        var ops = json.GetProperty("operators");
        Assert.Equal(2, ops.GetProperty("inFile").GetProperty("Gemm").GetInt32());
        Assert.Equal(1, ops.GetProperty("inFile").GetProperty("Relu").GetInt32());
        Assert.Equal(1, ops.GetProperty("inFile").GetProperty("Identity").GetInt32());
        Assert.False(ops.GetProperty("afterFolding").TryGetProperty("Identity", out _)); // folded at build time
        Assert.Equal(2, ops.GetProperty("afterFolding").GetProperty("Gemm").GetInt32());
        Assert.Equal(2 * 8 * 16 + 2 * 16 * 4, json.GetProperty("macs").GetInt64());
        Assert.Equal(0, json.GetProperty("nodesWithoutMacs").GetInt32());
        Assert.Equal(8 * 16 + 16 + 4 * 16 + 4, json.GetProperty("parameters").GetInt64());
        Assert.Equal((8 * 16 + 16 + 4 * 16 + 4) * 4, json.GetProperty("initializerBytes").GetInt64());
        Assert.True(json.GetProperty("arenaBytes").GetInt64() >= 2 * 16 * 4); // h and r live at once or alias
        Assert.True(json.GetProperty("unplannedBytes").GetInt64() >= json.GetProperty("arenaBytes").GetInt64());
        Assert.True(json.GetProperty("weightBytes").GetInt64() > 0);
        Assert.Empty(json.GetProperty("diagnostics").EnumerateArray());
        var plan = json.GetProperty("plan").EnumerateArray().ToList();
        Assert.Equal(2, plan.Count);
        Assert.Equal(new[] { "Gemm", "Relu" }, plan[0].GetProperty("opTypes").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(new[] { "Kernels.GemmPackedB" }, plan[0].GetProperty("kernels").EnumerateArray().Select(o => o.GetString()));

        var text = Run("inspect", path);
        Assert.Equal(0, text.Code);
        Assert.Contains("[2x8]", text.Out);
        Assert.Contains("[2x4]", text.Out);
        Assert.Contains("MACs         384", text.Out);
        Assert.Contains("Supported    yes", text.Out);
    }

    [Fact]
    public void Inspect_lists_every_unsupported_node_and_still_reports_the_rest()
    {
        var model = new ModelBuilder(opset: 13)
            .Input("x", 3, 5)
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Frobnicate", new[] { "r" }, new[] { "f" })
            .Node("Twiddle", new[] { "f" }, new[] { "y" })
            .Output("y")
            .Build();
        foreach (var node in model.Graph.Node.Where(n => n.OpType != "Relu")) node.Domain = "com.example";
        model.OpsetImport.Add(new ModelGen.Onnx.Proto.OperatorSetIdProto { Domain = "com.example", Version = 1 });
        string path = Write("custom.onnx", model.ToByteArray());

        var (code, stdout, _) = Run("inspect", path, "--json");

        Assert.Equal(1, code);
        var json = Json(stdout);
        Assert.False(json.GetProperty("supported").GetBoolean());
        var unsupported = json.GetProperty("diagnostics").EnumerateArray().Where(d => d.GetProperty("id").GetString() == "MG0201").ToList();
        Assert.Equal(2, unsupported.Count);
        Assert.Contains(unsupported, d => d.GetProperty("message").GetString()!.Contains("'Frobnicate'"));
        Assert.Contains(unsupported, d => d.GetProperty("message").GetString()!.Contains("'Twiddle'"));
        Assert.All(unsupported, d => Assert.Equal("error", d.GetProperty("severity").GetString()));
        Assert.Equal(1, json.GetProperty("operators").GetProperty("unsupported").GetProperty("com.example:Frobnicate").GetInt32());
        Assert.Equal(new[] { 3, 5 }, Ints(json.GetProperty("inputs")[0].GetProperty("shape")));
        Assert.True(json.GetProperty("operators").GetProperty("afterIsPartial").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("arenaBytes").ValueKind);

        var text = Run("inspect", path);
        Assert.Equal(1, text.Code);
        Assert.Equal(2, text.Out.Split('\n').Count(l => l.Contains("MG0201")));
        Assert.Contains("Supported    no", text.Out);
    }

    [Fact]
    public void Inspect_binds_symbolic_dimensions_and_reports_open_ones()
    {
        string path = Write("sym.onnx", new ModelBuilder(opset: 13)
            .SymbolicInput("x", ModelGen.Onnx.Proto.TensorProto.Types.DataType.Float, "batch", 8)
            .Node("Relu", new[] { "x" }, new[] { "y" }).Output("y"));

        var open = Run("inspect", path, "--json");
        Assert.Equal(1, open.Code);
        Assert.Contains(Json(open.Out).GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("id").GetString() == "MG0101");

        var bound = Run("inspect", path, "--json", "--dims", "batch=3");
        Assert.Equal(0, bound.Code);
        Assert.Equal(new[] { 3, 8 }, Ints(Json(bound.Out).GetProperty("outputs")[0].GetProperty("shape")));

        var shaped = Run("inspect", path, "--shape=x=5x8", "--json");
        Assert.Equal(0, shaped.Code);
        Assert.Equal(new[] { 5, 8 }, Ints(Json(shaped.Out).GetProperty("inputs")[0].GetProperty("shape")));
    }

    [Fact]
    public void Verify_json_on_gemm_relu_matches_onnx_runtime()
    {
        string path = Write("mlp.onnx", Mlp());

        var (code, stdout, stderr) = Run("verify", path, "--json", "--runs", "3", "--seed", "5", "--max-warmup", "0.5");

        Assert.True(code == 0, stderr + stdout);
        var json = Json(stdout);
        Assert.Equal(path, json.GetProperty("model").GetString());
        Assert.True(json.GetProperty("supported").GetBoolean());
        Assert.True(json.GetProperty("passed").GetBoolean());
        Assert.Empty(json.GetProperty("diagnostics").EnumerateArray());
        var output = Assert.Single(json.GetProperty("outputs").EnumerateArray());
        Assert.Equal("y", output.GetProperty("name").GetString());
        Assert.InRange(output.GetProperty("maxAbsDiff").GetDouble(), 0, 1e-5);
        Assert.InRange(output.GetProperty("maxRelDiff").GetDouble(), 0, 1e-3);
        Assert.True(json.GetProperty("generatedMicros").GetDouble() > 0);
        Assert.True(json.GetProperty("onnxRuntimeMicros").GetDouble() > 0);
        Assert.Equal("literals", json.GetProperty("weightStorage").GetString());
        Assert.Equal(1e-4, json.GetProperty("atol").GetDouble());
        Assert.Equal(1e-3, json.GetProperty("rtol").GetDouble());

        var text = Run("verify", path, "--runs", "0");
        Assert.Equal(0, text.Code);
        Assert.Contains("Result       PASS", text.Out);
        Assert.Contains("output y", text.Out);
    }

    [Fact]
    public void Verify_reports_first_call_early_calls_and_steady_state_for_both_engines()
    {
        string path = Write("mlp.onnx", Mlp());

        var (code, stdout, stderr) = Run("verify", path, "--json", "--runs", "5", "--max-warmup", "0.3");

        Assert.True(code == 0, stderr + stdout);
        var json = Json(stdout);
        Assert.Equal(5, json.GetProperty("runs").GetInt32());
        var latency = json.GetProperty("latency");
        foreach (var (engine, flat) in new[] { ("generated", "generatedMicros"), ("onnxRuntime", "onnxRuntimeMicros") })
        {
            var l = latency.GetProperty(engine);
            Assert.True(l.GetProperty("firstCallMicros").GetDouble() > 0, engine);
            Assert.True(l.GetProperty("calls2To11MedianMicros").GetDouble() > 0, engine);
            double steady = l.GetProperty("steadyMicros").GetDouble();
            Assert.True(steady > 0, engine);
            // The flat field is the steady state, so older readers of the JSON keep working.
            Assert.Equal(steady, json.GetProperty(flat).GetDouble());
            Assert.True(l.GetProperty("steadyCalls").GetInt32() >= 5, engine);
            // At least two warm-up batches of LatencyMeter.MinBatchCalls calls, and at least two of LatencyMeter.MinBatch.
            Assert.True(l.GetProperty("warmupCalls").GetInt32() >= 2 * LatencyMeter.MinBatchCalls, engine);
            Assert.True(l.GetProperty("warmupMilliseconds").GetDouble() >= 2 * LatencyMeter.MinBatch.TotalMilliseconds, engine);
            Assert.Contains(l.GetProperty("settled").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        }

        var text = Run("verify", path, "--runs", "5", "--max-warmup", "0.3");
        Assert.Equal(0, text.Code);
        var lines = text.Out.Split('\n');
        Assert.Single(lines, l => l.StartsWith("Latency      steady state (1 thread, median after warm-up, engines alternating): ModelGen ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("  ModelGen      first call ", StringComparison.Ordinal) && l.Contains("calls 2-11 median") && l.Contains("warm-up"));
        Assert.Single(lines, l => l.StartsWith("  ONNX Runtime  first call ", StringComparison.Ordinal) && l.Contains("calls 2-11 median") && l.Contains("warm-up"));
    }

    [Fact]
    public void Verify_without_timing_reports_only_the_first_calls()
    {
        string path = Write("mlp.onnx", Mlp());

        var (code, stdout, stderr) = Run("verify", path, "--json", "--runs", "0");

        Assert.True(code == 0, stderr + stdout);
        var json = Json(stdout);
        Assert.Equal(0, json.GetProperty("generatedMicros").GetDouble());
        Assert.Equal(0, json.GetProperty("onnxRuntimeMicros").GetDouble());
        foreach (var engine in new[] { "generated", "onnxRuntime" })
        {
            var l = json.GetProperty("latency").GetProperty(engine);
            Assert.True(l.GetProperty("firstCallMicros").GetDouble() > 0, engine);
            foreach (var field in new[] { "calls2To11MedianMicros", "steadyMicros", "steadyCalls", "warmupCalls", "warmupMilliseconds", "settled" })
                Assert.Equal(JsonValueKind.Null, l.GetProperty(field).ValueKind);
        }
        Assert.DoesNotContain("Latency", Run("verify", path, "--runs", "0").Out);
    }

    [Fact]
    public void Latency_meter_counts_its_calls_and_takes_medians()
    {
        int calls = 0;
        var report = LatencyMeter.Measure(() => calls++, firstCallMicros: 12.5, runs: 7, maxWarmup: TimeSpan.Zero);

        Assert.Equal(12.5, report.FirstCallMicros);
        Assert.Equal(7, report.Runs);
        // Early calls, then at least two warm-up batches (the cap never cuts the second), then the timed runs.
        Assert.True(report.WarmupCalls >= 2 * LatencyMeter.MinBatchCalls);
        Assert.Equal(LatencyMeter.EarlyCalls + report.WarmupCalls + 7, calls);
        Assert.True(report.EarlyMedianMicros >= 0 && report.SteadyMicros >= 0);
        Assert.Throws<ArgumentException>(() => LatencyMeter.Measure(() => { }, 1, runs: 0, TimeSpan.Zero));

        Assert.Equal(2, LatencyMeter.Median(new[] { 3.0, 1, 2 }));
        Assert.Equal(2.5, LatencyMeter.Median(new[] { 4.0, 1, 3, 2 }));
        var unsorted = new[] { 5.0, 1, 3 };
        LatencyMeter.Median(unsorted);
        Assert.Equal(new[] { 5.0, 1, 3 }, unsorted);
    }

    [Fact]
    public void Latency_meter_pair_alternates_blocks_and_times_at_least_the_requested_runs()
    {
        int a = 0, b = 0;
        var (ra, rb) = LatencyMeter.MeasurePair(() => a++, 3, () => b++, 4, runs: 6, maxWarmup: TimeSpan.Zero);

        Assert.Equal(3, ra.FirstCallMicros);
        Assert.Equal(4, rb.FirstCallMicros);
        foreach (var (r, calls) in new[] { (ra, a), (rb, b) })
        {
            // At least LatencyMeter.MinRounds blocks of at least one call, and never fewer than the requested runs.
            Assert.True(r.Runs >= Math.Max(6, LatencyMeter.MinRounds));
            Assert.Equal(LatencyMeter.EarlyCalls + r.WarmupCalls + r.Runs, calls);
            Assert.True(r.WarmupCalls >= 2 * LatencyMeter.MinBatchCalls);
        }
        Assert.Throws<ArgumentException>(() => LatencyMeter.MeasurePair(() => { }, 1, () => { }, 1, runs: 0, TimeSpan.Zero));
    }

    /// <summary>1100 x 1000 floats = 4.4 MB, above ModelCompiler.LargeWeightBytes.</summary>
    private string WriteWideModel()
    {
        var random = new Random(3);
        return Write("wide.onnx", new ModelBuilder(opset: 13)
            .Input("x", 1, 1100)
            .Initializer("w", TestData.Floats(random, 1100 * 1000, 0.05f), 1100, 1000)
            .Node("Gemm", new[] { "x", "w" }, new[] { "h" })
            .Node("Relu", new[] { "h" }, new[] { "y" })
            .Output("y"));
    }

    [Fact]
    public void Inspect_of_a_large_model_reports_the_literal_weights_info_like_the_generator()
    {
        string path = WriteWideModel();

        var literals = Run("inspect", path, "--json");
        Assert.Equal(0, literals.Code);
        var json = Json(literals.Out);
        var info = Assert.Single(json.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("MG0301", info.GetProperty("id").GetString());
        Assert.Equal("info", info.GetProperty("severity").GetString());
        // Weights are embedded as packed panels (padded to whole vector widths): at least the raw bytes, at most 5% more.
        Assert.Equal(1100L * 1000, json.GetProperty("parameters").GetInt64());
        Assert.InRange(json.GetProperty("weightBytes").GetInt64(), 1100L * 1000 * 4, 1100L * 1000 * 4 * 105 / 100);
        Assert.Equal(1100L * 1000, json.GetProperty("macs").GetInt64());

        var resource = Run("inspect", path, "--json", "--weights", "resource");
        Assert.Equal(0, resource.Code);
        Assert.Empty(Json(resource.Out).GetProperty("diagnostics").EnumerateArray());
    }

    [Fact]
    public void Verify_uses_resource_weights_above_the_literal_limit()
    {
        string path = WriteWideModel();

        var (code, stdout, stderr) = Run("verify", path, "--json", "--runs", "0");

        Assert.True(code == 0, stderr + stdout);
        var json = Json(stdout);
        Assert.Equal("resource", json.GetProperty("weightStorage").GetString());
        Assert.True(json.GetProperty("passed").GetBoolean());
        Assert.DoesNotContain(json.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("id").GetString() == "MG0301");
    }

    [Fact]
    public void Verify_loads_external_data_beside_the_model_in_both_engines()
    {
        var random = new Random(11);
        var weights = TestData.Floats(random, 6 * 5);
        var bytes = new byte[weights.Length * 4];
        Buffer.BlockCopy(weights, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(Path.Combine(_dir, "ext.bin"), bytes);
        var w = new ModelGen.Onnx.Proto.TensorProto
        {
            Name = "w", DataType = (int)ModelGen.Onnx.Proto.TensorProto.Types.DataType.Float,
            DataLocation = ModelGen.Onnx.Proto.TensorProto.Types.DataLocation.External,
        };
        w.Dims.AddRange(new long[] { 6, 5 });
        w.ExternalData.Add(new ModelGen.Onnx.Proto.StringStringEntryProto { Key = "location", Value = "ext.bin" });
        string path = Write("ext.onnx", new ModelBuilder(opset: 13).Input("x", 2, 6).Initializer(w)
            .Node("Gemm", new[] { "x", "w" }, new[] { "y" }).Output("y"));

        var (code, stdout, stderr) = Run("verify", path, "--json", "--runs", "0");

        Assert.True(code == 0, stderr + stdout);
        Assert.True(Json(stdout).GetProperty("passed").GetBoolean());
        var inspect = Json(Run("inspect", path, "--json").Out);
        Assert.Equal(30, inspect.GetProperty("parameters").GetInt64());
        Assert.Equal(2L * 5 * 6, inspect.GetProperty("macs").GetInt64());
    }

    [Fact]
    public void Verify_fails_with_exit_code_1_on_an_unsupported_model()
    {
        var model = new ModelBuilder(opset: 13).Input("x", 4).Node("Frobnicate", new[] { "x" }, new[] { "y" }).Output("y").Build();
        model.Graph.Node[0].Domain = "com.example";
        string path = Write("unsupported.onnx", model.ToByteArray());

        var (code, stdout, _) = Run("verify", path, "--json");

        Assert.Equal(1, code);
        var json = Json(stdout);
        Assert.False(json.GetProperty("supported").GetBoolean());
        Assert.False(json.GetProperty("passed").GetBoolean());
        Assert.Contains(json.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("id").GetString() == "MG0201");
        Assert.Empty(json.GetProperty("outputs").EnumerateArray());
    }

    [Fact]
    public void Verify_reports_an_onnx_runtime_failure_as_json_with_exit_code_1()
    {
        // ModelGen accepts opset 27; ONNX Runtime 1.31 refuses it ("under development"): a finding, not a crash.
        string path = Write("relu27.onnx", new ModelBuilder(opset: 27).Input("x", 3).Node("Relu", new[] { "x" }, new[] { "y" }).Output("y"));

        var (code, stdout, stderr) = Run("verify", path, "--json", "--runs", "0");

        Assert.Equal(1, code);
        Assert.DoesNotContain("   at ", stderr);
        var json = Json(stdout);
        Assert.True(json.GetProperty("supported").GetBoolean());
        Assert.False(json.GetProperty("passed").GetBoolean());
        Assert.Contains("OnnxRuntimeException", json.GetProperty("error").GetString());
    }

    [Fact]
    public void Verify_value_fixes_an_input_and_zero_tolerance_holds_for_exact_ops()
    {
        string path = Write("relu.onnx", new ModelBuilder(opset: 13).Input("x", 3, 7).Node("Relu", new[] { "x" }, new[] { "y" }).Output("y"));

        var (code, stdout, stderr) = Run("verify", path, "--json", "--runs", "0", "--value", "x=-0.5", "--atol", "0", "--rtol", "0");

        Assert.True(code == 0, stderr + stdout);
        Assert.Equal(0, Json(stdout).GetProperty("outputs")[0].GetProperty("maxAbsDiff").GetDouble());
        Assert.Equal(2, Run("verify", path, "--value", "nosuchinput=1").Code);
    }

    [Theory]
    [InlineData(1.0005, true)]   // 5e-4 ≤ 1e-4 + 1e-3·1
    [InlineData(1.002, false)]   // 2e-3 > 1.1e-3
    [InlineData(float.NaN, false)]
    public void Tolerance_is_atol_plus_rtol_times_the_reference(double ours, bool within)
    {
        var comparison = Verifier.Compare("y", new[] { (float)ours, 0.5f }, new[] { 1f, 0.5f }, new VerifyOptions());
        Assert.Equal(within, comparison.WithinTolerance);
    }

    [Fact]
    public void Emit_writes_the_class_and_a_weights_resource_with_an_embedding_hint()
    {
        string path = Write("mlp.onnx", Mlp());
        string outDir = Path.Combine(_dir, "out");

        var literals = Run("emit", path, "-o", outDir, "--class", "Mlp", "--namespace", "Demo.Models");
        Assert.True(literals.Code == 0, literals.Err);
        string source = File.ReadAllText(Path.Combine(outDir, "Mlp.g.cs"));
        Assert.Contains("namespace Demo.Models", source);
        Assert.Contains("public partial class Mlp", source);
        Assert.False(File.Exists(Path.Combine(outDir, "Mlp.weights")));

        string resourceDir = Path.Combine(_dir, "res");
        var resource = Run("emit", path, "--output", resourceDir, "--weights", "resource"); // class name from the file: Mlp
        Assert.True(resource.Code == 0, resource.Err);
        Assert.Contains("public partial class Mlp", File.ReadAllText(Path.Combine(resourceDir, "Mlp.g.cs")));
        Assert.Contains("namespace ModelGen.Models", File.ReadAllText(Path.Combine(resourceDir, "Mlp.g.cs")));
        Assert.True(new FileInfo(Path.Combine(resourceDir, "Mlp.weights")).Length >= (8 * 16 + 16 + 4 * 16 + 4) * 4);
        Assert.Contains($"<EmbeddedResource Include=\"{Path.Combine(resourceDir, "Mlp.weights")}\" LogicalName=\"ModelGen.Models.Mlp.weights\" />", resource.Out);
    }

    [Fact]
    public void Emit_of_an_unsupported_model_writes_nothing_and_exits_1()
    {
        var model = new ModelBuilder(opset: 13).Input("x", 4).Node("Frobnicate", new[] { "x" }, new[] { "y" }).Output("y").Build();
        model.Graph.Node[0].Domain = "com.example";
        string path = Write("unsupported.onnx", model.ToByteArray());
        string outDir = Path.Combine(_dir, "none");

        var (code, _, stderr) = Run("emit", path, "-o", outDir);

        Assert.Equal(1, code);
        Assert.Contains("MG0201", stderr);
        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFiles(outDir).Any());
    }

    public static TheoryData<string[]> BadCommandLines => new()
    {
        Array.Empty<string>(),
        new[] { "frobnicate" },
        new[] { "inspect" },
        new[] { "inspect", "a.onnx", "b.onnx" },
        new[] { "inspect", "a.onnx", "--bogus" },
        new[] { "inspect", "a.onnx", "--dims" },
        new[] { "inspect", "a.onnx", "--json=yes" },
        new[] { "verify", "a.onnx", "--atol", "abc" },
        new[] { "verify", "a.onnx", "--runs", "-1" },
        new[] { "verify", "a.onnx", "--max-warmup", "-1" },
        new[] { "verify", "a.onnx", "--max-warmup", "soon" },
        new[] { "verify", "a.onnx", "--weights", "sometimes" },
        new[] { "emit", "a.onnx" },
        new[] { "emit", "a.onnx", "-o", "x", "--class", "1bad" },
        new[] { "emit", "a.onnx", "-o", "x", "--namespace", "My..Ns" },
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public void Bad_command_lines_print_usage_on_stderr_and_exit_2(string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("usage: modelgen", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Bad_dimension_bindings_exit_2()
    {
        string path = Write("relu.onnx", new ModelBuilder(opset: 13).Input("x", 3).Node("Relu", new[] { "x" }, new[] { "y" }).Output("y"));
        Assert.Equal(2, Run("inspect", path, "--dims", "batch=zero").Code);
        Assert.Equal(2, Run("inspect", path, "--shape", "x=3xq").Code);
    }

    [Theory]
    [InlineData("inspect")]
    [InlineData("verify")]
    [InlineData("emit")]
    public void Missing_or_invalid_files_are_a_clear_message_and_exit_1(string command)
    {
        string missing = Path.Combine(_dir, "missing.onnx");
        var (code, _, stderr) = Run(command, missing, "-o", _dir);
        if (command != "emit") (code, _, stderr) = Run(command, missing);
        Assert.Equal(1, code);
        Assert.Contains("not found", stderr);
        Assert.DoesNotContain("   at ", stderr);

        string garbage = Write("garbage.onnx", new byte[] { 0xFF, 0xFF, 0xFF, 0x01, 0x02 });
        var bad = command == "emit" ? Run(command, garbage, "-o", _dir) : Run(command, garbage);
        Assert.Equal(1, bad.Code);
        Assert.Contains("MG0002", bad.Out + bad.Err);
        Assert.DoesNotContain("   at ", bad.Out + bad.Err);
    }

    [Fact]
    public void Help_and_version_go_to_stdout_and_state_the_default_tolerance()
    {
        var help = Run("--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("inspect", help.Out);
        Assert.Contains("atol 1e-4, rtol 1e-3", help.Out);

        var verifyHelp = Run("verify", "--help");
        Assert.Equal(0, verifyHelp.Code);
        Assert.Contains("|ours - ort| <= atol + rtol * |ort|", verifyHelp.Out);
        Assert.Contains("--int-max", verifyHelp.Out);

        var version = Run("--version");
        Assert.Equal(0, version.Code);
        Assert.StartsWith("modelgen ", version.Out);
    }

    [Theory]
    [InlineData("test_relu")]
    [InlineData("test_add_bcast")]
    [InlineData("test_gemm_default_vector_bias")]
    [InlineData("test_gemm_transposeA")]
    [InlineData("test_gemm_transposeB")]
    public void Onnx_backend_models_inspect_and_verify(string name)
    {
        string path = Path.Combine(ModelGen.Tests.Infrastructure.BackendTestCase.Root, name, "model.onnx");
        Assert.True(File.Exists(path), $"ONNX backend test data not found: {path}");

        var inspect = Run("inspect", path, "--json");
        Assert.True(inspect.Code == 0, inspect.Out + inspect.Err);
        var json = Json(inspect.Out);
        var proto = ModelGen.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Equal(proto.Graph.Node.Count, json.GetProperty("operators").GetProperty("inFile").EnumerateObject().Sum(p => p.Value.GetInt32()));
        var declared = proto.Graph.Output[0].Type.TensorType.Shape.Dim.Select(d => (int)d.DimValue).ToArray();
        Assert.Equal(declared, Ints(json.GetProperty("outputs")[0].GetProperty("shape")));
        if (name.StartsWith("test_gemm", StringComparison.Ordinal))
        {
            var a = proto.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray();
            long k = name == "test_gemm_transposeA" ? a[0] : a[1];
            Assert.Equal(declared[0] * (long)declared[1] * k, json.GetProperty("macs").GetInt64());
        }

        var verify = Run("verify", path, "--json", "--runs", "0");
        Assert.True(verify.Code == 0, verify.Out + verify.Err);
        Assert.True(Json(verify.Out).GetProperty("passed").GetBoolean());
    }

    [Fact]
    public void Profile_lists_every_plan_step_once_with_its_nodes_and_the_fused_ones()
    {
        string path = Write("mlp.onnx", Mlp());
        var (code, stdout, stderr) = Run("profile", path, "--seconds", "0.1", "--json");
        Assert.True(code == 0, stderr);
        var json = Json(stdout);
        var steps = json.GetProperty("steps").EnumerateArray().ToList();
        // Gemm + Relu fused into one step; the second Gemm is the other (the Identity on a weight folds away).
        Assert.Equal(2, steps.Count);
        Assert.Contains(steps, s => s.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()).SequenceEqual(new[] { "gemm_0", "relu_1" }));
        Assert.All(steps, s => Assert.True(s.GetProperty("modelgenMicros").GetDouble() >= 0));
        Assert.Contains(steps, s => s.GetProperty("macs").GetInt64() == 2 * 8 * 16);
        Assert.True(json.GetProperty("runs").GetInt32() > 0);
        Assert.True(json.GetProperty("onnxRuntimeMicros").GetDouble() > 0);

        var (textCode, text, _) = Run("profile", path, "--seconds", "0.1");
        Assert.Equal(0, textCode);
        Assert.Contains("Gemm + Relu 'gemm_0'", text);
        Assert.Contains("GFLOP/s", text);
    }
}
