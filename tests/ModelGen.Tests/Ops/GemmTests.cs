using System;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class GemmTests
{
    [Theory]
    [InlineData(1, 10, 64, 0, 1, true)]
    [InlineData(3, 17, 5, 0, 0, true)]
    [InlineData(4, 33, 9, 1, 0, false)]
    [InlineData(2, 8, 31, 1, 1, true)]
    [InlineData(5, 17, 40, 0, 0, true)]
    [InlineData(9, 49, 300, 1, 1, false)]
    [InlineData(3, 1, 64, 0, 1, true)]
    [InlineData(70, 33, 2100, 0, 0, true)]
    public void Constant_weights_match_onnx_runtime(int m, int n, int k, int transA, int transB, bool withBias)
    {
        var random = new Random(m * 100 + n);
        long[] aShape = transA == 1 ? new long[] { k, m } : new long[] { m, k };
        long[] bShape = transB == 1 ? new long[] { n, k } : new long[] { k, n };
        var builder = new ModelBuilder().Input("a", aShape).Initializer("w", TestData.Floats(random, n * k), bShape);
        var inputs = new[] { "a", "w" };
        if (withBias)
        {
            builder.Initializer("c", TestData.Floats(random, n), n);
            inputs = new[] { "a", "w", "c" };
        }
        builder.Node("Gemm", inputs, new[] { "y" }, ("transA", transA), ("transB", transB), ("alpha", 0.75f), ("beta", 1.5f)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Runtime_operands_and_matrix_bias_match_onnx_runtime()
    {
        var model = new ModelBuilder().Input("a", 6, 3).Input("b", 5, 6).Input("c", 3, 1)
            .Node("Gemm", new[] { "a", "b", "c" }, new[] { "y" }, ("transA", 1), ("transB", 1)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }
    public static TheoryData<long[]> BiasShapes => new()
    {
        new long[0], new long[] { 1 }, new long[] { 21 }, new long[] { 1, 21 }, new long[] { 7, 1 }, new long[] { 7, 21 }, new long[] { 1, 1 },
    };

    [Theory]
    [MemberData(nameof(BiasShapes))]
    public void Constant_c_of_every_broadcast_shape_matches_onnx_runtime(long[] cShape)
    {
        var random = new Random(cShape.Length * 10 + (int)(cShape.Length > 0 ? cShape[0] : 0));
        int size = 1;
        foreach (var d in cShape) size *= (int)d;
        var model = new ModelBuilder().Input("a", 7, 19).Initializer("w", TestData.Floats(random, 19 * 21), 19, 21)
            .Initializer("c", TestData.Floats(random, size), cShape)
            .Node("Gemm", new[] { "a", "w", "c" }, new[] { "y" }, ("alpha", 0.5f), ("beta", -2f)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Theory]
    [MemberData(nameof(BiasShapes))]
    public void Runtime_c_of_every_broadcast_shape_matches_onnx_runtime(long[] cShape)
    {
        var model = new ModelBuilder().Input("a", 19, 7).Input("b", 21, 19).Input("c", cShape)
            .Node("Gemm", new[] { "a", "b", "c" }, new[] { "y" }, ("transA", 1), ("transB", 1), ("alpha", 1.25f), ("beta", 0.5f)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Randomized_shapes_and_attributes_match_onnx_runtime()
    {
        var random = new Random(77);
        for (int trial = 0; trial < 16; trial++)
        {
            int m = random.Next(1, 30), n = random.Next(1, 70), k = random.Next(1, 90);
            int ta = random.Next(2), tb = random.Next(2);
            bool constantB = random.Next(2) == 0, bias = random.Next(3) > 0;
            var builder = new ModelBuilder(random.Next(2) == 0 ? 11 : 13).Input("a", ta == 1 ? new long[] { k, m } : new long[] { m, k });
            long[] bShape = tb == 1 ? new long[] { n, k } : new long[] { k, n };
            if (constantB) builder.Initializer("b", TestData.Floats(random, n * k), bShape);
            else builder.Input("b", bShape);
            var inputs = new[] { "a", "b" };
            if (bias)
            {
                builder.Initializer("c", TestData.Floats(random, n), n);
                inputs = new[] { "a", "b", "c" };
            }
            builder.Node("Gemm", inputs, new[] { "y" }, ("transA", ta), ("transB", tb), ("alpha", (float)(random.NextDouble() * 2 - 0.5)), ("beta", (float)random.NextDouble())).Output("y");
            OnnxAssert.MatchesOnnxRuntime(builder, seed: trial);
        }
    }

    [Fact]
    public void Large_product_with_k_blocking_matches_onnx_runtime()
    {
        // m·k above the kernel's A block, so the product runs in several K blocks that accumulate in the output.
        var random = new Random(9);
        var model = new ModelBuilder().Input("a", 70, 2100).Initializer("w", TestData.Floats(random, 2100 * 40, 0.1f), 2100, 40)
            .Initializer("c", TestData.Floats(random, 40), 40)
            .Node("Gemm", new[] { "a", "w", "c" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void All_constant_gemm_folds()
    {
        var random = new Random(3);
        var model = new ModelBuilder().Input("x", 2, 3)
            .Initializer("a", TestData.Floats(random, 8), 4, 2).Initializer("b", TestData.Floats(random, 12), 3, 4).Initializer("c", TestData.Floats(random, 3), 3)
            .Node("Gemm", new[] { "a", "b", "c" }, new[] { "g" }, ("transA", 1), ("transB", 1), ("alpha", 2f))
            .Node("Add", new[] { "x", "g" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
        Assert.DoesNotContain(OnnxAssert.Compile(model.ToBytes()).Graph!.Nodes, n => n.OpType == "Gemm");
    }
}
