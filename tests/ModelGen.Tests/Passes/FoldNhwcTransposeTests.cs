using System;
using System.Linq;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Configuration;
using ModelGen.Ir;
using ModelGen.Passes;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Passes;

/// <summary>
/// An NHWC input's Transpose(perm = [0, 3, 1, 2]) folded into the Conv that reads it (the Conv gathers its im2col matrix
/// from the channels-last tensor): the plan has no Transpose step, outputs match ONNX Runtime, and where the Conv takes
/// the im2col path either way, the unfolded graph bit for bit. Cases that must not fold keep the Transpose step.
/// </summary>
[Trait("Category", "Ops")]
public class FoldNhwcTransposeTests
{
    private static readonly ModelOptions Options = ModelOptions.Default("NhwcModel", "ModelGen.Tests.Generated");

    /// <summary>x [batch, h, w, c] → Transpose → (Pad) → Conv (c → m, k×k) → (Relu) → y.</summary>
    private static ModelBuilder Model(int seed, int batch, int h, int w, int c, int m, int k, int stride, int[] pads, int dilation = 1,
        int[]? pad = null, bool relu = true, long[]? perm = null, int group = 1)
    {
        var random = new Random(seed);
        var b = new ModelBuilder(13).Input("x", batch, h, w, c)
            .Node("Transpose", new[] { "x" }, new[] { "t" }, ("perm", perm ?? new long[] { 0, 3, 1, 2 }));
        string convInput = "t";
        if (pad is not null)
        {
            b.Initializer("pads", new long[] { 0, 0, pad[0], pad[1], 0, 0, pad[2], pad[3] }, 8).Node("Pad", new[] { "t", "pads" }, new[] { "p" });
            convInput = "p";
        }
        b.Initializer("w", TestData.Floats(random, m * (c / group) * k * k, (float)Math.Sqrt(2.0 / (c / group * k * k))), m, c / group, k, k)
         .Initializer("b", TestData.Floats(random, m, 0.1f), m)
         .Node("Conv", new[] { convInput, "w", "b" }, new[] { relu ? "c" : "y" }, ("pads", pads), ("strides", new[] { stride, stride }),
             ("dilations", new[] { dilation, dilation }), ("group", group));
        if (relu) b.Node("Relu", new[] { "c" }, new[] { "y" });
        return b.Output("y");
    }

    private static ExecutionPlan PlanOf(ModelBuilder b, System.Collections.Generic.IReadOnlyList<Action<Graph>>? passes = null)
    {
        var result = ModelCompiler.Compile(b.ToBytes(), "test.onnx", Options, passes: passes);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Plan!;
    }

    private static bool HasTransposeStep(ExecutionPlan plan) => plan.Steps.Any(s => s.Origin.OpTypes.First() == "Transpose");

    private static void AssertFolded(ModelBuilder b, params string[] origin)
    {
        var plan = PlanOf(b);
        Assert.False(HasTransposeStep(plan));
        var conv = Assert.Single(plan.Steps, s => s.Origin.OpTypes.First() == "Conv");
        Assert.Equal(origin, conv.Origin.OpTypes.ToArray());
        var call = Assert.IsType<KernelCall>(conv);
        Assert.Equal("Conv", call.Kernel); // im2col, whatever the geometry would otherwise choose
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Theory]
    // channels, height, width, output channels, kernel, stride, pads (top, left, bottom, right), dilation
    [InlineData(3, 17, 19, 8, 5, 2, new[] { 1, 1, 2, 2 }, 1)]     // BlazeFace's stem: 8×8 (AVX) / 4×4 (SSE) transposes inside the image
    [InlineData(3, 70, 90, 16, 5, 2, new[] { 2, 2, 2, 2 }, 1)]    // several im2col chunks, cut inside output rows
    [InlineData(1, 9, 11, 5, 3, 1, new[] { 1, 1, 1, 1 }, 1)]      // 3 values per kernel row: scalar; stride 1 would be implicit
    [InlineData(1, 8, 8, 1, 3, 1, new[] { 1, 1, 1, 1 }, 1)]       // one channel, one output channel: would be depthwise
    [InlineData(4, 12, 12, 6, 3, 1, new[] { 1, 1, 1, 1 }, 1)]     // 12 values per kernel row: one overlapping group of 8
    [InlineData(4, 10, 14, 6, 2, 2, new[] { 0, 0, 0, 0 }, 1)]     // 8 values: exactly one group
    [InlineData(4, 10, 13, 12, 1, 1, new[] { 0, 0, 0, 0 }, 1)]    // pointwise
    [InlineData(8, 10, 13, 12, 1, 2, new[] { 0, 0, 0, 0 }, 1)]    // pointwise, strided
    [InlineData(8, 15, 15, 10, 3, 2, new[] { 1, 2, 0, 1 }, 2)]    // dilated: scalar gathers
    [InlineData(8, 21, 23, 16, 3, 3, new[] { 1, 1, 1, 1 }, 1)]    // stride 3
    [InlineData(3, 6, 5, 4, 7, 2, new[] { 3, 3, 3, 3 }, 1)]       // kernel wider than the image: no pixel has every column inside
    public void Transpose_folds_into_the_convolution(int c, int h, int w, int m, int k, int stride, int[] pads, int dilation)
    {
        AssertFolded(Model(c * 100 + h, 2, h, w, c, m, k, stride, pads, dilation), "Conv", "Transpose", "Relu");
    }

    [Theory]
    [InlineData(3, 1, 2)]
    [InlineData(8, 2, 1)]
    public void Transpose_and_Pad_fold_into_the_convolution(int c, int stride, int k)
    {
        var b = Model(c, 2, 32, 24, c, 8, 2 * k + 1, stride, new[] { 0, 0, 0, 0 }, pad: new[] { 1, 1, 2, 2 });
        AssertFolded(b, "Conv", "Transpose", "Pad", "Relu");
    }

    [Fact]
    public void Folded_and_unfolded_strided_convolutions_give_the_same_bits()
    {
        // Both run im2col with the same matrix (only its gathering differs), so the products are identical.
        var b = Model(5, 2, 33, 31, 3, 12, 5, 2, new[] { 1, 1, 2, 2 });
        var bytes = b.ToBytes();
        var folded = ModelCompiler.Compile(bytes, "test.onnx", Options);
        var unfolded = ModelCompiler.Compile(bytes, "test.onnx", Options, passes: Pipeline.Default.Where(p => p != (Action<Graph>)FoldNhwcTranspose.Run).ToList());
        Assert.True(folded.Success && unfolded.Success, string.Join("; ", folded.Diagnostics.Concat(unfolded.Diagnostics)));
        Assert.False(HasTransposeStep(folded.Plan!));
        Assert.True(HasTransposeStep(unfolded.Plan!));

        var input = TestData.Floats(new Random(6), 2 * 33 * 31 * 3, 2f);
        float[] Run(CompileResult r)
        {
            var model = InMemoryModel.Load(r, Options);
            var output = new float[2 * 12 * 16 * 15];
            model.Run(new Array[] { input }, new Array[] { output });
            return output;
        }
        var a = Run(folded);
        var u = Run(unfolded);
        for (int i = 0; i < a.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(u[i]), $"element {i}: folded {a[i]:R}, unfolded {u[i]:R}");
    }

    [Fact]
    public void Transpose_with_a_second_reader_stays()
    {
        var b = Model(11, 2, 9, 9, 3, 4, 3, 2, new[] { 1, 1, 1, 1 }, relu: false);
        b.Node("Relu", new[] { "t" }, new[] { "r" }).Output("r");
        Assert.True(HasTransposeStep(PlanOf(b)));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void Transpose_that_is_not_nhwc_to_nchw_stays()
    {
        var b = Model(12, 2, 9, 7, 4, 5, 3, 2, new[] { 1, 1, 1, 1 }, perm: new long[] { 0, 3, 2, 1 });
        Assert.True(HasTransposeStep(PlanOf(b)));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Theory]
    [InlineData(8, 3)]  // implicit GEMM
    [InlineData(32, 3)] // Winograd
    public void Transpose_into_a_wide_stride_1_convolution_stays(int c, int k)
    {
        var b = Model(14 + c, 2, 12, 12, c, 32, k, 1, new[] { k / 2, k / 2, k / 2, k / 2 });
        var plan = PlanOf(b);
        Assert.True(HasTransposeStep(plan));
        Assert.Contains(plan.Steps, s => s is KernelCall { Kernel: var kernel } && kernel == (c >= 32 ? "ConvWinograd" : "Conv"));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void Transpose_into_a_depthwise_convolution_stays()
    {
        var b = Model(13, 2, 10, 10, 8, 8, 3, 1, new[] { 1, 1, 1, 1 }, group: 8);
        Assert.True(HasTransposeStep(PlanOf(b)));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void Transpose_into_a_convolution_with_runtime_weights_stays()
    {
        var b = new ModelBuilder(13).Input("x", 2, 8, 8, 3).Input("w", 4, 3, 3, 3)
            .Node("Transpose", new[] { "x" }, new[] { "t" }, ("perm", new long[] { 0, 3, 1, 2 }))
            .Node("Conv", new[] { "t", "w" }, new[] { "y" }, ("pads", new[] { 1, 1, 1, 1 }), ("strides", new[] { 2, 2 })).Output("y");
        Assert.True(HasTransposeStep(PlanOf(b)));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Theory]
    [InlineData(2, 0, 16)] // two groups
    [InlineData(1, 2, 16)] // the implicit algorithm
    [InlineData(1, 0, 0)]  // the direct pointwise product
    public void Channels_last_input_outside_im2col_is_rejected(int groups, int rowsPerBlock, int chunk)
    {
        var g = new ModelGen.Runtime.ConvGeometry(4, 1, 6, 6, 4, 1, 6, 6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, groups, chunk, rowsPerBlock,
            inputChannelsLast: true);
        var e = Assert.Throws<ArgumentException>(() => ModelGen.Runtime.Kernels.Conv(new float[4 * 36], new float[16], default, new float[4 * 36], 1, g,
            default, new float[4096]));
        Assert.Contains("channels-last", e.Message);
    }
}
