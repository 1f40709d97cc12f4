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
}
