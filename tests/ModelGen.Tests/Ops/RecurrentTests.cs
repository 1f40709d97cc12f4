using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>LSTM, GRU and RNN: the ONNX backend cases in both modes and ONNX Runtime on random weights.</summary>
[Trait("Category", "Ops")]
public class RecurrentTests
{
    private static readonly string[] Prefixes = { "test_lstm_", "test_gru_", "test_rnn_", "test_simple_rnn_" };

    public static IEnumerable<object[]> BackendCases() => BackendTestCase.Names(Prefixes).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Backend_case_passes(string name) => BackendTestCase.Load(name).AssertPasses();

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Backend_case_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    [Fact]
    public void Every_backend_case_is_found() => Assert.Equal(12, BackendTestCase.Names(Prefixes).Count);

    private static int Gates(string op) => op switch { "LSTM" => 4, "GRU" => 3, _ => 1 };

    /// <summary>A one-node model; weights are initializers unless <paramref name="runtimeWeights"/>.</summary>
    private static ModelProto Model(string op, int seed, int steps, int batch, int input, int hidden, string direction, int layout,
        bool bias = true, bool initialState = false, bool peepholes = false, int[]? sequenceLengths = null, bool runtimeWeights = false,
        string[]? activations = null, float[]? alphas = null, float[]? betas = null, params (string Name, object Value)[] attributes)
    {
        var random = new Random(seed);
        int d = direction == "bidirectional" ? 2 : 1, g = Gates(op) * hidden;
        var builder = new ModelBuilder(14).Input("x", layout == 0 ? new long[] { steps, batch, input } : new long[] { batch, steps, input });
        void Tensor(string name, int length, params long[] shape)
        {
            if (runtimeWeights) builder.Input(name, shape);
            else builder.Initializer(name, TestData.Floats(random, length, 0.5f), shape);
        }
        Tensor("w", d * g * input, d, g, input);
        Tensor("r", d * g * hidden, d, g, hidden);
        var inputs = new List<string> { "x", "w", "r" };
        inputs.Add(bias ? "b" : "");
        if (bias) Tensor("b", d * 2 * g, d, 2 * g);
        inputs.Add(sequenceLengths is null ? "" : "lens");
        if (sequenceLengths is not null) builder.Initializer("lens", sequenceLengths, batch);
        var state = layout == 0 ? new long[] { d, batch, hidden } : new long[] { batch, d, hidden };
        inputs.Add(initialState ? "h0" : "");
        if (initialState) builder.Input("h0", state);
        if (op == "LSTM")
        {
            inputs.Add(initialState ? "c0" : "");
            if (initialState) builder.Input("c0", state);
            inputs.Add(peepholes ? "p" : "");
            if (peepholes) Tensor("p", d * 3 * hidden, d, 3 * hidden);
        }
        while (inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);
        var outputs = op == "LSTM" ? new[] { "y", "yh", "yc" } : new[] { "y", "yh" };
        var attrs = new List<(string, object)> { ("hidden_size", hidden), ("direction", direction), ("layout", layout) };
        attrs.AddRange(attributes);
        builder.Node(op, inputs.ToArray(), outputs, attrs.ToArray());
        foreach (var o in outputs) builder.Output(o);
        var model = builder.Build();
        var node = model.Graph.Node[0];
        if (activations is not null)
        {
            var a = new AttributeProto { Name = "activations", Type = AttributeProto.Types.AttributeType.Strings };
            a.Strings.AddRange(activations.Select(ByteString.CopyFromUtf8));
            node.Attribute.Add(a);
        }
        if (alphas is not null) node.Attribute.Add(ModelBuilder.Attribute("activation_alpha", alphas));
        if (betas is not null) node.Attribute.Add(ModelBuilder.Attribute("activation_beta", betas));
        return model;
    }

    [Theory]
    [InlineData(1, "forward", 0)]
    [InlineData(3, "forward", 0)]
    [InlineData(1, "bidirectional", 0)]
    [InlineData(3, "bidirectional", 0)]
    [InlineData(3, "reverse", 0)]
    public void Lstm_hidden_64_matches_onnx_runtime(int batch, string direction, int layout) =>
        OnnxAssert.MatchesOnnxRuntime(Model("LSTM", batch * 7 + layout, 10, batch, 40, 64, direction, layout, initialState: true));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    public void Lstm_hidden_sizes_exercise_vector_tails(int hidden) =>
        OnnxAssert.MatchesOnnxRuntime(Model("LSTM", hidden, 4, 2, 5, hidden, "forward", 0));

    [Fact]
    public void Lstm_peepholes_sequence_lengths_and_clip_match_onnx_runtime() =>
        OnnxAssert.MatchesOnnxRuntime(Model("LSTM", 4, 6, 3, 5, 9, "bidirectional", 0, initialState: true, peepholes: true,
            sequenceLengths: new[] { 6, 2, 4 }, attributes: new (string, object)[] { ("clip", 0.7f) }));

    [Fact]
    public void Lstm_input_forget_matches_onnx_runtime() =>
        OnnxAssert.MatchesOnnxRuntime(Model("LSTM", 5, 5, 2, 3, 17, "forward", 0, attributes: new (string, object)[] { ("input_forget", 1) }));

    [Fact]
    public void Lstm_run_time_weights_match_onnx_runtime() =>
        OnnxAssert.MatchesOnnxRuntime(Model("LSTM", 6, 5, 2, 6, 20, "bidirectional", 0, initialState: true, peepholes: true, runtimeWeights: true));

    [Fact]
    public void Lstm_other_activations_match_onnx_runtime() =>
        OnnxAssert.MatchesOnnxRuntime(Model("LSTM", 8, 4, 2, 3, 8, "forward", 0,
            activations: new[] { "HardSigmoid", "LeakyRelu", "Softsign" }, alphas: new[] { 0.3f, 0.1f }, betas: new[] { 0.4f }));

    [Fact]
    public void Gru_rnn_activations_with_parameters_and_clip_match_onnx_runtime()
    {
        OnnxAssert.MatchesOnnxRuntime(Model("GRU", 9, 5, 2, 4, 12, "bidirectional", 0, activations: new[] { "ScaledTanh", "Affine", "ThresholdedRelu", "Elu" },
            alphas: new[] { 0.8f, 0.5f, 0.1f }, betas: new[] { 1.2f, 0.1f }));
        OnnxAssert.MatchesOnnxRuntime(Model("GRU", 10, 5, 2, 4, 12, "forward", 0, attributes: new (string, object)[] { ("clip", 0.4f) }));
        OnnxAssert.MatchesOnnxRuntime(Model("RNN", 11, 5, 2, 4, 12, "forward", 0, activations: new[] { "Elu" },
            attributes: new (string, object)[] { ("clip", 0.5f) }));
    }

    [Theory]
    [InlineData(0, "forward", 0)]
    [InlineData(1, "forward", 0)]
    [InlineData(0, "bidirectional", 0)]
    [InlineData(1, "reverse", 0)]
    [InlineData(1, "bidirectional", 0)]
    public void Gru_matches_onnx_runtime(int linearBeforeReset, string direction, int layout) =>
        OnnxAssert.MatchesOnnxRuntime(Model("GRU", linearBeforeReset + 3, 7, 3, 6, 33, direction, layout, initialState: true,
            attributes: new (string, object)[] { ("linear_before_reset", linearBeforeReset) }));

    [Fact]
    public void Gru_sequence_lengths_and_run_time_weights_match_onnx_runtime() =>
        OnnxAssert.MatchesOnnxRuntime(Model("GRU", 12, 5, 3, 4, 10, "bidirectional", 0, sequenceLengths: new[] { 1, 5, 3 }, runtimeWeights: true,
            attributes: new (string, object)[] { ("linear_before_reset", 1) }));

    [Theory]
    [InlineData("forward", 0)]
    [InlineData("bidirectional", 0)]
    [InlineData("reverse", 0)]
    public void Rnn_matches_onnx_runtime(string direction, int layout) =>
        OnnxAssert.MatchesOnnxRuntime(Model("RNN", 21, 6, 2, 5, 16, direction, layout, initialState: true, sequenceLengths: new[] { 6, 3 }));

    [Fact]
    public void Rnn_relu_activation_matches_onnx_runtime() =>
        OnnxAssert.MatchesOnnxRuntime(Model("RNN", 22, 4, 1, 3, 7, "forward", 0, activations: new[] { "Relu" }));

    /// <summary>
    /// ONNX Runtime rejects layout 1, so the batch-major model runs in ModelGen and its layout-0 equivalent (the same
    /// node between Transposes of X, the states and the outputs) in ONNX Runtime, on the same random inputs.
    /// </summary>
    [Theory]
    [InlineData("LSTM", 1, "bidirectional")]
    [InlineData("LSTM", 3, "reverse")]
    [InlineData("GRU", 3, "bidirectional")]
    [InlineData("RNN", 2, "forward")]
    public void Batch_major_layout_matches_onnx_runtime_on_the_time_major_equivalent(string op, int batch, string direction)
    {
        const int steps = 5, input = 6, hidden = 24;
        var batchMajor = Model(op, 31, steps, batch, input, hidden, direction, 1, initialState: true, peepholes: op == "LSTM");
        var timeMajor = Model(op, 31, steps, batch, input, hidden, direction, 0, initialState: true, peepholes: op == "LSTM");
        // Rewire the time-major model to take and return batch-major tensors.
        var g = timeMajor.Graph;
        var node = g.Node[0];
        var states = op == "LSTM" ? new[] { "h0", "c0" } : new[] { "h0" };
        foreach (var name in new[] { "x" }.Concat(states))
        {
            g.Node.Insert(0, new NodeProto { OpType = "Transpose", Input = { name }, Output = { name + "_t" }, Attribute = { ModelBuilder.Attribute("perm", new[] { 1, 0, 2 }) } });
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == name) node.Input[i] = name + "_t";
            var info = g.Input.First(v => v.Name == name);
            var dims = info.Type.TensorType.Shape.Dim;
            (dims[0], dims[1]) = (dims[1], dims[0]);
        }
        for (int i = 0; i < node.Output.Count; i++)
        {
            string name = node.Output[i];
            node.Output[i] = name + "_t";
            int[] perm = i == 0 ? new[] { 2, 0, 1, 3 } : new[] { 1, 0, 2 };
            g.Node.Add(new NodeProto { OpType = "Transpose", Input = { name + "_t" }, Output = { name }, Attribute = { ModelBuilder.Attribute("perm", perm) } });
        }

        var options = ModelGen.Configuration.ModelOptions.Default("BatchMajor", "ModelGen.Tests.Generated");
        var compiled = ModelGen.Compiler.ModelCompiler.Compile(batchMajor.ToByteArray(), "batch_major.onnx", options);
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        var generated = ModelGen.Cli.Verification.InMemoryModel.Load(compiled, options);
        var random = new Random(5);
        var inputs = generated.Inputs.Select(i => (Array)TestData.Floats(random, i.Length)).ToArray();
        var outputs = generated.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        generated.Run(inputs, outputs);

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(timeMajor.ToByteArray());
        var feeds = generated.Inputs.Select((info, i) => Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(info.OnnxName,
            new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>((float[])inputs[i], info.Shape))).ToList();
        using var results = session.Run(feeds);
        var verify = new ModelGen.Cli.Verification.VerifyOptions();
        for (int i = 0; i < outputs.Length; i++)
        {
            var name = generated.Outputs[i].OnnxName;
            var expected = results.First(r => r.Name == name).AsTensor<float>().ToArray();
            var cmp = ModelGen.Cli.Verification.Verifier.Compare(name, outputs[i], expected, verify);
            Assert.True(cmp.WithinTolerance, $"{op} output '{name}' differs: max abs {cmp.MaxAbsDiff:G4}, max rel {cmp.MaxRelDiff:G4}");
        }
    }

    [Theory]
    [InlineData("LSTM", "bidirectional", 0)]
    [InlineData("GRU", "forward", 0)]
    [InlineData("GRU", "bidirectional", 1)]
    [InlineData("RNN", "reverse", 0)]
    public void Constant_inputs_fold_at_build_time(string op, string direction, int linearBeforeReset)
    {
        // Every input of the node constant (X, weights, sequence_lens, no initial state); its outputs then feed an Add
        // with a run-time input, so the model still has one.
        const int steps = 4, batch = 3, input = 3, hidden = 5;
        var attributes = op == "GRU" ? new (string, object)[] { ("linear_before_reset", linearBeforeReset) } : Array.Empty<(string, object)>();
        var model = Model(op, 41, steps, batch, input, hidden, direction, 0, peepholes: op == "LSTM", sequenceLengths: new[] { 4, 1, 2 },
            attributes: attributes);
        var g = model.Graph;
        var x = g.Input.First(v => v.Name == "x");
        g.Input.Remove(x);
        g.Initializer.Add(ModelBuilder.FloatTensor("x", TestData.Floats(new Random(3), steps * batch * input), steps, batch, input));
        int d = direction == "bidirectional" ? 2 : 1;
        var node = g.Node[0];
        foreach (var output in node.Output.ToList())
        {
            var shape = output == "y" ? new long[] { steps, d, batch, hidden } : new long[] { d, batch, hidden };
            g.Input.Add(new ValueInfoProto { Name = output + "_z", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor
                { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto { Dim = { shape.Select(v => new TensorShapeProto.Types.Dimension { DimValue = v }) } } } } });
            g.Node.Add(new NodeProto { OpType = "Add", Input = { output + "_c", output + "_z" }, Output = { output + "_sum" } });
            var info = g.Output.First(o => o.Name == output);
            info.Name = output + "_sum";
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == output) node.Output[i] = output + "_c";
        }
        OnnxAssert.MatchesOnnxRuntime(model);
        Assert.DoesNotContain(OnnxAssert.Compile(model.ToByteArray()).Plan!.Steps.OfType<KernelCall>(), s => s.Kernel.EndsWith("Sequence", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_activation_is_a_diagnostic()
    {
        var result = OnnxAssert.Compile(Model("RNN", 1, 2, 1, 2, 3, "forward", 0, activations: new[] { "Gelu" }).ToByteArray());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("Gelu", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_direction_is_a_diagnostic()
    {
        var result = OnnxAssert.Compile(Model("GRU", 1, 2, 1, 2, 3, "sideways", 0).ToByteArray());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("sideways", StringComparison.Ordinal));
    }
}
