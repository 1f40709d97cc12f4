using System;
using System.Linq;
using System.Collections.Generic;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// Dynamically quantized layers as ONNX Runtime's quantize_dynamic writes them: DynamicQuantizeLinear on the activation,
/// MatMulInteger or ConvInteger with constant 8-bit weights and zero points, Cast to float, Mul by the product of the two
/// scales, Add of the float bias. Both engines compute the same integers, so the float outputs agree to rounding.
/// </summary>
[Trait("Category", "Ops")]
public class DynamicQuantizationPatternTests
{
    /// <summary>
    /// int8 weights with zero point 0, and uint8 weights with zero point 128 (the same int8 weight shifted), run on the
    /// uint8 × int8 quad kernel, the chain fused into one step (FuseDynamicQuantization); uint8 weights with another zero
    /// point on the widening kernel, unfused.
    /// </summary>
    [Theory]
    [InlineData(false, 0, "DynamicMatMulU8S8")]
    [InlineData(true, 131, "MatMulInteger")]
    [InlineData(true, 128, "DynamicMatMulU8S8")]
    public void Dynamically_quantized_matmul_matches_onnx_runtime(bool unsignedWeights, int zeroPoint, string kernel)
    {
        var random = new Random(21);
        int m = 5, k = 70, n = 33;
        var b = new ModelBuilder(13).Input("x", m, k);
        if (unsignedWeights)
            b.Initializer("w", Enumerable.Range(0, k * n).Select(_ => (byte)random.Next(0, 256)).ToArray(), k, n).Initializer("w_z", new[] { (byte)zeroPoint });
        else
            b.Initializer("w", Enumerable.Range(0, k * n).Select(_ => (sbyte)random.Next(-127, 128)).ToArray(), k, n).Initializer("w_z", new[] { (sbyte)0 });
        b.Initializer("w_s", new[] { 0.0037f })
         .Initializer("bias", TestData.Floats(random, n), n)
         .Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "xq", "xs", "xz" })
         .Node("MatMulInteger", new[] { "xq", "w", "xz", "w_z" }, new[] { "acc" })
         .Node("Cast", new[] { "acc" }, new[] { "accf" }, ("to", (int)TensorProto.Types.DataType.Float))
         .Node("Mul", new[] { "xs", "w_s" }, new[] { "scale" })
         .Node("Mul", new[] { "accf", "scale" }, new[] { "prod" })
         .Node("Add", new[] { "prod", "bias" }, new[] { "y" })
         .Output("y");
        OnnxAssert.MatchesOnnxRuntime(b, absTolerance: 1e-5, relTolerance: 1e-5);
        Assert.Contains(kernel, Kernels(b));
    }

    /// <summary>ONNX Runtime's ConvInteger takes only uint8 weights: with zero point 128 they run on the int8 quad kernel.</summary>
    [Theory]
    [InlineData(128, "DynamicConvU8S8")]
    [InlineData(120, "ConvInteger")]
    public void Dynamically_quantized_convolution_matches_onnx_runtime(int zeroPoint, string kernel)
    {
        var random = new Random(22);
        int c = 6, m = 10, h = 9;
        var b = new ModelBuilder(13).Input("x", 1, c, h, h)
            .Initializer("w", Enumerable.Range(0, m * c * 9).Select(_ => (byte)random.Next(0, 256)).ToArray(), m, c, 3, 3)
            .Initializer("w_z", new[] { (byte)zeroPoint })
            .Initializer("w_s", new[] { 0.0021f })
            .Initializer("bias", TestData.Floats(random, m), 1, m, 1, 1)
            .Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "xq", "xs", "xz" })
            .Node("ConvInteger", new[] { "xq", "w", "xz", "w_z" }, new[] { "acc" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Cast", new[] { "acc" }, new[] { "accf" }, ("to", (int)TensorProto.Types.DataType.Float))
            .Node("Mul", new[] { "xs", "w_s" }, new[] { "scale" })
            .Node("Mul", new[] { "accf", "scale" }, new[] { "prod" })
            .Node("Add", new[] { "prod", "bias" }, new[] { "y" })
            .Output("y");
        OnnxAssert.MatchesOnnxRuntime(b, absTolerance: 1e-5, relTolerance: 1e-5);
        Assert.Contains(kernel, Kernels(b));
    }

    private static List<string> Kernels(ModelBuilder b)
    {
        var result = OnnxAssert.Compile(b.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Plan!.Steps.Select(s => s switch { KernelCall k => k.Kernel, RepeatedCall r => r.Body.Kernel, _ => s.GetType().Name }).ToList();
    }
}
