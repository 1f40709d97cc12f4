using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ops;
using ModelGen.Runtime;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Passes;

/// <summary>Conv/Gemm/MatMul + activation fused into the kernel epilogue, checked against ONNX Runtime.</summary>
[Trait("Category", "Ops")]
public class FusedActivationTests
{
    private static ModelBuilder ConvThen(Random random, string op, int group = 1, params (string, object)[] attributes)
    {
        int c = 6, m = group == 1 ? 10 : 6;
        return new ModelBuilder(13).Input("x", 1, c, 11, 13).Initializer("w", TestData.Floats(random, m * (c / group) * 9), m, c / group, 3, 3)
            .Initializer("b", TestData.Floats(random, m), m)
            .Node("Conv", new[] { "x", "w", "b" }, new[] { "c" }, ("pads", new[] { 1, 1, 1, 1 }), ("group", group))
            .Node(op, new[] { "c" }, new[] { "y" }, attributes).Output("y");
    }

    private static void AssertFused(ModelBuilder model, string producer, string activation)
    {
        OnnxAssert.MatchesOnnxRuntime(model);
        var node = Assert.Single(OnnxAssert.Compile(model.ToBytes()).Graph!.Nodes);
        Assert.Equal(producer, node.OpType);
        Assert.Equal(activation, node.FusedActivation?.Kind);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void Conv_relu_fuses(int group) => AssertFused(ConvThen(new Random(group), "Relu", group), "Conv", "Relu");

    [Fact]
    public void Pointwise_conv_relu_fuses()
    {
        var random = new Random(3);
        var model = new ModelBuilder(13).Input("x", 1, 16, 7, 9).Initializer("w", TestData.Floats(random, 24 * 16), 24, 16, 1, 1)
            .Node("Conv", new[] { "x", "w" }, new[] { "c" }).Node("Relu", new[] { "c" }, new[] { "y" }).Output("y");
        AssertFused(model, "Conv", "Relu");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gemm_relu_fuses(bool constantB)
    {
        var random = new Random(constantB ? 1 : 2);
        var builder = new ModelBuilder(13).Input("a", 9, 20);
        if (constantB) builder.Initializer("b", TestData.Floats(random, 20 * 35), 20, 35);
        else builder.Input("b", 20, 35);
        builder.Initializer("c", TestData.Floats(random, 35), 35)
            .Node("Gemm", new[] { "a", "b", "c" }, new[] { "g" }).Node("Relu", new[] { "g" }, new[] { "y" }).Output("y");
        AssertFused(builder, "Gemm", "Relu");
    }

    [Fact]
    public void Matmul_relu_fuses()
    {
        var random = new Random(4);
        var model = new ModelBuilder(13).Input("a", 2, 5, 20).Initializer("b", TestData.Floats(random, 20 * 17), 20, 17)
            .Node("MatMul", new[] { "a", "b" }, new[] { "g" }).Node("Relu", new[] { "g" }, new[] { "y" }).Output("y");
        AssertFused(model, "MatMul", "Relu");
    }

    [Fact]
    public void Activation_is_not_fused_when_the_product_has_another_reader()
    {
        var random = new Random(6);
        var model = new ModelBuilder(13).Input("a", 4, 8).Initializer("b", TestData.Floats(random, 8 * 8), 8, 8)
            .Node("MatMul", new[] { "a", "b" }, new[] { "g" }).Node("Relu", new[] { "g" }, new[] { "r" })
            .Node("Add", new[] { "g", "r" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
        var graph = OnnxAssert.Compile(model.ToBytes()).Graph!;
        Assert.Contains(graph.Nodes, n => n.OpType == "Relu");
        Assert.All(graph.Nodes, n => Assert.Null(n.FusedActivation));
    }

    // The activations below are separate ops from the elementwise branch; these tests run once it is merged.

    [Fact]
    public void Conv_leaky_relu_fuses() => AssertFused(ConvThen(new Random(7), "LeakyRelu", 1, ("alpha", 0.2f)), "Conv", "LeakyRelu");

    [Fact]
    public void Conv_relu6_clip_fuses()
    {
        var random = new Random(8);
        var model = new ModelBuilder(13).Input("x", 1, 6, 11, 13).Initializer("w", TestData.Floats(random, 6 * 9, 3f), 6, 1, 3, 3)
            .Initializer("lo", new[] { 0f }).Initializer("hi", new[] { 0.5f })
            .Node("Conv", new[] { "x", "w" }, new[] { "c" }, ("pads", new[] { 1, 1, 1, 1 }), ("group", 6))
            .Node("Clip", new[] { "c", "lo", "hi" }, new[] { "y" }).Output("y");
        AssertFused(model, "Conv", "Clip");
    }

    [Fact]
    public void Gemm_clip_with_attributes_fuses_before_opset_11()
    {
        var random = new Random(9);
        var model = new ModelBuilder(10).Input("a", 5, 12).Initializer("b", TestData.Floats(random, 12 * 20, 2f), 12, 20)
            .Initializer("c", TestData.Floats(random, 20), 20)
            .Node("Gemm", new[] { "a", "b", "c" }, new[] { "g" }).Node("Clip", new[] { "g" }, new[] { "y" }, ("min", -0.5f), ("max", 0.75f)).Output("y");
        AssertFused(model, "Gemm", "Clip");
    }

    [Fact]
    public void Conv_sigmoid_fuses() => AssertFused(ConvThen(new Random(10), "Sigmoid"), "Conv", "Sigmoid");

    [Fact]
    public void Depthwise_conv_tanh_fuses() => AssertFused(ConvThen(new Random(11), "Tanh", 6), "Conv", "Tanh");

    [Fact]
    public void Conv_hard_sigmoid_fuses() => AssertFused(ConvThen(new Random(12), "HardSigmoid", 1, ("alpha", 0.3f), ("beta", 0.4f)), "Conv", "HardSigmoid");

    [Fact]
    public void Matmul_hard_swish_fuses()
    {
        var random = new Random(13);
        var model = new ModelBuilder(14).Input("a", 7, 30).Initializer("b", TestData.Floats(random, 30 * 40, 2f), 30, 40)
            .Node("MatMul", new[] { "a", "b" }, new[] { "g" }).Node("HardSwish", new[] { "g" }, new[] { "y" }).Output("y");
        AssertFused(model, "MatMul", "HardSwish");
    }

    // The epilogue math itself, for every kind, without the activation ops: the kernel against a scalar reference.

    public static TheoryData<ActivationKind, float, float> Kinds => new()
    {
        { ActivationKind.None, 0f, 0f }, { ActivationKind.Relu, 0f, 0f }, { ActivationKind.LeakyRelu, 0.1f, 0f },
        { ActivationKind.Clip, -0.25f, 0.5f }, { ActivationKind.Sigmoid, 0f, 0f }, { ActivationKind.HardSigmoid, 0.2f, 0.5f },
        { ActivationKind.HardSwish, 0f, 0f }, { ActivationKind.Tanh, 0f, 0f },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Gemm_kernel_epilogue_applies_every_activation(ActivationKind kind, float alpha, float beta)
    {
        var random = new Random((int)kind);
        foreach (var (m, n, k) in new[] { (8, 32, 5), (7, 45, 13), (1, 3, 2), (19, 64, 40) })
        {
            var a = TestData.Floats(random, m * k, 2f); var b = TestData.Floats(random, k * n, 2f);
            var rowBias = TestData.Floats(random, m); var colBias = TestData.Floats(random, n);
            var activation = new FusedActivation(kind, alpha, beta);
            var packed = new float[Kernels.PackedBLength(k, n)];
            Kernels.PackB(b, k, n, packed);
            var y = new float[m * n];
            Kernels.GemmPackedB(a, k, packed, y, n, m, n, k, rowBias, colBias, 0.5f, false, activation);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                    double v = 0.5 * s + rowBias[i] + colBias[j];
                    double expected = kind switch
                    {
                        ActivationKind.Relu => Math.Max(v, 0),
                        ActivationKind.LeakyRelu => v >= 0 ? v : alpha * v,
                        ActivationKind.Clip => Math.Min(Math.Max(v, alpha), beta),
                        ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-v)),
                        ActivationKind.HardSigmoid => Math.Max(0, Math.Min(1, alpha * v + beta)),
                        ActivationKind.HardSwish => v * Math.Max(0, Math.Min(1, v / 6 + 0.5)),
                        ActivationKind.Tanh => Math.Tanh(v),
                        _ => v,
                    };
                    Assert.True(Math.Abs(y[i * n + j] - expected) <= 1e-4 + 1e-4 * Math.Abs(expected), $"{kind} [{m}x{n}x{k}] ({i},{j}): {y[i * n + j]} vs {expected}");
                }
        }
    }
}
