using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Compression;
using ModelGen.Configuration;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Diagnostics;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Compression;

/// <summary>
/// Compression on request: each technique compresses a small float model; ONNX Runtime runs the compressed file, and
/// ModelGen compiles the same file (and the original with Compression="..." metadata) to the same outputs.
/// </summary>
[Trait("Category", "Ops")]
public class ModelCompressorTests
{
    /// <summary>Conv 3×3 (4→8, bias) → Relu → Conv 3×3 (8→16, bias) → Relu → Conv 1×1 (16→8) → Flatten → Gemm (transB, 512→10, bias).</summary>
    public static ModelProto ConvNet(int opset = 17, long ir = 8, int seed = 3)
    {
        var r = new Random(seed);
        return new ModelBuilder(opset, ir).Input("x", 1, 4, 8, 8)
            .Initializer("w1", TestData.Floats(r, 8 * 4 * 9, 0.4f), 8, 4, 3, 3).Initializer("b1", TestData.Floats(r, 8, 0.1f), 8)
            .Initializer("w2", TestData.Floats(r, 16 * 8 * 9, 0.3f), 16, 8, 3, 3).Initializer("b2", TestData.Floats(r, 16, 0.1f), 16)
            .Initializer("w3", TestData.Floats(r, 8 * 16, 0.3f), 8, 16, 1, 1)
            .Initializer("wf", TestData.Floats(r, 10 * 512, 0.1f), 10, 512).Initializer("bf", TestData.Floats(r, 10, 0.1f), 10)
            .Node("Conv", new[] { "x", "w1", "b1" }, new[] { "c1" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Relu", new[] { "c1" }, new[] { "r1" })
            .Node("Conv", new[] { "r1", "w2", "b2" }, new[] { "c2" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Relu", new[] { "c2" }, new[] { "r2" })
            .Node("Conv", new[] { "r2", "w3" }, new[] { "c3" })
            .Node("Flatten", new[] { "c3" }, new[] { "f" })
            .Node("Gemm", new[] { "f", "wf", "bf" }, new[] { "y" }, ("transB", 1))
            .Output("y").Build();
    }

    /// <summary>MatMul (32→48) → Add → Relu → Gemm (transB = 0, alpha 0.5, 48→24, bias) → Relu → MatMul (24→16).</summary>
    public static ModelProto Mlp(int opset = 17, int seed = 4)
    {
        var r = new Random(seed);
        return new ModelBuilder(opset).Input("x", 3, 32)
            .Initializer("m1", TestData.Floats(r, 32 * 48, 0.3f), 32, 48).Initializer("a1", TestData.Floats(r, 48, 0.1f), 48)
            .Initializer("g", TestData.Floats(r, 48 * 24, 0.3f), 48, 24).Initializer("gc", TestData.Floats(r, 24, 0.1f), 24)
            .Initializer("m2", TestData.Floats(r, 24 * 16, 0.3f), 24, 16)
            .Node("MatMul", new[] { "x", "m1" }, new[] { "h1" })
            .Node("Add", new[] { "h1", "a1" }, new[] { "h2" })
            .Node("Relu", new[] { "h2" }, new[] { "h3" })
            .Node("Gemm", new[] { "h3", "g", "gc" }, new[] { "h4" }, ("alpha", 0.5f))
            .Node("Relu", new[] { "h4" }, new[] { "h5" })
            .Node("MatMul", new[] { "h5", "m2" }, new[] { "y" })
            .Output("y").Build();
    }

    public static TheoryData<string, double> Techniques() => new()
    {
        // technique, largest relative deviation of the model output from the float model's allowed
        { "int8", 0.05 },
        { "int4", 0.35 },
        { "binary", 1.5 },
        { "prune=0.6", 0.9 },
        { "prune-filters=0.25", 1.0 },
        { "lowrank=0.9", 0.6 },
        { "pq=2x8", 0.9 },
        { "cluster=16", 0.2 },
        { "lowrank=0.95;int8", 0.5 },
        { "prune=0.5;int4", 0.8 },
    };

    private static CompressionOptions Options(string text, string? keep = null) =>
        CompressionOptions.Parse(text, keep, out string error) ?? throw new ArgumentException(error);

    [Theory]
    [MemberData(nameof(Techniques))]
    public void Compressed_conv_net_runs_in_onnx_runtime_and_modelgen_alike(string technique, double maxDeviation) =>
        CheckTechnique(ConvNet(), technique, maxDeviation, 1, 10);

    [Theory]
    [MemberData(nameof(Techniques))]
    public void Compressed_mlp_runs_in_onnx_runtime_and_modelgen_alike(string technique, double maxDeviation) =>
        CheckTechnique(Mlp(), technique, maxDeviation, 3, 16);

    private static void CheckTechnique(ModelProto model, string technique, double maxDeviation, params int[] outShape)
    {
        var (compressed, report) = ModelCompressor.Compress(model, Options(technique));
        Assert.Contains(report.Layers, l => l.Compressed);
        var bytes = compressed.ToByteArray();

        // ModelGen on the compressed file = ONNX Runtime on the compressed file. ONNX Runtime 1.31.1 computes a
        // DequantizeLinear (int8 per-axis) → MatMul pair approximately (it quantizes the activations: ~1% off the exact
        // product where ModelGen is within 1e-6), so where the file has that pair ONNX Runtime runs the weights
        // dequantized to float instead: the exact meaning of the file.
        bool approximate = HasDequantizedMatMul(compressed);
        var exact = approximate ? FoldDequantize(compressed) : compressed;
        OnnxAssert.MatchesOnnxRuntime(exact, absTolerance: 1e-4, relTolerance: 1e-3);

        // The metadata path (compression inside the compiler) gives the same outputs as ONNX Runtime on the file.
        var inputs = Inputs(model);
        var viaMetadata = RunModelGen(model.ToByteArray(), inputs, Options(technique));
        var ortCompressed = RunOrt(exact.ToByteArray(), inputs, outShape);
        AssertClose(ortCompressed, viaMetadata, 1e-4, 1e-3);
        if (approximate) AssertClose(ortCompressed, RunOrt(bytes, inputs, outShape), 0.02, 0.05); // ONNX Runtime runs the file itself too

        // And the compressed model approximates the float one.
        var ortOriginal = RunOrt(model.ToByteArray(), inputs, outShape);
        double deviation = Norm(ortOriginal.Zip(ortCompressed, (a, b) => a - b)) / Norm(ortOriginal);
        Assert.True(deviation <= maxDeviation, $"{technique}: output deviation {deviation:P1} > {maxDeviation:P0}");
        Assert.True(report.BytesAfter < report.BytesBefore, $"{technique}: {report.BytesAfter} bytes after, {report.BytesBefore} before");
    }

    [Fact]
    public void Int4_at_opset_21_stores_packed_int4_tensors()
    {
        var model = ConvNet(opset: 21, ir: 10);
        var (compressed, report) = ModelCompressor.Compress(model, Options("int4"));
        Assert.Contains(compressed.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Int4);
        Assert.Empty(report.Notes);
        OnnxAssert.MatchesOnnxRuntime(compressed, absTolerance: 1e-4, relTolerance: 1e-3);
        var old = ModelCompressor.Compress(ConvNet(), Options("int4"));
        Assert.DoesNotContain(old.Model.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Int4);
        Assert.Contains(old.Report.Notes, n => n.Contains("int8", StringComparison.Ordinal));
        // Same values either way.
        var inputs = Inputs(model);
        AssertClose(RunOrt(compressed.ToByteArray(), inputs, 1, 10), RunOrt(old.Model.ToByteArray(), inputs, 1, 10), 1e-5, 1e-5);
    }

    [Fact]
    public void Xnor_binarizes_the_layer_input_with_a_sign()
    {
        // One MatMul, nothing kept float: xnor(x) must equal binary weights applied to sign(x).
        var r = new Random(9);
        var model = new ModelBuilder(13).Input("x", 2, 40).Initializer("w", TestData.Floats(r, 40 * 12), 40, 12)
            .Node("MatMul", new[] { "x", "w" }, new[] { "y" }).Output("y").Build();
        var xnor = ModelCompressor.Compress(model, Options("xnor", keep: "none")).Model;
        var binary = ModelCompressor.Compress(model, Options("binary", keep: "none")).Model;
        Assert.Contains(xnor.Graph.Node, n => n.OpType == "Sign");
        Assert.DoesNotContain(binary.Graph.Node, n => n.OpType == "Sign");
        var x = TestData.Floats(new Random(10), 80);
        var signs = x.Select(v => (float)Math.Sign(v)).ToArray();
        var a = RunOrt(xnor.ToByteArray(), new Dictionary<string, (float[], int[])> { ["x"] = (x, new[] { 2, 40 }) }, 2, 12);
        var b = RunOrt(binary.ToByteArray(), new Dictionary<string, (float[], int[])> { ["x"] = (signs, new[] { 2, 40 }) }, 2, 12);
        AssertClose(b, a, 1e-5, 1e-5);
        // Binary weights are ±α per output column, α the column's mean |w|.
        var (_, report) = ModelCompressor.Compress(model, Options("binary", keep: "none"));
        Assert.Equal((40 * 12 + 7) / 8 + 4 * 12, report.BytesAfter);
    }

    [Fact]
    public void Int8_convolutions_with_a_bias_computed_in_the_graph_reshape_it_per_channel()
    {
        // As torch exports shared biases: an Identity of one initializer feeds two convolutions.
        var r = new Random(13);
        var model = new ModelBuilder(13).Input("x", 1, 6, 7, 7)
            .Initializer("w1", TestData.Floats(r, 6 * 6 * 9, 0.3f), 6, 6, 3, 3).Initializer("w2", TestData.Floats(r, 6 * 6, 0.3f), 6, 6, 1, 1)
            .Initializer("b", TestData.Floats(r, 6, 0.2f), 6)
            .Node("Identity", new[] { "b" }, new[] { "shared" })
            .Node("Conv", new[] { "x", "w1", "shared" }, new[] { "c1" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Conv", new[] { "c1", "w2", "shared" }, new[] { "y" })
            .Output("y").Build();
        var (compressed, report) = ModelCompressor.Compress(model, Options("int8"));
        Assert.All(report.Layers, l => Assert.Equal("int8", l.Technique));
        Assert.Equal(2, compressed.Graph.Node.Count(n => n.OpType == "ConvInteger"));
        OnnxAssert.MatchesOnnxRuntime(compressed, absTolerance: 1e-4, relTolerance: 1e-3);
        var inputs = Inputs(model);
        var exact = RunOrt(model.ToByteArray(), inputs, 1, 6, 7, 7);
        var quantized = RunOrt(compressed.ToByteArray(), inputs, 1, 6, 7, 7);
        Assert.True(Norm(exact.Zip(quantized, (a, b) => a - b)) / Norm(exact) < 0.05);
    }

    /// <summary>int8 leaves depthwise (grouped) convolutions float and quantizes the pointwise ones around them.</summary>
    [Fact]
    public void Int8_keeps_depthwise_convolutions_float()
    {
        var r = new Random(9);
        var model = new ModelBuilder(17).Input("x", 1, 8, 6, 6)
            .Initializer("wd", TestData.Floats(r, 8 * 9, 0.4f), 8, 1, 3, 3)
            .Initializer("wp", TestData.Floats(r, 16 * 8, 0.3f), 16, 8, 1, 1)
            .Node("Conv", new[] { "x", "wd" }, new[] { "d" }, ("group", 8), ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Conv", new[] { "d", "wp" }, new[] { "y" })
            .Output("y").Build();
        var (compressed, report) = ModelCompressor.Compress(model, Options("int8"));
        Assert.Equal(2, report.Layers.Count);
        Assert.StartsWith("grouped convolution kept float", report.Layers[0].Skipped);
        Assert.Null(report.Layers[1].Skipped);
        var ops = compressed.Graph.Node.Select(n => n.OpType).ToList();
        Assert.Single(ops, o => o == "Conv");
        Assert.Single(ops, o => o == "ConvInteger");
    }

    [Fact]
    public void Binary_keeps_the_first_and_last_layer_float_by_default()
    {
        var (_, report) = ModelCompressor.Compress(ConvNet(), Options("binary"));
        Assert.Equal(new[] { "kept float", null, null, "kept float" }, report.Layers.Select(l => l.Skipped).ToArray());
        var (_, named) = ModelCompressor.Compress(ConvNet(), Options("binary", keep: "conv_2,gemm_6"));
        Assert.Equal(new[] { null, "kept float", null, "kept float" }, named.Layers.Select(l => l.Skipped).ToArray());
    }

    [Theory]
    [InlineData("int8")]
    [InlineData("pq=4x8")]
    [InlineData("lowrank=0.8;int4")]
    public void Compression_is_deterministic(string technique)
    {
        var a = ModelCompressor.Compress(ConvNet(), Options(technique)).Model.ToByteArray();
        var b = ModelCompressor.Compress(ConvNet(), Options(technique)).Model.ToByteArray();
        Assert.Equal(a, b);
    }

    [Fact]
    public void Bytes_shrink_as_claimed()
    {
        long floatBytes = 4L * (8 * 36 + 16 * 72 + 8 * 16 + 10 * 512);
        var int8 = ModelCompressor.Compress(ConvNet(), Options("int8")).Report;
        Assert.Equal(floatBytes, int8.BytesBefore);
        Assert.Equal(floatBytes / 4 + 4 * (8 + 16 + 8 + 10), int8.BytesAfter);
        var int4 = ModelCompressor.Compress(ConvNet(), Options("int4")).Report;
        Assert.Equal(floatBytes / 8 + 4 * (8 + 16 + 8 + 10), int4.BytesAfter);
        // The ONNX file shrinks too: int8 initializers, a quarter of the float weights (the added nodes cost ~2 KB here).
        var file = ModelCompressor.Compress(ConvNet(), Options("int8")).Model;
        long stored = file.Graph.Initializer.Sum(t => (long)t.RawData.Length);
        Assert.True(stored < floatBytes / 3.5, $"{stored} bytes of initializers for {floatBytes} float bytes");
        Assert.True(file.ToByteArray().Length < ConvNet().ToByteArray().Length / 2.5, $"{file.ToByteArray().Length} vs {ConvNet().ToByteArray().Length}");
    }

    [Fact]
    public void An_exactly_rank_2_weight_factors_with_tiny_error_even_unasked()
    {
        var r = new Random(5);
        int m = 40, k = 60;
        var u = TestData.Floats(r, m * 2);
        var v = TestData.Floats(r, 2 * k);
        var w = new float[k * m]; // MatMul B [K, N=m]: B[j, i] = Σ u[i,t] v[t,j]
        for (int i = 0; i < m; i++)
            for (int j = 0; j < k; j++)
                w[j * m + i] = u[i * 2] * v[j] + u[i * 2 + 1] * v[k + j];
        var model = new ModelBuilder(13).Input("x", 2, k).Initializer("w", w, k, m).Node("MatMul", new[] { "x", "w" }, new[] { "y" }).Output("y").Build();

        var (asked, report) = ModelCompressor.Compress(model, Options("lowrank=0.999999"));
        var layer = report.Layers.Single();
        Assert.Equal("lowrank r=2", layer.Technique);
        Assert.True(layer.WeightError < 1e-6, $"weight error {layer.WeightError}");
        Assert.Equal(2, asked.Graph.Node.Count(n => n.OpType == "MatMul"));
        OnnxAssert.MatchesOnnxRuntime(asked, absTolerance: 1e-5, relTolerance: 1e-4);
        var inputs = Inputs(model);
        AssertClose(RunOrt(model.ToByteArray(), inputs, 2, m), RunOrt(asked.ToByteArray(), inputs, 2, m), 1e-5, 1e-4);

        // Asked only for int8, the compressor still finds the rank and quantizes the two thin factors.
        var (_, unasked) = ModelCompressor.Compress(model, Options("int8"));
        Assert.Equal("exact rank 2 + int8", unasked.Layers.Single().Technique);

        // The SVD itself: singular values of a known diagonal-ish matrix.
        var (rank, _, _, singular) = LinearAlgebra.LowRank(new double[] { 3, 0, 0, 0, 2, 0 }, 2, 3, 1.0);
        Assert.Equal(2, rank);
        Assert.Equal(3, singular[0], 10);
        Assert.Equal(2, singular[1], 10);
    }

    [Fact]
    public void A_full_rank_layer_that_would_not_shrink_is_skipped()
    {
        var (_, report) = ModelCompressor.Compress(Mlp(), Options("lowrank=1"));
        Assert.All(report.Layers, l => Assert.StartsWith("rank ", l.Skipped));
    }

    [Fact]
    public void Product_quantization_with_enough_centroids_is_lossless()
    {
        // Every 4-element sub-vector is one of three per sub-space: 3 ≤ k centroids reproduce the weight exactly.
        var r = new Random(6);
        int m = 12, k = 16, d = 4;
        var options = Enumerable.Range(0, k / d).Select(_ => Enumerable.Range(0, 3).Select(_ => TestData.Floats(r, d)).ToArray()).ToArray();
        var w = new float[m * k]; // Gemm transB: [N=m, K]
        for (int i = 0; i < m; i++)
            for (int s = 0; s < k / d; s++)
                Array.Copy(options[s][r.Next(3)], 0, w, i * k + s * d, d);
        var model = new ModelBuilder(13).Input("x", 2, k).Initializer("w", w, m, k).Node("Gemm", new[] { "x", "w" }, new[] { "y" }, ("transB", 1)).Output("y").Build();
        var (compressed, report) = ModelCompressor.Compress(model, Options("pq=4x8"));
        Assert.Equal(0, report.Layers.Single().WeightError);
        Assert.Contains(compressed.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Uint8);
        var inputs = Inputs(model);
        AssertClose(RunOrt(model.ToByteArray(), inputs, 2, m), RunOrt(compressed.ToByteArray(), inputs, 2, m), 1e-6, 1e-6);
        OnnxAssert.MatchesOnnxRuntime(compressed, absTolerance: 1e-5, relTolerance: 1e-4);
        // The codebook reconstruction folds at build time: no Gather runs in the generated plan.
        var result = ModelCompiler.Compile(compressed.ToByteArray(), "pq.onnx", ModelOptions.Default("Pq"));
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType is "Gather" or "Cast");
    }

    [Fact]
    public void Layers_compression_cannot_take_are_reported_not_thrown()
    {
        // A weight computed at run time, and a weight shared by two MatMuls.
        var r = new Random(7);
        var model = new ModelBuilder(13).Input("x", 2, 8).Input("v", 8, 8).Initializer("w", TestData.Floats(r, 64), 8, 8)
            .Node("MatMul", new[] { "x", "v" }, new[] { "a" })
            .Node("MatMul", new[] { "a", "w" }, new[] { "b" })
            .Node("MatMul", new[] { "b", "w" }, new[] { "y" }).Output("y").Build();
        var (_, report) = ModelCompressor.Compress(model, Options("int4"));
        Assert.Equal(new[] { "weight is not a constant", "weight is shared with other nodes", "weight is shared with other nodes" }, report.Layers.Select(l => l.Skipped).ToArray());
        var result = OnnxAssert.Compile(model.ToByteArray(), ModelOptions.Default("M") with { Compression = Options("int4") });
        Assert.True(result.Success);
        DiagnosticAssert.Reports(result.Diagnostics, "MG0303", "compressed with 'int4': 0 layers", "weight is shared");
    }

    [Fact]
    public void The_compiler_reports_what_compression_did()
    {
        var result = OnnxAssert.Compile(ConvNet().ToByteArray(), ModelOptions.Default("Net") with { Compression = Options("int4") }, "net.onnx");
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        DiagnosticAssert.Reports(result.Diagnostics, "MG0303", "Model 'net.onnx' compressed with 'int4': 4 layers", "weight bytes 26752 → 3512", "Conv 'conv_0' int4");
    }

    [Theory]
    [InlineData("int9", "unknown technique 'int9'")]
    [InlineData("prune=1.5", "sparsity in (0, 1)")]
    [InlineData("int8;int4", "both quantize")]
    [InlineData("pq=3x999", "2 ≤ K ≤ 256")]
    [InlineData("lowrank=0.9;prune=0.5", "exclude each other")]
    public void Bad_compression_metadata_is_MG0401(string text, string reason)
    {
        var diagnostics = new List<ModelGen.Diagnostics.ModelDiagnostic>();
        var options = ModelOptions.FromMetadata(k => k == "Compression" ? text : null, "m.onnx", null, diagnostics);
        Assert.Null(options.Compression);
        DiagnosticAssert.Reports(diagnostics, "MG0401", "Compression", reason);
    }

    [Fact]
    public void Metadata_parses_into_equatable_options()
    {
        var diagnostics = new List<ModelGen.Diagnostics.ModelDiagnostic>();
        var meta = new Dictionary<string, string> { ["Compression"] = " Prune=0.5; int4 ", ["CompressionKeep"] = "fc, conv1" };
        var a = ModelOptions.FromMetadata(k => meta.TryGetValue(k, out var v) ? v : null, "m.onnx", null, diagnostics);
        var b = ModelOptions.FromMetadata(k => meta.TryGetValue(k, out var v) ? v : null, "m.onnx", null, diagnostics);
        Assert.Empty(diagnostics);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(WeightQuantization.Int4, a.Compression!.Quantization);
        Assert.Equal(0.5, a.Compression.Prune);
        Assert.Equal(new[] { "conv1", "fc" }, a.Compression.Keep.ToArray());
        Assert.Equal("prune=0.5;int4", a.Compression.ToString());
        Assert.Contains("Compression", ModelOptions.MetadataNames);
        Assert.NotEqual(a, a with { Compression = Options("int8") });
    }

    // ---------------- helpers ----------------

    private static bool HasDequantizedMatMul(ModelProto model)
    {
        var dq = model.Graph.Node.Where(n => n.OpType == "DequantizeLinear").SelectMany(n => n.Output).ToHashSet();
        return model.Graph.Node.Any(n => n.OpType == "MatMul" && n.Input.Any(dq.Contains));
    }

    /// <summary>Replaces every DequantizeLinear of constant int8/int4 values (no zero point) by its float result.</summary>
    internal static ModelProto FoldDequantize(ModelProto model)
    {
        var copy = model.Clone();
        var g = copy.Graph;
        foreach (var node in g.Node.Where(n => n.OpType == "DequantizeLinear").ToList())
        {
            var q = g.Initializer.Single(t => t.Name == node.Input[0]);
            var s = ModelCompressor.ReadFloats(g.Initializer.Single(t => t.Name == node.Input[1]));
            var raw = q.RawData.ToByteArray();
            int n = (int)q.Dims.Aggregate(1L, (a, b) => a * b);
            var values = q.DataType == (int)TensorProto.Types.DataType.Int4
                ? Enumerable.Range(0, n).Select(i => (int)(sbyte)(byte)(((raw[i / 2] >> (i % 2 * 4)) & 0xF) << 4) >> 4).ToArray()
                : raw.Select(b => (int)(sbyte)b).ToArray();
            long axis = node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 1;
            long inner = q.Dims.Skip((int)axis + 1).Aggregate(1L, (a, b) => a * b);
            var f = new float[n];
            for (int i = 0; i < n; i++) f[i] = values[i] * (float)s[(int)(i / inner % q.Dims[(int)axis])];
            g.Initializer.Add(ModelBuilder.FloatTensor(node.Output[0], f, q.Dims.ToArray()));
            g.Node.Remove(node);
        }
        return copy;
    }

    internal static Dictionary<string, (float[] Data, int[] Shape)> Inputs(ModelProto model)
    {
        var result = new Dictionary<string, (float[], int[])>();
        foreach (var input in model.Graph.Input.Where(i => model.Graph.Initializer.All(t => t.Name != i.Name)))
        {
            var shape = input.Type.TensorType.Shape.Dim.Select(d => (int)d.DimValue).ToArray();
            result[input.Name] = (TestData.Floats(new Random(11 + input.Name.Length), shape.Aggregate(1, (a, b) => a * b)), shape);
        }
        return result;
    }

    internal static float[] RunOrt(byte[] bytes, Dictionary<string, (float[] Data, int[] Shape)> inputs, params int[] outShape)
    {
        using var oracle = new OnnxRuntimeOracle(bytes);
        var model = ModelProto.Parser.ParseFrom(bytes);
        string output = model.Graph.Output[0].Name;
        var ins = inputs.Select(kv => (kv.Key, (Array)kv.Value.Data, kv.Value.Shape)).ToList();
        return (float[])oracle.Run(ins, new[] { (output, typeof(float), outShape) })[0];
    }

    private static float[] RunModelGen(byte[] bytes, Dictionary<string, (float[] Data, int[] Shape)> inputs, CompressionOptions compression)
    {
        var options = ModelOptions.Default("Compressed", "ModelGen.Tests.Generated") with { Compression = compression };
        var result = ModelCompiler.Compile(bytes, "model.onnx", options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        DiagnosticAssert.Reports(result.Diagnostics, "MG0303", "compressed with '" + compression + "'");
        var model = InMemoryModel.Load(result, options);
        var ins = model.Inputs.Select(i => (Array)inputs[i.OnnxName].Data).ToArray();
        var outs = model.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        model.Run(ins, outs);
        return (float[])outs[0];
    }

    private static double Norm(IEnumerable<float> values) => Math.Sqrt(values.Sum(v => (double)v * v));

    private static void AssertClose(float[] expected, float[] actual, double abs, double rel)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= abs + rel * Math.Abs(expected[i]), $"[{i}]: {actual[i]} vs {expected[i]}");
    }
}
