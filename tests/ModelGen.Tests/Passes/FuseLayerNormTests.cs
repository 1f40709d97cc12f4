using System;
using System.Linq;
using ModelGen.Compiler;
using ModelGen.Configuration;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Passes;

/// <summary>
/// The LayerNorm exporters write below opset 17 (ReduceMean, Sub, Pow or Mul, ReduceMean, Add ε, Sqrt, Div, then · γ
/// and + β) becomes one LayerNormalization step; outputs match ONNX Runtime. Near misses keep their steps.
/// </summary>
[Trait("Category", "Ops")]
public class FuseLayerNormTests
{
    private static readonly ModelOptions Options = ModelOptions.Default("LnModel", "ModelGen.Tests.Generated");

    private static ModelBuilder Model(int opset, long[] shape, long[] axes, bool squareByMul = false, bool affine = true,
        long[]? gammaShape = null, bool meanIsOutput = false, float epsilon = 1e-5f)
    {
        var random = new Random(shape.Aggregate(17, (a, d) => a * 31 + (int)d) + axes.Length);
        int cols = (int)axes.Select(a => shape[a < 0 ? a + shape.Length : a]).Aggregate(1L, (a, b) => a * b);
        var b = new ModelBuilder(opset).Input("x", shape);
        (string Name, object Value)[] reduce = opset >= 18 ? Array.Empty<(string, object)>() : new (string, object)[] { ("axes", axes) };
        string[] Inputs(string x) => opset >= 18 ? new[] { x, "axes" } : new[] { x };
        if (opset >= 18) b.Initializer("axes", axes, axes.Length);
        b.Node("ReduceMean", Inputs("x"), new[] { "m" }, reduce)
         .Node("Sub", new[] { "x", "m" }, new[] { "d" });
        if (squareByMul) b.Node("Mul", new[] { "d", "d" }, new[] { "sq" });
        else b.Initializer("two", new[] { 2f }).Node("Pow", new[] { "d", "two" }, new[] { "sq" });
        b.Node("ReduceMean", Inputs("sq"), new[] { "v" }, reduce)
         .Initializer("eps", new[] { epsilon })
         .Node("Add", new[] { "v", "eps" }, new[] { "ve" })
         .Node("Sqrt", new[] { "ve" }, new[] { "s" })
         .Node("Div", new[] { "d", "s" }, new[] { affine ? "n" : "y" });
        if (affine)
        {
            var gs = gammaShape ?? new long[] { shape[^1] };
            int gn = (int)gs.Aggregate(1L, (a, c) => a * c);
            b.Initializer("gamma", TestData.Floats(random, gn, 1f), gs).Initializer("beta", TestData.Floats(random, gn, 0.5f), gs)
             .Node("Mul", new[] { "n", "gamma" }, new[] { "g" })
             .Node("Add", new[] { "g", "beta" }, new[] { "y" });
        }
        b.Output("y");
        if (meanIsOutput) b.Output("m");
        return b;
    }

    private static ExecutionPlan PlanOf(ModelBuilder b)
    {
        var result = ModelCompiler.Compile(b.ToBytes(), "test.onnx", Options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Plan!;
    }

    [Theory]
    [InlineData(13, new long[] { 2, 12, 32 }, new long[] { -1 }, false, true)]   // BERT's LayerNorm, torch export
    [InlineData(11, new long[] { 3, 40 }, new long[] { 1 }, true, true)]          // d·d instead of Pow, positive axis
    [InlineData(13, new long[] { 2, 5, 6, 7 }, new long[] { 2, 3 }, false, true)] // two trailing axes (γ broadcast over 6)
    [InlineData(18, new long[] { 4, 9, 33 }, new long[] { -1 }, false, true)]     // axes as an input
    [InlineData(13, new long[] { 4, 9, 33 }, new long[] { -1 }, false, false)]    // no γ, β
    public void Decomposed_layer_norm_becomes_one_step(int opset, long[] shape, long[] axes, bool squareByMul, bool affine)
    {
        var b = Model(opset, shape, axes, squareByMul, affine);
        var plan = PlanOf(b);
        var step = Assert.Single(plan.Steps);
        Assert.Equal("LayerNormalization", step.Origin.OpTypes.First());
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void Gamma_with_leading_ones_fuses()
    {
        var b = Model(13, new long[] { 2, 7, 16 }, new long[] { -1 }, gammaShape: new long[] { 1, 1, 16 });
        Assert.Single(PlanOf(b).Steps);
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void Near_misses_are_left_alone()
    {
        // The mean is also a graph output; the reduction is not over the trailing axes.
        foreach (var b in new[]
        {
            Model(13, new long[] { 2, 12, 32 }, new long[] { -1 }, meanIsOutput: true),
            Model(13, new long[] { 2, 12, 32 }, new long[] { 1 }, gammaShape: new long[] { 1, 32 }),
        })
        {
            var plan = PlanOf(b);
            Assert.DoesNotContain(plan.Steps, s => s.Origin.OpTypes.First() == "LayerNormalization");
            OnnxAssert.MatchesOnnxRuntime(b);
        }
    }

    [Fact]
    public void Gamma_varying_along_a_batch_axis_stays_a_separate_multiply()
    {
        var b = Model(13, new long[] { 2, 12, 32 }, new long[] { -1 }, gammaShape: new long[] { 12, 32 });
        var ops = PlanOf(b).Steps.Select(s => s.Origin.OpTypes.First()).ToArray();
        Assert.Contains("LayerNormalization", ops);
        Assert.Contains("Mul", ops);
        OnnxAssert.MatchesOnnxRuntime(b);
    }
}
