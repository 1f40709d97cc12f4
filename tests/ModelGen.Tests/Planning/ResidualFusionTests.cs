using System;
using System.Linq;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Configuration;
using ModelGen.Ir;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Planning;

/// <summary>
/// A residual Add (and the activation after it) merged into the convolution before it: on every convolution kernel the
/// fused graph gives the bits of the unfused one, matches ONNX Runtime, and the cases that must not fuse do not.
/// </summary>
[Trait("Category", "Ops")]
public class ResidualFusionTests
{
    private static readonly ModelOptions Options = ModelOptions.Default("ResidualModel", "ModelGen.Tests.Generated");

    /// <summary>x → Conv(k, stride, group) → Add(·, r) → activation, where r is x itself or a 1×1 projection of x.</summary>
    private static ModelBuilder Block(int seed, int c, int h, int w, int m, int k, int stride, int group, string? activation, bool residualFirst)
    {
        var random = new Random(seed);
        int pad = k / 2, oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        var b = new ModelBuilder(13).Input("x", 1, c, h, w)
            .Initializer("w", TestData.Floats(random, m * c / group * k * k, (float)Math.Sqrt(2.0 / (c / group * k * k))), m, c / group, k, k)
            .Initializer("b", TestData.Floats(random, m, 0.1f), m)
            .Node("Conv", new[] { "x", "w", "b" }, new[] { "y0" }, ("pads", new[] { pad, pad, pad, pad }), ("strides", new[] { stride, stride }), ("group", group));
        string r = "x";
        if (m != c || stride != 1)
        {
            b.Initializer("pw", TestData.Floats(random, m * c, 0.3f), m, c, 1, 1)
             .Node("Conv", new[] { "x", "pw" }, new[] { "proj" }, ("strides", new[] { stride, stride }));
            r = "proj";
            Assert.Equal((h - 1) / stride + 1, oh);
            Assert.Equal((w - 1) / stride + 1, ow);
        }
        b.Node("Add", residualFirst ? new[] { r, "y0" } : new[] { "y0", r }, new[] { activation is null ? "y" : "s" });
        if (activation is not null) b.Node(activation, new[] { "s" }, new[] { "y" });
        return b.Output("y");
    }

    private static CompileResult Compile(ModelBuilder b, bool passes = true)
    {
        var result = passes
            ? ModelCompiler.Compile(b.ToBytes(), "test.onnx", Options)
            : ModelCompiler.Compile(b.ToBytes(), "test.onnx", Options, passes: Array.Empty<Action<Graph>>());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result;
    }

    private static float[] Run(CompileResult r, float[] input, int outputLength)
    {
        var model = InMemoryModel.Load(r, Options);
        var output = new float[outputLength];
        model.Run(new Array[] { input }, new Array[] { output });
        return output;
    }

    /// <summary>Shapes that take each convolution kernel: pointwise, im2col (strided), implicit GEMM, Winograd, pixel rows, grouped.</summary>
    [Theory]
    [InlineData(16, 9, 11, 16, 1, 1, 1, "Relu", "Conv")]
    [InlineData(8, 12, 12, 16, 3, 2, 1, "Relu", "Conv")]
    [InlineData(6, 10, 13, 6, 3, 1, 1, null, "Conv")]
    [InlineData(40, 12, 13, 40, 3, 1, 1, "Relu", "ConvWinograd")]
    [InlineData(64, 7, 7, 256, 1, 1, 1, "Sigmoid", "ConvPixelRows")]
    [InlineData(12, 8, 8, 12, 3, 1, 3, "LeakyRelu", "Conv")]
    public void Fused_residual_gives_the_unfused_bits_on_every_conv_kernel(int c, int h, int w, int m, int k, int stride, int group, string? activation, string kernel)
    {
        foreach (bool residualFirst in new[] { false, true })
        {
            var b = Block(c * 10 + k, c, h, w, m, k, stride, group, activation, residualFirst);
            var fused = Compile(b);
            var unfused = Compile(b, passes: false);
            var step = fused.Plan!.Steps.OfType<KernelCall>().Single(s => s.Origin.OpTypes.Contains("Add"));
            Assert.Equal(kernel, step.Kernel);
            Assert.Contains(step.Arguments, a => a.Name == "residual");
            Assert.Equal(activation is null ? new[] { "Conv", "Add" } : new[] { "Conv", "Add", activation }, step.Origin.OpTypes);
            Assert.DoesNotContain(fused.Plan.Steps, s => s.Origin.OpTypes.First() == "Add");

            var input = TestData.Floats(new Random(c + h), c * h * w, 1.5f);
            int outputLength = m * ((h - 1) / stride + 1) * ((w - 1) / stride + 1);
            var a = Run(fused, input, outputLength);
            var u = Run(unfused, input, outputLength);
            for (int i = 0; i < a.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(u[i]), $"element {i}: fused {a[i]:R}, unfused {u[i]:R}");
            OnnxAssert.MatchesOnnxRuntime(b);
        }
    }

    [Fact]
    public void Add_of_two_convolutions_fuses_into_the_later_one()
    {
        var random = new Random(5);
        var b = new ModelBuilder(13).Input("x", 1, 4, 8, 8)
            .Initializer("w1", TestData.Floats(random, 6 * 4 * 9, 0.3f), 6, 4, 3, 3)
            .Initializer("w2", TestData.Floats(random, 6 * 4, 0.3f), 6, 4, 1, 1)
            .Node("Conv", new[] { "x", "w1" }, new[] { "a" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Conv", new[] { "x", "w2" }, new[] { "c" })
            .Node("Add", new[] { "a", "c" }, new[] { "s" })
            .Node("Relu", new[] { "s" }, new[] { "y" })
            .Output("y");
        var plan = Compile(b).Plan!;
        Assert.Equal(2, plan.Steps.Count(s => s.Origin.OpTypes.First() == "Conv"));
        Assert.Single(plan.Steps, s => s.Origin.OpTypes.SequenceEqual(new[] { "Conv", "Add", "Relu" }));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void Broadcast_adds_shared_conv_outputs_and_depthwise_convolutions_do_not_fuse()
    {
        var random = new Random(6);
        var b = new ModelBuilder(13).Input("x", 1, 4, 6, 6)
            .Initializer("w", TestData.Floats(random, 4 * 4 * 9, 0.3f), 4, 4, 3, 3)
            .Initializer("dw", TestData.Floats(random, 4 * 9, 0.3f), 4, 1, 3, 3)
            .Initializer("bias", TestData.Floats(random, 4, 1f), 1, 4, 1, 1)
            // A broadcast Add (per-channel bias) is no residual.
            .Node("Conv", new[] { "x", "w" }, new[] { "a" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Add", new[] { "a", "bias" }, new[] { "s1" })
            // A conv output read twice stays materialized.
            .Node("Conv", new[] { "s1", "w" }, new[] { "c" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Add", new[] { "c", "s1" }, new[] { "s2" })
            .Node("Mul", new[] { "c", "s2" }, new[] { "s3" })
            // A depthwise convolution has no residual epilogue.
            .Node("Conv", new[] { "s3", "dw" }, new[] { "d" }, ("pads", new[] { 1, 1, 1, 1 }), ("group", 4))
            .Node("Add", new[] { "d", "s3" }, new[] { "y" })
            .Output("y");
        var plan = Compile(b).Plan!;
        Assert.Equal(3, plan.Steps.Count(s => s.Origin.OpTypes.SequenceEqual(new[] { "Add" })));
        Assert.DoesNotContain(plan.Steps, s => s.Origin.OpTypes.Count > 1);
        OnnxAssert.MatchesOnnxRuntime(b);
    }
}
