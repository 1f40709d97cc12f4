using System;
using System.Collections.Generic;
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
/// What the planner decides (storage shared by Concat producers, outer-axis Split/Slice views, Pad folded into Conv, fused
/// epilogues), checked on the plan itself and against ONNX Runtime; and fused against unfused compilation, bit for bit.
/// </summary>
[Trait("Category", "Ops")]
public class ExecutionPlanTests
{
    private static readonly ModelOptions Options = ModelOptions.Default("PlanModel", "ModelGen.Tests.Generated");

    private static ModelBuilder Conv(ModelBuilder b, Random random, string x, string y, int c, int m, int k, int pad, string? activation = null)
    {
        string w = y + "_w", bias = y + "_b";
        b.Initializer(w, TestData.Floats(random, m * c * k * k, (float)Math.Sqrt(2.0 / (c * k * k))), m, c, k, k)
         .Initializer(bias, TestData.Floats(random, m, 0.1f), m)
         .Node("Conv", new[] { x, w, bias }, new[] { activation is null ? y : y + "_pre" }, ("pads", new[] { pad, pad, pad, pad }));
        if (activation is not null) b.Node(activation, new[] { y + "_pre" }, new[] { y });
        return b;
    }

    private static ExecutionPlan PlanOf(ModelBuilder b)
    {
        var result = OnnxAssert.Compile(b.ToBytes(), Options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Plan!;
    }

    private static bool PlanHasCopies(ExecutionPlan plan) => plan.Steps.Any(s => s is CopyCall or KernelCall { Kernel: "CopyStrided" });

    [Fact]
    public void Concat_producers_write_into_its_output_and_no_copy_remains()
    {
        var random = new Random(3);
        var b = new ModelBuilder(13).Input("x", 1, 4, 9, 9);
        Conv(b, random, "x", "a", 4, 5, 3, 1, "Relu");
        Conv(b, random, "x", "c", 4, 3, 1, 0);
        b.Node("Concat", new[] { "a", "c" }, new[] { "cat" }, ("axis", 1));
        Conv(b, random, "cat", "y", 8, 2, 3, 1).Output("y");
        var plan = PlanOf(b);
        Assert.False(PlanHasCopies(plan));
        var cat = plan.Buffers.Single(x => x.Name == "cat");
        Assert.Equal(cat.Id, plan.Root(plan.Buffers.Single(x => x.Name == "a").Id).Root.Id);
        Assert.Equal(5 * 81, plan.Root(plan.Buffers.Single(x => x.Name == "c").Id).Start);
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void Concat_keeps_copies_for_inputs_it_cannot_place_a_graph_input_and_a_value_read_twice()
    {
        var random = new Random(4);
        var b = new ModelBuilder(13).Input("x", 1, 3, 6, 6);
        Conv(b, random, "x", "a", 3, 2, 3, 1, "Relu");
        b.Node("Concat", new[] { "a", "x", "a" }, new[] { "y" }, ("axis", 1)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void Channel_padding_with_constant_zeros_is_a_fill_not_a_copied_weight()
    {
        // BlazeFace-style residual channel padding: ConstantOfShape zeros concatenated after a convolution's channels.
        var random = new Random(11);
        var b = new ModelBuilder(13).Input("x", 1, 3, 6, 6);
        Conv(b, random, "x", "a", 3, 4, 3, 1, "Relu");
        b.Initializer("zshape", new long[] { 1, 4, 6, 6 }, 4)
         .Node("ConstantOfShape", new[] { "zshape" }, new[] { "zeros" })
         .Node("Concat", new[] { "a", "zeros" }, new[] { "y" }, ("axis", 1)).Output("y");
        var plan = PlanOf(b);
        Assert.Contains(plan.Steps, s => s is FillCall);
        Assert.DoesNotContain(plan.Weights, w => w.Length == 4 * 36);
        Assert.False(PlanHasCopies(plan));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void Concat_on_an_inner_axis_copies_and_matches()
    {
        var random = new Random(5);
        var b = new ModelBuilder(13).Input("x", 1, 3, 6, 6);
        Conv(b, random, "x", "a", 3, 2, 3, 1);
        Conv(b, random, "x", "c", 3, 2, 1, 0);
        b.Node("Concat", new[] { "a", "c" }, new[] { "y" }, ("axis", 3)).Output("y");
        var plan = PlanOf(b);
        Assert.True(PlanHasCopies(plan));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void An_outer_axis_Split_and_Slice_are_views_of_their_input()
    {
        var random = new Random(6);
        var b = new ModelBuilder(13).Input("x", 1, 4, 8, 8);
        Conv(b, random, "x", "t", 4, 6, 3, 1, "Relu");
        b.Initializer("split", new long[] { 2, 4 }, 2)
         .Node("Split", new[] { "t", "split" }, new[] { "s0", "s1" }, ("axis", 1))
         .Initializer("starts", new long[] { 1 }, 1).Initializer("ends", new long[] { 3 }, 1).Initializer("axes", new long[] { 1 }, 1)
         .Node("Slice", new[] { "s1", "starts", "ends", "axes" }, new[] { "sl" });
        Conv(b, random, "s0", "y0", 2, 3, 3, 1).Output("y0");
        Conv(b, random, "sl", "y1", 2, 3, 1, 0).Output("y1");
        var plan = PlanOf(b);
        Assert.False(PlanHasCopies(plan));
        var t = plan.Buffers.Single(x => x.Name == "t").Id;
        Assert.Equal((t, 2 * 64 + 64), (plan.Root(plan.Buffers.Single(x => x.Name == "sl").Id).Root.Id, plan.Root(plan.Buffers.Single(x => x.Name == "sl").Id).Start));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Theory]
    [InlineData(1, 2, 0, 1)]
    [InlineData(0, 0, 3, 3)]
    public void A_zero_Pad_folds_into_the_convolution(int top, int left, int bottom, int right)
    {
        var random = new Random(7);
        var b = new ModelBuilder(13).Input("x", 1, 3, 7, 7)
            .Initializer("pads", new long[] { 0, 0, top, left, 0, 0, bottom, right }, 8)
            .Node("Pad", new[] { "x", "pads" }, new[] { "p" });
        Conv(b, random, "p", "y", 3, 4, 3, 1, "Relu").Output("y");
        var plan = PlanOf(b);
        Assert.DoesNotContain(plan.Steps, s => s.Origin.OpTypes.First() == "Pad");
        Assert.Contains(plan.Steps, s => s.Origin.OpTypes.SequenceEqual(new[] { "Conv", "Pad", "Relu" }));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void A_Pad_with_a_nonzero_value_stays()
    {
        var random = new Random(8);
        var b = new ModelBuilder(13).Input("x", 1, 2, 5, 5)
            .Initializer("pads", new long[] { 0, 0, 1, 1, 0, 0, 1, 1 }, 8)
            .Initializer("value", new[] { 0.5f })
            .Node("Pad", new[] { "x", "pads", "value" }, new[] { "p" });
        Conv(b, random, "p", "y", 2, 2, 3, 0).Output("y");
        Assert.Contains(PlanOf(b).Steps, s => s.Origin.OpTypes.First() == "Pad");
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    /// <summary>Every fusable activation, once after a Conv (depthwise and not), a Gemm and a MatMul.</summary>
    public static IEnumerable<object[]> Activations() =>
        new[] { "Relu", "Sigmoid", "Tanh", "HardSwish", "LeakyRelu", "HardSigmoid", "Silu", "HardSigmoidMul" }.Select(a => new object[] { a });

    [Theory]
    [MemberData(nameof(Activations))]
    public void Fused_and_unfused_graphs_give_the_same_bits(string activation)
    {
        var random = new Random(9);
        var b = new ModelBuilder(14).Input("x", 1, 4, 10, 10);
        string Act(string input, string output)
        {
            if (activation == "Silu")
            {
                b.Node("Sigmoid", new[] { input }, new[] { output + "_s" }).Node("Mul", new[] { input, output + "_s" }, new[] { output });
                return output;
            }
            if (activation == "HardSigmoidMul")
            {
                // HardSwish as exporters write it before opset 14.
                b.Node("HardSigmoid", new[] { input }, new[] { output + "_s" }, ("alpha", 1f / 6), ("beta", 0.5f)).Node("Mul", new[] { output + "_s", input }, new[] { output });
                return output;
            }
            b.Node(activation, new[] { input }, new[] { output });
            return output;
        }
        Conv(b, random, "x", "c1", 4, 6, 3, 1);
        Act("c1", "a1");
        b.Initializer("dw", TestData.Floats(random, 6 * 9, 0.5f), 6, 1, 3, 3)
         .Node("Conv", new[] { "a1", "dw" }, new[] { "c2" }, ("pads", new[] { 1, 1, 1, 1 }), ("group", 6));
        Act("c2", "a2");
        b.Initializer("shape", new long[] { 1, 600 }, 2).Node("Reshape", new[] { "a2", "shape" }, new[] { "flat" })
         .Initializer("g", TestData.Floats(random, 600 * 33, 0.05f), 600, 33).Node("Gemm", new[] { "flat", "g" }, new[] { "c3" });
        Act("c3", "a3");
        b.Initializer("mm", TestData.Floats(random, 33 * 17, 0.2f), 33, 17).Node("MatMul", new[] { "a3", "mm" }, new[] { "c4" });
        Act("c4", "y");
        b.Output("y");
        var bytes = b.ToBytes();

        var fused = ModelCompiler.Compile(bytes, "test.onnx", Options);
        var unfused = ModelCompiler.Compile(bytes, "test.onnx", Options, passes: Array.Empty<Action<Graph>>());
        Assert.True(fused.Success && unfused.Success, string.Join("; ", fused.Diagnostics.Concat(unfused.Diagnostics)));
        Assert.Equal(4, fused.Plan!.Steps.Count(s => s.Origin.OpTypes.Count > 1));
        Assert.Equal(0, unfused.Plan!.Steps.Count(s => s.Origin.OpTypes.Count > 1));

        var input = TestData.Floats(new Random(10), 400, 2f);
        float[] Run(CompileResult r)
        {
            var model = InMemoryModel.Load(r, Options);
            var output = new float[17];
            model.Run(new Array[] { input }, new Array[] { output });
            return output;
        }
        var a = Run(fused);
        var u = Run(unfused);
        for (int i = 0; i < a.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(u[i]), $"element {i}: fused {a[i]:R}, unfused {u[i]:R}");
        OnnxAssert.MatchesOnnxRuntime(b);
    }
}
