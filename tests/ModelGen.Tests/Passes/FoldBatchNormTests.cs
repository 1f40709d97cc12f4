using System;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Passes;

[Trait("Category", "Ops")]
public class FoldBatchNormTests
{
    private static float[] Positive(Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(0.2 + random.NextDouble())).ToArray();

    private static ModelBuilder BatchNorm(ModelBuilder builder, Random random, string input, string output, int c) => builder
        .Initializer(output + "_s", TestData.Floats(random, c), c).Initializer(output + "_b", TestData.Floats(random, c), c)
        .Initializer(output + "_m", TestData.Floats(random, c), c).Initializer(output + "_v", Positive(random, c), c)
        .Node("BatchNormalization", new[] { input, output + "_s", output + "_b", output + "_m", output + "_v" }, new[] { output }, ("epsilon", 1e-3f));

    private static void AssertFolded(ModelBuilder model, string producer)
    {
        OnnxAssert.MatchesOnnxRuntime(model);
        var graph = OnnxAssert.Compile(model.ToBytes()).Graph!;
        Assert.DoesNotContain(graph.Nodes, n => n.OpType == "BatchNormalization");
        Assert.Contains(graph.Nodes, n => n.OpType == producer);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 1)]
    [InlineData(true, 4)]
    public void Conv_then_batchnorm_folds_into_the_weights(bool convBias, int group)
    {
        var random = new Random(group * 3 + (convBias ? 1 : 0));
        var builder = new ModelBuilder(13).Input("x", 1, 8, 9, 11).Initializer("w", TestData.Floats(random, 12 * (8 / group) * 9), 12, 8 / group, 3, 3);
        if (convBias) builder.Initializer("cb", TestData.Floats(random, 12), 12);
        builder.Node("Conv", convBias ? new[] { "x", "w", "cb" } : new[] { "x", "w" }, new[] { "c" }, ("pads", new[] { 1, 1, 1, 1 }), ("group", group));
        AssertFolded(BatchNorm(builder, random, "c", "y", 12).Output("y"), "Conv");
    }

    [Fact]
    public void Conv_batchnorm_relu_folds_and_fuses()
    {
        var random = new Random(5);
        var builder = new ModelBuilder(13).Input("x", 1, 4, 10, 10).Initializer("w", TestData.Floats(random, 8 * 4 * 9), 8, 4, 3, 3)
            .Node("Conv", new[] { "x", "w" }, new[] { "c" }, ("pads", new[] { 1, 1, 1, 1 }));
        BatchNorm(builder, random, "c", "n", 8).Node("Relu", new[] { "n" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
        var graph = OnnxAssert.Compile(builder.ToBytes()).Graph!;
        var node = Assert.Single(graph.Nodes);
        Assert.Equal("Conv", node.OpType);
        Assert.Equal("Relu", node.FusedActivation?.Kind);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void Gemm_then_batchnorm_folds(int transB, bool withC)
    {
        var random = new Random(transB * 2 + (withC ? 1 : 0));
        var builder = new ModelBuilder(13).Input("x", 5, 12)
            .Initializer("w", TestData.Floats(random, 12 * 7), transB == 1 ? new long[] { 7, 12 } : new long[] { 12, 7 });
        if (withC) builder.Initializer("c", TestData.Floats(random, 7), 1, 7);
        builder.Node("Gemm", withC ? new[] { "x", "w", "c" } : new[] { "x", "w" }, new[] { "g" }, ("transB", transB), ("alpha", 0.5f), ("beta", 2f));
        AssertFolded(BatchNorm(builder, random, "g", "y", 7).Output("y"), "Gemm");
    }

    [Fact]
    public void Matmul_then_batchnorm_becomes_gemm()
    {
        var random = new Random(11);
        var builder = new ModelBuilder(13).Input("x", 6, 10).Initializer("w", TestData.Floats(random, 10 * 9), 10, 9)
            .Node("MatMul", new[] { "x", "w" }, new[] { "g" });
        AssertFolded(BatchNorm(builder, random, "g", "y", 9).Output("y"), "Gemm");
    }

    [Fact]
    public void Batchnorm_is_kept_when_the_conv_output_has_another_reader()
    {
        var random = new Random(12);
        var builder = new ModelBuilder(13).Input("x", 1, 3, 6, 6).Initializer("w", TestData.Floats(random, 4 * 3 * 9), 4, 3, 3, 3)
            .Node("Conv", new[] { "x", "w" }, new[] { "c" });
        BatchNorm(builder, random, "c", "n", 4).Node("Add", new[] { "c", "n" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Graph!.Nodes, n => n.OpType == "BatchNormalization");
    }

    [Fact]
    public void Batchnorm_after_a_graph_input_stays_a_kernel()
    {
        var random = new Random(13);
        var builder = new ModelBuilder(9).Input("x", 2, 5, 3, 3);
        BatchNorm(builder, random, "x", "y", 5).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Graph!.Nodes, n => n.OpType == "BatchNormalization");
    }
}
