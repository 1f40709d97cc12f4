using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using ModelGen.Onnx.Proto;
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
    public void Every_backend_case_is_found() => Assert.Equal(13, BackendTestCase.Names(Prefixes).Count);

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
    [InlineData(3, "reverse", 1)]
    [InlineData(1, "bidirectional", 1)]
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

    [Theory]
    [InlineData(0, "forward", 0)]
    [InlineData(1, "forward", 0)]
    [InlineData(0, "bidirectional", 0)]
    [InlineData(1, "reverse", 1)]
    [InlineData(1, "bidirectional", 1)]
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
    [InlineData("reverse", 1)]
    public void Rnn_matches_onnx_runtime(string direction, int layout) =>
        OnnxAssert.MatchesOnnxRuntime(Model("RNN", 21, 6, 2, 5, 16, direction, layout, initialState: true, sequenceLengths: new[] { 6, 3 }));

    [Fact]
    public void Rnn_relu_activation_matches_onnx_runtime() =>
        OnnxAssert.MatchesOnnxRuntime(Model("RNN", 22, 4, 1, 3, 7, "forward", 0, activations: new[] { "Relu" }));

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
