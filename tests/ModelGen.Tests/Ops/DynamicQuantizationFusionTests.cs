using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// FuseDynamicQuantization: DynamicQuantizeLinear → ConvInteger/MatMulInteger → Cast → Mul(Mul(x_scale, w_scale)) [→ Add(bias)]
/// [→ Relu/Clip] as one step (Kernels.DynamicConvU8S8 / DynamicMatMulU8S8). The epilogue computes the chain's float
/// operations in the chain's order, so the outputs equal ONNX Runtime's on the same file with tolerance 0.
/// </summary>
[Trait("Category", "Ops")]
public class DynamicQuantizationFusionTests
{
    private static ModelBuilder Activation(ModelBuilder b, string activation, string input, string output)
    {
        if (activation == "Relu") return b.Node("Relu", new[] { input }, new[] { output });
        return b.Initializer("lo", new[] { 0f }).Initializer("hi", new[] { 6f }).Node("Clip", new[] { input, "lo", "hi" }, new[] { output });
    }

    /// <summary>The rescale chain after an integer op writing "acc"; ends in "y".</summary>
    private static void Rescale(ModelBuilder b, bool swapped, bool bias, string activation)
    {
        b.Node("Cast", new[] { "acc" }, new[] { "accf" }, ("to", (int)TensorProto.Types.DataType.Float))
         .Node("Mul", swapped ? new[] { "w_s", "xs" } : new[] { "xs", "w_s" }, new[] { "scale" })
         .Node("Mul", swapped ? new[] { "scale", "accf" } : new[] { "accf", "scale" }, new[] { "prod" });
        string last = "prod";
        if (bias)
        {
            b.Node("Add", swapped ? new[] { "bias", "prod" } : new[] { "prod", "bias" }, new[] { "biased" });
            last = "biased";
        }
        if (activation.Length > 0) Activation(b, activation, last, "y");
        else b.Node("Identity", new[] { last }, new[] { "y" });
    }

    [Theory]
    [InlineData(false, false, false, "")]
    [InlineData(true, true, false, "")]
    [InlineData(true, true, false, "Relu")]
    [InlineData(false, true, true, "Clip")]
    [InlineData(true, false, true, "Relu")]
    [InlineData(true, true, true, "Clip")]
    public void Convolution_chain_is_one_step_equal_to_onnx_runtime(bool perChannel, bool bias, bool swapped, string activation)
    {
        var random = new Random(31);
        int c = 8, m = 12, h = 11;
        var b = new ModelBuilder(13).Input("x", 1, c, h, h)
            .Initializer("w", Enumerable.Range(0, m * c * 9).Select(_ => (byte)random.Next(1, 256)).ToArray(), m, c, 3, 3)
            .Initializer("w_z", new[] { (byte)128 });
        if (perChannel) b.Initializer("w_s", Enumerable.Range(0, m).Select(i => 0.001f + 0.0003f * i).ToArray(), m, 1, 1);
        else b.Initializer("w_s", new[] { 0.0021f });
        if (bias) b.Initializer("bias", TestData.Floats(random, m), 1, m, 1, 1);
        b.Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "xq", "xs", "xz" })
         .Node("ConvInteger", new[] { "xq", "w", "xz", "w_z" }, new[] { "acc" }, ("pads", new[] { 1, 1, 1, 1 }), ("strides", new[] { 2, 2 }));
        Rescale(b, swapped, bias, activation);
        b.Output("y");
        OnnxAssert.MatchesOnnxRuntime(b, absTolerance: 0, relTolerance: 0);
        Assert.Equal(new[] { "DynamicConvU8S8" }, Kernels(b).Where(k => k != "CopyCall").ToArray());
    }

    [Theory]
    [InlineData(false, false, false, "")]
    [InlineData(true, true, false, "")]
    [InlineData(true, true, true, "Relu")]
    [InlineData(false, true, false, "Clip")]
    public void Matrix_chain_is_one_step_equal_to_onnx_runtime(bool perColumn, bool bias, bool swapped, string activation)
    {
        var random = new Random(32);
        int rows = 3, k = 70, n = 37;
        var b = new ModelBuilder(13).Input("x", rows, k)
            .Initializer("w", Enumerable.Range(0, k * n).Select(_ => (sbyte)random.Next(-127, 128)).ToArray(), k, n)
            .Initializer("w_z", new[] { (sbyte)0 });
        if (perColumn) b.Initializer("w_s", Enumerable.Range(0, n).Select(i => 0.002f + 0.0001f * i).ToArray(), n);
        else b.Initializer("w_s", new[] { 0.0037f });
        if (bias) b.Initializer("bias", TestData.Floats(random, n), n);
        b.Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "xq", "xs", "xz" })
         .Node("MatMulInteger", new[] { "xq", "w", "xz", "w_z" }, new[] { "acc" });
        Rescale(b, swapped, bias, activation);
        b.Output("y");
        OnnxAssert.MatchesOnnxRuntime(b, absTolerance: 0, relTolerance: 0);
        Assert.Equal(new[] { "DynamicMatMulU8S8" }, Kernels(b).Where(k => k != "CopyCall").ToArray());
    }

    /// <summary>A larger pointwise layer, batch 2 (768 KiB of output an image): every vector width and the epilogue per image.</summary>
    [Fact]
    public void Large_pointwise_convolution_equals_onnx_runtime()
    {
        var random = new Random(35);
        int c = 8, m = 48, h = 64;
        var b = new ModelBuilder(13).Input("x", 2, c, h, h)
            .Initializer("w", Enumerable.Range(0, m * c).Select(_ => (byte)random.Next(1, 256)).ToArray(), m, c, 1, 1)
            .Initializer("w_z", new[] { (byte)128 })
            .Initializer("w_s", Enumerable.Range(0, m).Select(i => 0.001f + 0.0001f * i).ToArray(), m, 1, 1)
            .Initializer("bias", TestData.Floats(random, m), m, 1, 1)
            .Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "xq", "xs", "xz" })
            .Node("ConvInteger", new[] { "xq", "w", "xz", "w_z" }, new[] { "acc" });
        Rescale(b, swapped: false, bias: true, activation: "Clip");
        b.Output("y");
        OnnxAssert.MatchesOnnxRuntime(b, absTolerance: 0, relTolerance: 0);
        Assert.Equal(new[] { "DynamicConvU8S8" }, Kernels(b).Where(k => k != "CopyCall").ToArray());
    }

    /// <summary>Two layers reading one DynamicQuantizeLinear: it runs once, both layers fuse the rest.</summary>
    [Fact]
    public void Shared_quantized_input_is_quantized_once()
    {
        var random = new Random(33);
        int c = 6, m = 10, h = 9;
        var b = new ModelBuilder(13).Input("x", 1, c, h, h)
            .Initializer("w", Enumerable.Range(0, m * c).Select(_ => (byte)random.Next(0, 256)).ToArray(), m, c, 1, 1)
            .Initializer("v", Enumerable.Range(0, m * c * 9).Select(_ => (byte)random.Next(0, 256)).ToArray(), m, c, 3, 3)
            .Initializer("w_z", new[] { (byte)128 })
            .Initializer("w_s", Enumerable.Range(0, m).Select(i => 0.001f + 0.0002f * i).ToArray(), m, 1, 1)
            .Initializer("v_s", new[] { 0.003f })
            .Initializer("bias", TestData.Floats(random, m), m, 1, 1)
            .Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "xq", "xs", "xz" })
            .Node("ConvInteger", new[] { "xq", "w", "xz", "w_z" }, new[] { "acc1" })
            .Node("Cast", new[] { "acc1" }, new[] { "f1" }, ("to", (int)TensorProto.Types.DataType.Float))
            .Node("Mul", new[] { "xs", "w_s" }, new[] { "s1" })
            .Node("Mul", new[] { "f1", "s1" }, new[] { "p1" })
            .Node("Add", new[] { "p1", "bias" }, new[] { "y1" })
            .Node("ConvInteger", new[] { "xq", "v", "xz", "w_z" }, new[] { "acc2" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Cast", new[] { "acc2" }, new[] { "f2" }, ("to", (int)TensorProto.Types.DataType.Float))
            .Node("Mul", new[] { "v_s", "xs" }, new[] { "s2" })
            .Node("Mul", new[] { "s2", "f2" }, new[] { "p2" })
            .Node("Relu", new[] { "p2" }, new[] { "y2" })
            .Output("y1").Output("y2");
        OnnxAssert.MatchesOnnxRuntime(b, absTolerance: 0, relTolerance: 0);
        var kernels = Kernels(b).Where(k => k != "CopyCall").ToList();
        Assert.Equal(new[] { "DynamicQuantizeLinear", "DynamicConvU8S8", "DynamicConvU8S8" }, kernels);
    }

    /// <summary>Two matrix products reading one DynamicQuantizeLinear (3-D activations: batches folded into rows).</summary>
    [Fact]
    public void Shared_quantized_input_of_matrix_products_is_quantized_once()
    {
        var random = new Random(36);
        int k = 24, n1 = 19, n2 = 5;
        var b = new ModelBuilder(13).Input("x", 2, 3, k)
            .Initializer("w1", Enumerable.Range(0, k * n1).Select(_ => (sbyte)random.Next(-127, 128)).ToArray(), k, n1)
            .Initializer("w2", Enumerable.Range(0, k * n2).Select(_ => (sbyte)random.Next(-127, 128)).ToArray(), k, n2)
            .Initializer("w_z", new[] { (sbyte)0 })
            .Initializer("s1", Enumerable.Range(0, n1).Select(i => 0.002f + 0.0003f * i).ToArray(), n1)
            .Initializer("s2", new[] { 0.0041f })
            .Initializer("bias", TestData.Floats(random, n1), n1)
            .Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "xq", "xs", "xz" })
            .Node("MatMulInteger", new[] { "xq", "w1", "xz", "w_z" }, new[] { "acc1" })
            .Node("Cast", new[] { "acc1" }, new[] { "f1" }, ("to", (int)TensorProto.Types.DataType.Float))
            .Node("Mul", new[] { "xs", "s1" }, new[] { "p1s" })
            .Node("Mul", new[] { "f1", "p1s" }, new[] { "p1" })
            .Node("Add", new[] { "p1", "bias" }, new[] { "y1" })
            .Node("MatMulInteger", new[] { "xq", "w2", "xz", "w_z" }, new[] { "acc2" })
            .Node("Cast", new[] { "acc2" }, new[] { "f2" }, ("to", (int)TensorProto.Types.DataType.Float))
            .Node("Mul", new[] { "s2", "xs" }, new[] { "p2s" })
            .Node("Mul", new[] { "p2s", "f2" }, new[] { "y2" })
            .Output("y1").Output("y2");
        OnnxAssert.MatchesOnnxRuntime(b, absTolerance: 0, relTolerance: 0);
        Assert.Equal(new[] { "DynamicQuantizeLinear", "DynamicMatMulU8S8", "DynamicMatMulU8S8" }, Kernels(b).Where(k => k != "CopyCall").ToArray());
    }

    /// <summary>A bias that broadcasts along a spatial axis is not per channel: the Add stays a step of its own.</summary>
    [Fact]
    public void Bias_along_another_axis_is_not_fused()
    {
        var random = new Random(34);
        int c = 4, m = 5, h = 7;
        var b = new ModelBuilder(13).Input("x", 1, c, h, h)
            .Initializer("w", Enumerable.Range(0, m * c).Select(_ => (byte)random.Next(0, 256)).ToArray(), m, c, 1, 1)
            .Initializer("w_z", new[] { (byte)128 })
            .Initializer("w_s", new[] { 0.002f })
            .Initializer("bias", TestData.Floats(random, h), h)
            .Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "xq", "xs", "xz" })
            .Node("ConvInteger", new[] { "xq", "w", "xz", "w_z" }, new[] { "acc" })
            .Node("Cast", new[] { "acc" }, new[] { "accf" }, ("to", (int)TensorProto.Types.DataType.Float))
            .Node("Mul", new[] { "xs", "w_s" }, new[] { "scale" })
            .Node("Mul", new[] { "accf", "scale" }, new[] { "prod" })
            .Node("Add", new[] { "prod", "bias" }, new[] { "y" })
            .Output("y");
        OnnxAssert.MatchesOnnxRuntime(b, absTolerance: 0, relTolerance: 0);
        var kernels = Kernels(b);
        Assert.Contains("DynamicConvU8S8", kernels);
        Assert.True(kernels.Count >= 2, string.Join(", ", kernels));
    }

    private static List<string> Kernels(ModelBuilder b)
    {
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Plan!.Steps.Select(s => s switch { KernelCall k => k.Kernel, RepeatedCall r => r.Body.Kernel, _ => s.GetType().Name }).ToList();
    }
}
