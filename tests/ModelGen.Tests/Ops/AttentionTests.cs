using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>Attention against ONNX Runtime on random inputs: head and sequence lengths that use the vector bodies and tails.</summary>
[Trait("Category", "Ops")]
public class AttentionTests
{
    private const TensorProto.Types.DataType Float = TensorProto.Types.DataType.Float;

    private static float[] Random(int seed, params int[] shape) => ElementwiseModels.Floats(seed, shape.Aggregate(1, (a, b) => a * b), -1f, 1f);

    /// <summary>A float mask of random values with a few -∞, never a whole row (that row's softmax has no defined value).</summary>
    private static float[] FloatMask(int seed, int rows, int columns)
    {
        var mask = ElementwiseModels.Floats(seed, rows * columns, -2f, 2f);
        var random = new Random(seed);
        for (int r = 0; r < rows; r++)
            for (int c = 1; c < columns; c++)
                if (random.Next(4) == 0) mask[r * columns + c] = float.NegativeInfinity;
        return mask;
    }

    private static bool[] BoolMask(int seed, int rows, int columns)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows * columns).Select(i => i % columns == 0 || random.Next(3) != 0).ToArray();
    }

    [Theory]
    [InlineData(1, 1, 1, 1, false)]
    [InlineData(2, 7, 9, 7, false)]
    [InlineData(3, 33, 33, 33, true)]
    [InlineData(8, 64, 64, 64, false)]
    [InlineData(8, 64, 64, 64, true)]
    [InlineData(2, 5, 257, 16, true)]
    public void Four_dimensional_attention_matches_onnx_runtime(int heads, int qLength, int kvLength, int headSize, bool causal)
    {
        var model = new ModelBuilder(23, 10)
            .Input("Q", 1, heads, qLength, headSize).Input("K", 1, heads, kvLength, headSize).Input("V", 1, heads, kvLength, headSize)
            .Node("Attention", new[] { "Q", "K", "V" }, new[] { "Y" }, ("is_causal", causal ? 1L : 0L)).Output("Y");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(
            ("Q", Random(1, heads, qLength, headSize)), ("K", Random(2, heads, kvLength, headSize)), ("V", Random(3, heads, kvLength, headSize))));
    }

    [Theory]
    [InlineData(7, 7, false)]
    [InlineData(64, 64, false)]
    [InlineData(64, 64, true)]
    [InlineData(33, 40, true)]
    public void A_float_mask_is_added(int qLength, int kvLength, bool causal)
    {
        const int heads = 8, headSize = 64;
        var model = new ModelBuilder(23, 10)
            .Input("Q", 1, heads, qLength, headSize).Input("K", 1, heads, kvLength, headSize).Input("V", 1, heads, kvLength, headSize).Input("M", qLength, kvLength)
            .Node("Attention", new[] { "Q", "K", "V", "M" }, new[] { "Y" }, ("is_causal", causal ? 1L : 0L)).Output("Y");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(
            ("Q", Random(4, heads, qLength, headSize)), ("K", Random(5, heads, kvLength, headSize)), ("V", Random(6, heads, kvLength, headSize)),
            ("M", FloatMask(7, qLength, kvLength))));
    }

    [Fact]
    public void A_boolean_mask_broadcast_over_heads_excludes_keys()
    {
        const int batch = 2, heads = 4, length = 33, headSize = 16;
        var model = new ModelBuilder(23, 10)
            .Input("Q", batch, heads, length, headSize).Input("K", batch, heads, length, headSize).Input("V", batch, heads, length, headSize)
            .Input("M", TensorProto.Types.DataType.Bool, batch, 1, length, length)
            .Node("Attention", new[] { "Q", "K", "V", "M" }, new[] { "Y" }).Output("Y");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(
            ("Q", Random(8, batch, heads, length, headSize)), ("K", Random(9, batch, heads, length, headSize)), ("V", Random(10, batch, heads, length, headSize)),
            ("M", BoolMask(11, batch * length, length))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Three_dimensional_grouped_query_attention_with_a_cache(bool causal)
    {
        const int batch = 2, qHeads = 8, kvHeads = 2, qLength = 7, kvLength = 7, past = 9, headSize = 32, valueHeadSize = 24;
        var model = new ModelBuilder(23, 10)
            .Input("Q", batch, qLength, qHeads * headSize).Input("K", batch, kvLength, kvHeads * headSize).Input("V", batch, kvLength, kvHeads * valueHeadSize)
            .Input("M", qLength, past + kvLength).Input("PK", batch, kvHeads, past, headSize).Input("PV", batch, kvHeads, past, valueHeadSize)
            .Node("Attention", new[] { "Q", "K", "V", "M", "PK", "PV" }, new[] { "Y", "PresentK", "PresentV" },
                ("q_num_heads", (long)qHeads), ("kv_num_heads", (long)kvHeads), ("is_causal", causal ? 1L : 0L))
            .Output("Y").Output("PresentK").Output("PresentV");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(
            ("Q", Random(12, batch, qLength, qHeads * headSize)), ("K", Random(13, batch, kvLength, kvHeads * headSize)),
            ("V", Random(14, batch, kvLength, kvHeads * valueHeadSize)), ("M", FloatMask(15, qLength, past + kvLength)),
            ("PK", Random(16, batch, kvHeads, past, headSize)), ("PV", Random(17, batch, kvHeads, past, valueHeadSize))));
    }

    [Theory]
    [InlineData(0, 0f)]
    [InlineData(1, 0f)]
    [InlineData(2, 0f)]
    [InlineData(3, 0f)]
    [InlineData(0, 1.5f)]
    [InlineData(2, 1.5f)]
    [InlineData(3, 1.5f)]
    public void The_scores_output_and_softcap_match_onnx_runtime(long mode, float softcap)
    {
        const int heads = 3, qLength = 9, kvLength = 33, headSize = 20;
        var attributes = new List<(string, object)> { ("qk_matmul_output_mode", mode), ("scale", 0.3f) };
        if (softcap > 0) attributes.Add(("softcap", softcap));
        var model = new ModelBuilder(23, 10)
            .Input("Q", 2, heads, qLength, headSize).Input("K", 2, heads, kvLength, headSize).Input("V", 2, heads, kvLength, headSize)
            .Node("Attention", new[] { "Q", "K", "V", "", "", "" }, new[] { "Y", "", "", "S" }, attributes.ToArray()).Output("Y").Output("S");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(
            ("Q", Random(18, 2, heads, qLength, headSize)), ("K", Random(19, 2, heads, kvLength, headSize)), ("V", Random(20, 2, heads, kvLength, headSize))));
    }

    [Fact]
    public void Softcap_with_a_mask_matches_onnx_runtime()
    {
        const int heads = 2, qLength = 9, kvLength = 17, headSize = 8;
        var model = new ModelBuilder(23, 10)
            .Input("Q", 1, heads, qLength, headSize).Input("K", 1, heads, kvLength, headSize).Input("V", 1, heads, kvLength, headSize).Input("M", qLength, kvLength)
            .Node("Attention", new[] { "Q", "K", "V", "M" }, new[] { "Y" }, ("softcap", 0.5f)).Output("Y");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(
            ("Q", Random(24, heads, qLength, headSize)), ("K", Random(25, heads, kvLength, headSize)), ("V", Random(26, heads, kvLength, headSize)),
            ("M", FloatMask(27, qLength, kvLength))));
    }

    [Fact]
    public void A_query_row_with_every_key_masked_gives_zeros_as_onnx_runtime_does()
    {
        const int heads = 2, qLength = 3, kvLength = 5, headSize = 4;
        var mask = FloatMask(28, qLength, kvLength);
        for (int j = 0; j < kvLength; j++) mask[kvLength + j] = float.NegativeInfinity;
        var model = new ModelBuilder(23, 10)
            .Input("Q", 1, heads, qLength, headSize).Input("K", 1, heads, kvLength, headSize).Input("V", 1, heads, kvLength, headSize).Input("M", qLength, kvLength)
            .Node("Attention", new[] { "Q", "K", "V", "M" }, new[] { "Y", "", "", "S" }, ("qk_matmul_output_mode", 3L)).Output("Y").Output("S");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(
            ("Q", Random(29, heads, qLength, headSize)), ("K", Random(30, heads, kvLength, headSize)), ("V", Random(31, heads, kvLength, headSize)), ("M", mask)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Padded_keys_are_excluded(bool causal)
    {
        // nonpad_kv_seqlen (opset 24) excludes each batch's padding keys. (A mask shorter than the keys, which ONNX
        // Runtime refuses, is covered by the backend test test_attention_4d_diff_heads_mask4d_padded_kv.)
        const int batch = 2, heads = 2, qLength = 5, kvLength = 12, headSize = 16, maskLength = kvLength;
        var model = new ModelBuilder(24, 10)
            .Input("Q", batch, heads, qLength, headSize).Input("K", batch, heads, kvLength, headSize).Input("V", batch, heads, kvLength, headSize)
            .Input("M", qLength, maskLength).Input("N", TensorProto.Types.DataType.Int64, batch)
            .Node("Attention", new[] { "Q", "K", "V", "M", "", "", "N" }, new[] { "Y" }, ("is_causal", causal ? 1L : 0L)).Output("Y");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(
            ("Q", Random(32, batch, heads, qLength, headSize)), ("K", Random(33, batch, heads, kvLength, headSize)), ("V", Random(34, batch, heads, kvLength, headSize)),
            ("M", FloatMask(35, qLength, maskLength)), ("N", new long[] { 9, 12 })));
    }

    [Fact]
    public void Constant_inputs_fold_at_build_time()
    {
        var model = new ModelBuilder(23, 10)
            .Initializer("Q", Random(21, 1, 2, 3, 4), 1, 2, 3, 4).Initializer("K", Random(22, 1, 2, 5, 4), 1, 2, 5, 4).Initializer("V", Random(23, 1, 2, 5, 6), 1, 2, 5, 6)
            .Node("Attention", new[] { "Q", "K", "V" }, new[] { "Y" }, ("is_causal", 1L), ("softcap", 2f)).Output("Y");
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.Empty(compiled.Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(model.Build());
    }

    [Fact]
    public void Invalid_and_unsupported_configurations_are_diagnostics()
    {
        ModelBuilder Model(params (string, object)[] attributes) => new ModelBuilder(23, 10)
            .Input("Q", 1, 4, 3, 8).Input("K", 1, 3, 3, 8).Input("V", 1, 3, 3, 8)
            .Node("Attention", new[] { "Q", "K", "V" }, new[] { "Y" }, attributes).Output("Y");
        // 4 query heads are not a multiple of 3 key/value heads.
        Assert.Contains(OnnxAssert.Compile(Model().ToBytes()).Diagnostics, d => d.Id == "MG0102");
        var heads = new ModelBuilder(23, 10).Input("Q", 1, 4, 3, 8).Input("K", 1, 2, 3, 8).Input("V", 1, 2, 3, 8);
        Assert.Contains(OnnxAssert.Compile(heads.Node("Attention", new[] { "Q", "K", "V" }, new[] { "Y" }, ("qk_matmul_output_mode", 4L)).Output("Y").ToBytes()).Diagnostics,
            d => d.Id == "MG0102");
        var precision = new ModelBuilder(23, 10).Input("Q", 1, 4, 3, 8).Input("K", 1, 2, 3, 8).Input("V", 1, 2, 3, 8)
            .Node("Attention", new[] { "Q", "K", "V" }, new[] { "Y" }, ("softmax_precision", 11L)).Output("Y");
        Assert.False(OnnxAssert.Compile(precision.ToBytes()).Success);
    }
}

/// <summary>RotaryEmbedding against ONNX Runtime: split halves and interleaved pairs, partial rotary dimensions, 3-D and 4-D.</summary>
[Trait("Category", "Ops")]
public class RotaryEmbeddingTests
{
    private static long[] Positions(int seed, int n, int max)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (long)random.Next(max)).ToArray();
    }

    [Theory]
    [InlineData(1, 2, 1, 2, 0, false)]
    [InlineData(2, 3, 7, 14, 0, false)]
    [InlineData(1, 8, 33, 64, 0, false)]
    [InlineData(1, 8, 33, 64, 32, false)]
    [InlineData(2, 3, 7, 66, 0, true)]
    [InlineData(1, 4, 5, 64, 16, true)]
    public void Four_dimensional_input_with_position_ids(int batch, int heads, int sequence, int headSize, int rotaryDim, bool interleaved)
    {
        int half = (rotaryDim == 0 ? headSize : rotaryDim) / 2;
        const int positions = 100;
        var model = new ModelBuilder(23, 10)
            .Input("X", batch, heads, sequence, headSize).Input("C", positions, half).Input("S", positions, half)
            .Input("P", TensorProto.Types.DataType.Int64, batch, sequence)
            .Node("RotaryEmbedding", new[] { "X", "C", "S", "P" }, new[] { "Y" }, ("interleaved", interleaved ? 1L : 0L), ("rotary_embedding_dim", (long)rotaryDim))
            .Output("Y");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(
            ("X", ElementwiseModels.Floats(1, batch * heads * sequence * headSize)), ("C", ElementwiseModels.Floats(2, positions * half)),
            ("S", ElementwiseModels.Floats(3, positions * half)), ("P", Positions(4, batch * sequence, positions))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Three_dimensional_input_without_position_ids(bool interleaved)
    {
        const int batch = 2, sequence = 9, heads = 4, headSize = 40;
        var model = new ModelBuilder(23, 10)
            .Input("X", batch, sequence, heads * headSize).Input("C", batch, sequence, headSize / 2).Input("S", batch, sequence, headSize / 2)
            .Node("RotaryEmbedding", new[] { "X", "C", "S" }, new[] { "Y" }, ("interleaved", interleaved ? 1L : 0L), ("num_heads", (long)heads))
            .Output("Y");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(
            ("X", ElementwiseModels.Floats(5, batch * sequence * heads * headSize)), ("C", ElementwiseModels.Floats(6, batch * sequence * headSize / 2)),
            ("S", ElementwiseModels.Floats(7, batch * sequence * headSize / 2))));
    }

    [Fact]
    public void Constant_inputs_fold_and_bad_attributes_are_diagnostics()
    {
        var model = new ModelBuilder(23, 10).Initializer("X", ElementwiseModels.Floats(8, 2 * 3 * 8), 1, 2, 3, 8)
            .Initializer("C", ElementwiseModels.Floats(9, 12), 1, 3, 4).Initializer("S", ElementwiseModels.Floats(10, 12), 1, 3, 4)
            .Node("RotaryEmbedding", new[] { "X", "C", "S" }, new[] { "Y" }, ("interleaved", 1L)).Output("Y");
        Assert.Empty(OnnxAssert.Compile(model.ToBytes()).Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(model.Build());

        var odd = new ModelBuilder(23, 10).Input("X", 1, 2, 3, 8).Input("C", 1, 3, 4).Input("S", 1, 3, 4)
            .Node("RotaryEmbedding", new[] { "X", "C", "S" }, new[] { "Y" }, ("rotary_embedding_dim", 3L)).Output("Y");
        Assert.Contains(OnnxAssert.Compile(odd.ToBytes()).Diagnostics, d => d.Id == "MG0102");
        var flag = new ModelBuilder(23, 10).Input("X", 1, 2, 3, 8).Input("C", 1, 3, 4).Input("S", 1, 3, 4)
            .Node("RotaryEmbedding", new[] { "X", "C", "S" }, new[] { "Y" }, ("interleaved", 2L)).Output("Y");
        Assert.Contains(OnnxAssert.Compile(flag.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}

/// <summary>NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss against ONNX Runtime: every reduction, weights, ignore_index.</summary>
[Trait("Category", "Ops")]
public class LossTests
{
    private static long[] Targets(int seed, int n, int classes, long? ignore)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i => ignore is not null && i % 5 == 1 ? ignore.Value : random.Next(classes)).ToArray();
    }

    public static TheoryData<int, int, string, bool, long?> Cases => new()
    {
        { 1, 1, "mean", false, null },
        { 7, 1, "none", true, null },
        { 33, 7, "sum", false, 3L },
        { 5, 257, "mean", true, 2L },
        { 33, 33, "none", false, -1L },
        { 7, 257, "sum", true, null },
    };

    private static ModelBuilder Model(string op, int classes, int inner, string reduction, bool weighted, long? ignore, bool logProb)
    {
        var attributes = new List<(string, object)> { ("reduction", reduction) };
        if (ignore is not null) attributes.Add(("ignore_index", ignore.Value));
        var inputs = weighted ? new[] { "X", "T", "W" } : new[] { "X", "T" };
        var outputs = logProb ? new[] { "L", "P" } : new[] { "L" };
        var model = new ModelBuilder(op == "SoftmaxCrossEntropyLoss" ? 13 : 22, 10).Input("X", 3, classes, inner).Input("T", TensorProto.Types.DataType.Int64, 3, inner);
        if (weighted) model.Input("W", classes);
        model.Node(op, inputs, outputs, attributes.ToArray()).Output("L");
        if (logProb) model.Output("P");
        return model;
    }

    private static Dictionary<string, Array> Inputs(int classes, int inner, bool weighted, long? ignore)
    {
        var inputs = ElementwiseModels.Inputs(("X", ElementwiseModels.Floats(1, 3 * classes * inner, -3f, 3f)), ("T", Targets(2, 3 * inner, classes, ignore)));
        if (weighted) inputs["W"] = ElementwiseModels.Floats(3, classes, 0.1f, 2f);
        return inputs;
    }

    [Theory, MemberData(nameof(Cases))]
    public void NegativeLogLikelihoodLoss_matches_onnx_runtime(int classes, int inner, string reduction, bool weighted, long? ignore) =>
        OnnxAssert.MatchesOnnxRuntime(Model("NegativeLogLikelihoodLoss", classes, inner, reduction, weighted, ignore, false).Build(),
            inputs: Inputs(classes, inner, weighted, ignore));

    [Theory, MemberData(nameof(Cases))]
    public void SoftmaxCrossEntropyLoss_matches_onnx_runtime(int classes, int inner, string reduction, bool weighted, long? ignore)
    {
        foreach (bool logProb in new[] { false, true })
            OnnxAssert.MatchesOnnxRuntime(Model("SoftmaxCrossEntropyLoss", classes, inner, reduction, weighted, ignore, logProb).Build(),
                inputs: Inputs(classes, inner, weighted, ignore));
    }

    [Fact]
    public void Constant_inputs_fold_and_bad_attributes_are_diagnostics()
    {
        foreach (var op in new[] { "NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss" })
        {
            var model = new ModelBuilder(op == "SoftmaxCrossEntropyLoss" ? 13 : 22, 10)
                .Initializer("X", ElementwiseModels.Floats(4, 2 * 5 * 3, -2f, 2f), 2, 5, 3).Initializer("T", new long[] { 0, 4, 2, 1, 1, 3 }, 2, 3)
                .Initializer("W", ElementwiseModels.Floats(5, 5, 0.5f, 1.5f), 5)
                .Node(op, new[] { "X", "T", "W" }, new[] { "L" }, ("reduction", "mean"), ("ignore_index", 1L)).Output("L");
            Assert.Empty(OnnxAssert.Compile(model.ToBytes()).Graph!.Nodes);
            OnnxAssert.MatchesOnnxRuntime(model.Build());

            var bad = new ModelBuilder(op == "SoftmaxCrossEntropyLoss" ? 13 : 22, 10).Input("X", 2, 5).Input("T", TensorProto.Types.DataType.Int64, 2)
                .Node(op, new[] { "X", "T" }, new[] { "L" }, ("reduction", "max")).Output("L");
            Assert.Contains(OnnxAssert.Compile(bad.ToBytes()).Diagnostics, d => d.Id == "MG0102");
        }
    }
}
