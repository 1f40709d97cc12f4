using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Google.Protobuf;
using ModelGen.Cli;
using ModelGen.Compression;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;
using ModelGen.Tests.Diagnostics;
using ModelGen.Tests.Generator;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Compression;

/// <summary>
/// int8-static (`modelgen compress --int8-static`): the calibrated QDQ model ONNX Runtime's quantize_static writes. ONNX
/// Runtime runs the written file; ModelGen compiles the same file with FuseQdq turning every Conv/Gemm group into one
/// integer step, so where everything is fused the outputs are identical (tolerance 0), and where a float op remains
/// between Q and DQ (Add, GlobalAveragePool: ORT runs them in fixed point) they are compared within one step.
/// </summary>
[Trait("Category", "Ops")]
public sealed class StaticQuantizationTests : IDisposable
{
    private readonly TempFolder _folder = new("modelgen-static-tests");

    public void Dispose() => _folder.Dispose();

    private static readonly CompressionOptions Static = CompressionOptions.Parse("int8-static", null, out _)!;

    /// <summary>Conv 3×3 + Relu → Conv 1×1 + Clip(0, 6) → depthwise Conv 3×3 + Clip(0, 6) → Conv 1×1 → Flatten → Gemm (transB, alpha 0.5).</summary>
    public static ModelProto Chain(int seed = 5)
    {
        var r = new Random(seed);
        return new ModelBuilder(17).Input("x", 1, 3, 8, 8)
            .Initializer("w1", TestData.Floats(r, 8 * 3 * 9, 0.5f), 8, 3, 3, 3).Initializer("b1", TestData.Floats(r, 8, 0.1f), 8)
            .Initializer("w2", TestData.Floats(r, 16 * 8, 0.5f), 16, 8, 1, 1).Initializer("b2", TestData.Floats(r, 16, 0.1f), 16)
            .Initializer("w3", TestData.Floats(r, 16 * 9, 0.5f), 16, 1, 3, 3).Initializer("b3", TestData.Floats(r, 16, 0.1f), 16)
            .Initializer("w4", TestData.Floats(r, 4 * 16, 0.5f), 4, 16, 1, 1).Initializer("b4", TestData.Floats(r, 4, 0.1f), 4)
            .Initializer("wf", TestData.Floats(r, 10 * 64, 0.2f), 10, 64).Initializer("bf", TestData.Floats(r, 10, 0.1f), 10)
            .Initializer("lo", new[] { 0f }).Initializer("hi", new[] { 6f })
            .Node("Conv", new[] { "x", "w1", "b1" }, new[] { "c1" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Relu", new[] { "c1" }, new[] { "r1" })
            .Node("Conv", new[] { "r1", "w2", "b2" }, new[] { "c2" })
            .Node("Clip", new[] { "c2", "lo", "hi" }, new[] { "r2" })
            .Node("Conv", new[] { "r2", "w3", "b3" }, new[] { "c3" }, ("pads", new[] { 1, 1, 1, 1 }), ("group", 16), ("strides", new[] { 2, 2 }))
            .Node("Clip", new[] { "c3", "lo", "hi" }, new[] { "r3" })
            .Node("Conv", new[] { "r3", "w4", "b4" }, new[] { "c4" })
            .Node("Flatten", new[] { "c4" }, new[] { "f" })
            .Node("Gemm", new[] { "f", "wf", "bf" }, new[] { "y" }, ("transB", 1), ("alpha", 0.5f))
            .Output("y").Build();
    }

    /// <summary>An inverted residual block (MobileNetV2's): Conv 1×1 + Clip → depthwise + Clip → Conv 1×1, added to the block input; GlobalAveragePool → Flatten → Gemm.</summary>
    public static ModelProto Residual(int seed = 6)
    {
        var r = new Random(seed);
        return new ModelBuilder(17).Input("x", 1, 8, 6, 6)
            .Initializer("we", TestData.Floats(r, 24 * 8, 0.5f), 24, 8, 1, 1).Initializer("be", TestData.Floats(r, 24, 0.1f), 24)
            .Initializer("wd", TestData.Floats(r, 24 * 9, 0.5f), 24, 1, 3, 3).Initializer("bd", TestData.Floats(r, 24, 0.1f), 24)
            .Initializer("wp", TestData.Floats(r, 8 * 24, 0.3f), 8, 24, 1, 1).Initializer("bp", TestData.Floats(r, 8, 0.1f), 8)
            .Initializer("wf", TestData.Floats(r, 5 * 8, 0.5f), 5, 8).Initializer("bf", TestData.Floats(r, 5, 0.1f), 5)
            .Initializer("lo", new[] { 0f }).Initializer("hi", new[] { 6f })
            .Node("Conv", new[] { "x", "we", "be" }, new[] { "e" })
            .Node("Clip", new[] { "e", "lo", "hi" }, new[] { "e6" })
            .Node("Conv", new[] { "e6", "wd", "bd" }, new[] { "d" }, ("pads", new[] { 1, 1, 1, 1 }), ("group", 24))
            .Node("Clip", new[] { "d", "lo", "hi" }, new[] { "d6" })
            .Node("Conv", new[] { "d6", "wp", "bp" }, new[] { "p" })
            .Node("Add", new[] { "x", "p" }, new[] { "s" })
            .Node("GlobalAveragePool", new[] { "s" }, new[] { "g" })
            .Node("Flatten", new[] { "g" }, new[] { "f" })
            .Node("Gemm", new[] { "f", "wf", "bf" }, new[] { "y" }, ("transB", 1))
            .Output("y").Build();
    }

    private static (ModelProto Model, CompressionReport Report) Quantize(ModelProto model, IReadOnlyList<Calibration.Sample>? samples = null)
    {
        samples ??= Calibration.Random(Calibration.InputsOf(model, new Dictionary<string, long[]>()), 8, 42);
        var ranges = Calibration.Ranges(model, ModelCompressor.CalibrationTensors(model, Static), samples);
        return ModelCompressor.CompressCalibrated(model, Static, ranges);
    }

    private static List<string> Steps(ModelProto model)
    {
        var result = OnnxAssert.Compile(model.ToByteArray());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Plan!.Steps.Select(s => s switch { KernelCall k => k.Kernel, RepeatedCall r => r.Body.Kernel, _ => s.GetType().Name }).ToList();
    }

    [Fact]
    public void Conv_chain_is_written_in_the_qdq_form_fused_into_integer_steps_and_exact_against_onnx_runtime()
    {
        var model = Chain();
        var (q, report) = Quantize(model);

        Assert.Equal(5, report.CompressedLayers.Count());
        Assert.All(report.CompressedLayers, l => Assert.StartsWith("int8-static", l.Technique, StringComparison.Ordinal));
        // ORT's form: int8 weights (zero point 0) and int32 biases behind DequantizeLinear, activations Q → DQ.
        var init = q.Graph.Initializer.ToDictionary(t => t.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Int8, init["w3_quantized"].DataType);
        Assert.Equal((int)TensorProto.Types.DataType.Int32, init["b3_quantized"].DataType);
        Assert.All(init["w1_zero_point"].RawData, b => Assert.Equal(0, b));
        Assert.DoesNotContain(q.Graph.Initializer, t => t.Name is "w1" or "b1" or "wf");
        Assert.Equal(7, q.Graph.Node.Count(n => n.OpType == "QuantizeLinear")); // x, r1, r2, r3, c4, f (c4's parameters), y
        Assert.DoesNotContain(q.Graph.Node, n => n.OpType == "Gemm" && n.Attribute.Any(a => a.Name == "alpha"));
        // The Relu/Clip outputs are quantized with zero point 0: the clamp makes them redundant (ORT's rule).
        Assert.Equal(0, init["r2_zero_point"].RawData[0]);
        // The graph output keeps its name, on the last DequantizeLinear.
        Assert.Contains(q.Graph.Node, n => n.OpType == "DequantizeLinear" && n.Output[0] == "y");

        var steps = Steps(q);
        // Three convolutions on the quad kernel, the depthwise one on the integer depthwise kernel.
        Assert.Equal(3, steps.Count(s => s.StartsWith("QLinearConv", StringComparison.Ordinal)));
        Assert.Equal(1, steps.Count(s => s.StartsWith("DepthwiseQLinearConv", StringComparison.Ordinal)));
        Assert.Contains(steps, s => s.StartsWith("QLinearMatMul", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, s => s is "Conv" or "Gemm" or "Relu" or "Clip");
        // Flatten runs on the uint8 tensor (its Q uses the DQ's parameters); the only float steps left are the input's
        // QuantizeLinear and the output's DequantizeLinear.
        Assert.Equal(1, steps.Count(s => s == "QuantizeLinear"));
        Assert.Equal(1, steps.Count(s => s == "DequantizeLinear"));
        // Every layer fused: both engines compute the same integers.
        OnnxAssert.MatchesOnnxRuntime(q, absTolerance: 0, relTolerance: 0);

        // And it approximates the float model.
        var inputs = ModelCompressorTests.Inputs(model);
        var f = ModelCompressorTests.RunOrt(model.ToByteArray(), inputs, 1, 10);
        var g = ModelCompressorTests.RunOrt(q.ToByteArray(), inputs, 1, 10);
        double num = f.Zip(g, (a, b) => (double)(a - b) * (a - b)).Sum(), den = f.Sum(a => (double)a * a);
        Assert.True(Math.Sqrt(num / den) < 0.1, $"deviation {Math.Sqrt(num / den):P1}");
    }

    [Fact]
    public void Flatten_between_different_quantizations_stays_a_float_step()
    {
        var (q, _) = Quantize(Chain());
        // Give Flatten's QuantizeLinear its own scale: Q(DQ(v)) is no longer v, so the op must not move onto the integers.
        var flattenQ = q.Graph.Node.Single(n => n.OpType == "QuantizeLinear" && n.Input[0] == "f");
        var c4 = q.Graph.Initializer.Single(t => t.Name == flattenQ.Input[1]);
        float scale = 2 * BitConverter.ToSingle(c4.RawData.ToByteArray(), 0);
        q.Graph.Initializer.Add(ModelBuilder.FloatTensor("f_scale_own", new[] { scale }));
        flattenQ.Input[1] = "f_scale_own";
        q.Graph.Node.Single(n => n.OpType == "DequantizeLinear" && n.Input[0] == flattenQ.Output[0]).Input[1] = "f_scale_own";
        var steps = Steps(q);
        Assert.Equal(2, steps.Count(s => s == "QuantizeLinear"));
        Assert.Contains(steps, s => s.StartsWith("QLinearMatMul", StringComparison.Ordinal));
        OnnxAssert.MatchesOnnxRuntime(q, absTolerance: 0, relTolerance: 0);
    }

    [Fact]
    public void Residual_block_fuses_the_convolutions_and_matches_onnx_runtime_within_one_step()
    {
        var (q, _) = Quantize(Residual());
        // Add and GlobalAveragePool sit between DequantizeLinear and QuantizeLinear, as ORT's tool writes them.
        var add = q.Graph.Node.Single(n => n.OpType == "Add");
        Assert.All(add.Input, i => Assert.EndsWith("_DequantizeLinear_Output", i, StringComparison.Ordinal));
        var steps = Steps(q);
        Assert.Equal(2, steps.Count(s => s.StartsWith("QLinearConv", StringComparison.Ordinal)));
        Assert.Equal(1, steps.Count(s => s.StartsWith("DepthwiseQLinearConv", StringComparison.Ordinal)));
        Assert.Contains(steps, s => s.StartsWith("QLinearMatMul", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, s => s is "Conv" or "Gemm");
        // ModelGen computes the Add and the average in float between DQ and Q, ONNX Runtime in fixed point: a sum on a
        // rounding tie can land one step apart. One step of the output is its scale.
        var ys = q.Graph.Initializer.Single(t => t.Name == "y_scale");
        float step = BitConverter.ToSingle(ys.RawData.ToByteArray(), 0);
        OnnxAssert.MatchesOnnxRuntime(q, absTolerance: step * 1.01, relTolerance: 0);
    }

    [Fact]
    public void Activation_parameters_follow_onnx_runtimes_minmax_rule()
    {
        var model = Residual();
        var tensors = ModelCompressor.CalibrationTensors(model, Static);
        // x and the block's tensors, the Clip outputs instead of the convolutions', Flatten's output shares GAP's.
        Assert.Equal(new[] { "x", "e6", "d6", "p", "s", "g", "y" }, tensors);
        var ranges = tensors.ToDictionary(t => t, t => (-1f, 3f));
        ranges["e6"] = (0.5f, 2.55f); // the range is widened to hold 0
        var (q, _) = ModelCompressor.CompressCalibrated(model, Static, ranges);
        var init = q.Graph.Initializer.ToDictionary(t => t.Name);
        float Scale(string name) => BitConverter.ToSingle(init[name].RawData.ToByteArray(), 0);
        Assert.Equal(4f / 255, Scale("x_scale"));
        Assert.Equal(64, init["x_zero_point"].RawData[0]); // round(1 / (4/255)) = round(63.75)
        Assert.Equal(0.01f, Scale("e6_scale"));
        Assert.Equal(0, init["e6_zero_point"].RawData[0]);
        // Flatten's output is quantized with its input's parameters (ORT's Direct8BitOp), so the DQ → Flatten → Q is exact.
        var flattenQ = q.Graph.Node.Single(n => n.OpType == "QuantizeLinear" && n.Input[0] == "f");
        Assert.Equal("g_scale", flattenQ.Input[1]);
        // Bias scale = x scale · weight scale, int32, zero point 0.
        var ws = init["we_scale"].RawData.ToByteArray();
        var bs = init["be_scale"].RawData.ToByteArray();
        for (int i = 0; i < 24; i++)
            Assert.Equal(Scale("x_scale") * BitConverter.ToSingle(ws, 4 * i), BitConverter.ToSingle(bs, 4 * i));
        // A tensor without a range stays float, and says so.
        ranges.Remove("s");
        var (partial, report) = ModelCompressor.CompressCalibrated(model, Static, ranges);
        Assert.Contains(report.Notes, n => n.Contains("without a calibration range", StringComparison.Ordinal) && n.Contains('s'));
        Assert.DoesNotContain(partial.Graph.Node, n => n.OpType == "QuantizeLinear" && n.Input[0] == "s");
        OnnxAssert.MatchesOnnxRuntime(partial, absTolerance: 0.05, relTolerance: 0);
    }

    [Fact]
    public void Cli_compress_int8_static_calibrates_on_a_csv_and_the_scales_follow_the_data()
    {
        var model = Chain();
        string input = _folder.File("chain.onnx", model.ToByteArray());
        string random = Path.Combine(_folder.Path, "random.onnx"), fromCsv = Path.Combine(_folder.Path, "csv.onnx");
        // CSV rows of inputs 3x larger than the default standard normal ones; the second row has a label first (evaluate's format).
        var r = new Random(9);
        string Row() => string.Join(",", Enumerable.Range(0, 3 * 64).Select(_ => (3 * (r.NextDouble() * 2 - 1) * 2).ToString("R", CultureInfo.InvariantCulture)));
        string csv = _folder.File("calibration.csv", System.Text.Encoding.UTF8.GetBytes("# calibration\n" + Row() + "\n7," + Row() + "\n" + Row() + "\n"));

        var (code, stdout, stderr) = Run("compress", input, random, "--int8-static", "--calibration-samples", "4");
        Assert.True(code == 0, stderr);
        Assert.Contains("int8-static", stdout);
        Assert.Contains("calibrated on 4 seeded standard normal", stdout);
        (code, stdout, stderr) = Run("compress", input, fromCsv, "--int8-static", "--calibration", csv);
        Assert.True(code == 0, stderr);
        Assert.Contains("calibrated on 3 example(s)", stdout);

        float XScale(string path) => BitConverter.ToSingle(ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Initializer.Single(t => t.Name == "x_scale").RawData.ToByteArray(), 0);
        Assert.True(XScale(fromCsv) > XScale(random) * 1.2, $"{XScale(fromCsv)} vs {XScale(random)}");
        // Both files run in ONNX Runtime and ModelGen verifies them.
        foreach (var path in new[] { random, fromCsv })
        {
            (code, stdout, stderr) = Run("verify", path);
            Assert.True(code == 0, stdout + stderr);
        }
        // Same inputs, same bytes.
        string again = Path.Combine(_folder.Path, "again.onnx");
        Run("compress", input, again, "--int8-static", "--calibration-samples", "4", "--no-check");
        Assert.Equal(File.ReadAllBytes(random), File.ReadAllBytes(again));
    }

    [Theory]
    [InlineData(new[] { "--int8-static", "--prune", "0.5" }, "int8-static takes no other technique")]
    [InlineData(new[] { "--int8-static", "--int8" }, "both quantize")]
    [InlineData(new[] { "--int8-static", "--calibration-samples", "0" }, "--calibration-samples")]
    public void Cli_int8_static_rejects_bad_command_lines(string[] options, string message)
    {
        string input = _folder.File("m.onnx", Chain().ToByteArray());
        var (code, _, stderr) = Run(new[] { "compress", input, Path.Combine(_folder.Path, "o.onnx") }.Concat(options).ToArray());
        Assert.Equal(Commands.BadUsage, code);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void Cli_int8_static_with_a_csv_of_the_wrong_width_says_what_it_expected()
    {
        string input = _folder.File("m.onnx", Chain().ToByteArray());
        string csv = _folder.File("bad.csv", System.Text.Encoding.UTF8.GetBytes("1,2,3\n"));
        var (code, _, stderr) = Run("compress", input, Path.Combine(_folder.Path, "o.onnx"), "--int8-static", "--calibration", csv);
        Assert.Equal(1, code);
        Assert.Contains("3 values, expected 192", stderr);
    }

    [Fact]
    public void Int8_static_metadata_is_MG0401_pointing_to_modelgen_compress()
    {
        string path = _folder.File("net.onnx", Chain().ToByteArray());
        var options = new TestOptionsProvider().With(path, new Dictionary<string, string> { ["Compression"] = "int8-static" });
        var run = GeneratorHarness.Run(new[] { new BinaryAdditionalText(path) }, options);
        DiagnosticAssert.Reports(run.Diagnostics, "MG0401", "int8-static needs calibration", "modelgen compress");
        // The library alone leaves the model as it is and says why.
        var (model, report) = ModelCompressor.Compress(Chain(), Static);
        Assert.Equal(Chain(), model);
        Assert.Contains(report.Notes, n => n.Contains("modelgen compress", StringComparison.Ordinal));
    }

    [Fact]
    public void Below_opset_13_nothing_is_quantized()
    {
        var old = Chain();
        old.OpsetImport[0].Version = 12;
        Assert.Empty(ModelCompressor.CalibrationTensors(old, Static));
        var (_, report) = ModelCompressor.CompressCalibrated(old, Static, new Dictionary<string, (float, float)>());
        Assert.All(report.Layers, l => Assert.Equal("per-channel QDQ needs opset 13", l.Skipped));
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = Commands.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
