using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>Gemm and MatMul whose constant B is mostly zero (pruned fully connected layers) run on the sparse kernel, against ONNX Runtime.</summary>
[Trait("Category", "Ops")]
public class SparseGemmTests
{
    private static float[] SparseWeights(Random random, int n, double density) =>
        Enumerable.Range(0, n).Select(_ => random.NextDouble() < density ? (float)(random.NextDouble() * 2 - 1) : 0f).ToArray();

    /// <summary>One or two rows run the blocked kernel; 32 or more the transposed-block one.</summary>
    private static void AssertSparse(ModelBuilder b, long weights, int rows)
    {
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.Contains(result.Plan!.Steps.OfType<KernelCall>(), s => s.Kernel == (rows <= 2 ? "SparseGemvBlocked" : "SparseMatMul"));
        var compression = Assert.Single(result.Plan.Compression);
        Assert.Equal("sparse columns", compression.Technique);
        Assert.Equal(weights, compression.Weights);
        Assert.True(compression.StoredBytes < compression.DenseBytes);
        ModelGen.Tests.Diagnostics.DiagnosticAssert.Reports(result.Diagnostics, "MG0302", "sparse columns");
    }

    [Theory]
    [InlineData(1, 64, 300, 0, true, 0.08, null)]
    [InlineData(1, 70, 129, 1, true, 0.05, "Relu")]
    [InlineData(1, 64, 20, 1, true, 0.15, null)]
    [InlineData(2, 100, 1000, 0, true, 0.08, "Relu")]
    [InlineData(2, 33, 200, 1, false, 0.08, null)]
    [InlineData(1, 40, 97, 0, true, 0.15, "Sigmoid")]
    [InlineData(32, 48, 256, 1, true, 0.07, "Relu")]
    [InlineData(64, 100, 120, 0, true, 0.08, null)]
    [InlineData(64, 50, 300, 1, true, 0.08, "Sigmoid")]
    [InlineData(96, 20, 700, 0, false, 0.05, "Relu")]
    [InlineData(70, 37, 90, 1, true, 0.07, "Relu")]
    [InlineData(150, 24, 64, 0, false, 0.05, "Tanh")]
    public void Sparse_gemm_matches_onnx_runtime(int m, int n, int k, int transB, bool withBias, double density, string? activation)
    {
        var random = new Random(m * 1000 + n * 10 + k);
        long[] bShape = transB == 1 ? new long[] { n, k } : new long[] { k, n };
        var b = new ModelBuilder(13).Input("a", m, k).Initializer("w", SparseWeights(random, n * k, density), bShape);
        var inputs = new[] { "a", "w" };
        if (withBias)
        {
            b.Initializer("c", TestData.Floats(random, n), n);
            inputs = new[] { "a", "w", "c" };
        }
        b.Node("Gemm", inputs, new[] { activation is null ? "y" : "t" }, ("transB", transB), ("alpha", 0.75f), ("beta", 1.5f));
        if (activation is not null) b.Node(activation, new[] { "t" }, new[] { "y" });
        b.Output("y");
        AssertSparse(b, (long)n * k, m);
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Theory]
    [InlineData(new long[] { 1, 300 }, 64, 0.08)]
    [InlineData(new long[] { 300 }, 40, 0.08)]
    [InlineData(new long[] { 2, 16, 128 }, 50, 0.08)]
    [InlineData(new long[] { 2, 40, 96 }, 33, 0.05)]
    public void Sparse_matmul_matches_onnx_runtime(long[] aShape, int n, double density)
    {
        int k = (int)aShape[aShape.Length - 1];
        var random = new Random(k * 10 + n);
        var b = new ModelBuilder(13).Input("a", aShape).Initializer("w", SparseWeights(random, n * k, density), k, n)
            .Node("MatMul", new[] { "a", "w" }, new[] { "y" }).Output("y");
        AssertSparse(b, (long)n * k, (int)(aShape.Aggregate(1L, (x, y) => x * y) / k));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void A_scalar_bias_and_a_zero_beta_are_handled()
    {
        var random = new Random(3);
        var b = new ModelBuilder(13).Input("a", 40, 128).Initializer("w", SparseWeights(random, 128 * 32, 0.05), 128, 32)
            .Initializer("c", new[] { 0.25f }, 1)
            .Node("Gemm", new[] { "a", "w", "c" }, new[] { "y" }, ("beta", -2f)).Output("y");
        AssertSparse(b, 128 * 32, 40);
        OnnxAssert.MatchesOnnxRuntime(b);
        var z = new ModelBuilder(13).Input("a", 1, 128).Initializer("w", SparseWeights(random, 128 * 32, 0.05), 128, 32)
            .Input("c", 1, 32)
            .Node("Gemm", new[] { "a", "w", "c" }, new[] { "y" }, ("beta", 0f)).Output("y");
        AssertSparse(z, 128 * 32, 1);
        OnnxAssert.MatchesOnnxRuntime(z);
    }

    [Fact]
    public void Dense_weights_a_matrix_bias_transposed_a_and_8_rows_stay_on_the_dense_kernels()
    {
        var random = new Random(5);
        var dense = new ModelBuilder(13).Input("a", 40, 64).Initializer("w", SparseWeights(random, 64 * 32, 0.6), 64, 32)
            .Node("Gemm", new[] { "a", "w" }, new[] { "y" }).Output("y");
        var matrixC = new ModelBuilder(13).Input("a", 40, 64).Initializer("w", SparseWeights(random, 64 * 32, 0.05), 64, 32)
            .Initializer("c", TestData.Floats(random, 40 * 32), 40, 32)
            .Node("Gemm", new[] { "a", "w", "c" }, new[] { "y" }).Output("y");
        var transA = new ModelBuilder(13).Input("a", 64, 40).Initializer("w", SparseWeights(random, 64 * 32, 0.05), 64, 32)
            .Node("Gemm", new[] { "a", "w" }, new[] { "y" }, ("transA", 1)).Output("y");
        // 8 rows: too many for the blocked kernel, too few to pay for the transposes.
        var middle = new ModelBuilder(13).Input("a", 8, 64).Initializer("w", SparseWeights(random, 64 * 32, 0.05), 64, 32)
            .Node("Gemm", new[] { "a", "w" }, new[] { "y" }).Output("y");
        foreach (var b in new[] { dense, matrixC, transA, middle })
        {
            var result = OnnxAssert.Compile(b.ToBytes());
            Assert.DoesNotContain(result.Plan!.Steps.OfType<KernelCall>(), s => s.Kernel.StartsWith("Sparse", StringComparison.Ordinal));
            OnnxAssert.MatchesOnnxRuntime(b);
        }
    }

    [Fact]
    public void The_kernel_rejects_inconsistent_operands()
    {
        var values = new float[] { 1f, 2f };
        var indices = new ushort[] { 0, 5 };
        var starts = new[] { 0, 1, 2 };
        var a = new float[4];
        var y = new float[2];
        var scratch = new float[6];
        var e = Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.SparseMatMul(values, indices, starts, 2, 4, a, 1, default, y, default, scratch));
        Assert.Contains("index 5", e.Message);
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.SparseMatMul(values, new ushort[] { 0, 1 }, starts, 2, 4, a, 4, default, y, default, new float[24]));
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.SparseMatMul(values, new ushort[] { 0, 1 }, starts, 2, 4, a, 1, default, y, default, default));
        // The blocked layout: one group, starts [0, 1]: one vector needs 16 values and lanes and one window base in [0, max(k - 32, 0)].
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.SparseGemvBlocked(new float[8], new byte[16], new[] { 0 }, new[] { 0, 1 }, 2, 4, a, 1, default, y, default));
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.SparseGemvBlocked(new float[16], new byte[16], new[] { 0 }, new[] { 1, 0 }, 2, 4, a, 1, default, y, default));
        Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.SparseGemvBlocked(new float[16], new byte[16], Array.Empty<int>(), new[] { 0, 1 }, 2, 4, a, 1, default, y, default));
        e = Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.SparseGemvBlocked(new float[16], new byte[16], new[] { 1 }, new[] { 0, 1 }, 2, 4, a, 1, default, y, default));
        Assert.Contains("[0, 0]", e.Message);
        var longRow = new float[40];
        e = Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.SparseGemvBlocked(new float[16], new byte[16], new[] { -16 }, new[] { 0, 1 }, 2, 40, longRow, 1, default, y, default));
        Assert.Contains("[0, 8]", e.Message);
        ModelGen.Runtime.Kernels.SparseGemvBlocked(new float[16], new byte[16], new[] { 8 }, new[] { 0, 1 }, 2, 40, longRow, 1, default, y, default);
    }
}
