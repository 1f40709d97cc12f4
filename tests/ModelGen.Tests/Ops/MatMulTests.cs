using System;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class MatMulTests
{
    public static TheoryData<long[], long[]> Shapes => new()
    {
        { new long[] { 3, 5 }, new long[] { 5, 7 } },
        { new long[] { 1, 64 }, new long[] { 64, 33 } },
        { new long[] { 17, 31 }, new long[] { 31, 16 } },
        { new long[] { 9, 13 }, new long[] { 13, 1 } },
        { new long[] { 13 }, new long[] { 13, 10 } },
        { new long[] { 4, 13 }, new long[] { 13 } },
        { new long[] { 13 }, new long[] { 13 } },
        { new long[] { 2, 3, 6, 8 }, new long[] { 8, 19 } },
        { new long[] { 2, 3, 6, 8 }, new long[] { 3, 8, 5 } },
        { new long[] { 2, 1, 6, 8 }, new long[] { 1, 4, 8, 5 } },
        { new long[] { 5, 8 }, new long[] { 2, 3, 8, 9 } },
        { new long[] { 3, 7 }, new long[] { 2, 7 } },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Runtime_operands_match_onnx_runtime(long[] a, long[] b)
    {
        if (a[^1] != (b.Length == 1 ? b[0] : b[^2])) b[^(b.Length == 1 ? 1 : 2)] = a[^1];
        var model = new ModelBuilder(13).Input("a", a).Input("b", b).Node("MatMul", new[] { "a", "b" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Constant_b_matches_onnx_runtime(long[] a, long[] b)
    {
        if (a[^1] != (b.Length == 1 ? b[0] : b[^2])) b[^(b.Length == 1 ? 1 : 2)] = a[^1];
        var random = new Random((int)(a[^1] * 31 + b[^1]));
        int size = 1;
        foreach (var d in b) size *= (int)d;
        var model = new ModelBuilder(13).Input("a", a).Initializer("b", TestData.Floats(random, size), b)
            .Node("MatMul", new[] { "a", "b" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Randomized_shapes_match_onnx_runtime()
    {
        var random = new Random(2024);
        for (int trial = 0; trial < 12; trial++)
        {
            int m = random.Next(1, 40), k = random.Next(1, 70), n = random.Next(1, 70);
            bool constant = trial % 2 == 0;
            var builder = new ModelBuilder(13).Input("a", m, k);
            if (constant) builder.Initializer("b", TestData.Floats(random, k * n), k, n);
            else builder.Input("b", k, n);
            builder.Node("MatMul", new[] { "a", "b" }, new[] { "y" }).Output("y");
            OnnxAssert.MatchesOnnxRuntime(builder, seed: trial);
        }
    }

    [Fact]
    public void Constant_operands_fold_at_build_time()
    {
        var random = new Random(5);
        var model = new ModelBuilder(13).Input("x", 3, 4)
            .Initializer("a", TestData.Floats(random, 12), 3, 4).Initializer("b", TestData.Floats(random, 16), 4, 4)
            .Node("MatMul", new[] { "a", "b" }, new[] { "ab" })
            .Node("Add", new[] { "x", "ab" }, new[] { "y" }).Output("y");
        var report = OnnxAssert.MatchesOnnxRuntime(model);
        var result = OnnxAssert.Compile(model.ToBytes());
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType == "MatMul");
    }
}
