using System;
using System.Linq;
using ModelGen.Compiler;
using ModelGen.Configuration;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Passes;

/// <summary>
/// The exact GELU exporters write below opset 20, x·(1 + erf(x/√2))·0.5, becomes one Gelu step; outputs match ONNX
/// Runtime. A different constant or a second reader of an intermediate keeps the five steps.
/// </summary>
[Trait("Category", "Ops")]
public class FuseGeluTests
{
    private static readonly ModelOptions Options = ModelOptions.Default("GeluModel", "ModelGen.Tests.Generated");

    private static ModelBuilder Model(bool divide, bool swapOperands, float half = 0.5f, bool erfIsOutput = false)
    {
        var b = new ModelBuilder(13).Input("x", 3, 7, 40)
            .Initializer("c", new[] { divide ? (float)Math.Sqrt(2) : (float)Math.Sqrt(0.5) })
            .Initializer("one", new[] { 1f }).Initializer("half", new[] { half });
        b.Node(divide ? "Div" : "Mul", swapOperands && !divide ? new[] { "c", "x" } : new[] { "x", "c" }, new[] { "a" })
         .Node("Erf", new[] { "a" }, new[] { "e" })
         .Node("Add", swapOperands ? new[] { "one", "e" } : new[] { "e", "one" }, new[] { "p" })
         .Node("Mul", swapOperands ? new[] { "p", "x" } : new[] { "x", "p" }, new[] { "q" })
         .Node("Mul", swapOperands ? new[] { "half", "q" } : new[] { "q", "half" }, new[] { "y" })
         .Output("y");
        if (erfIsOutput) b.Output("e");
        return b;
    }

    private static string[] Steps(ModelBuilder b)
    {
        var result = ModelCompiler.Compile(b.ToBytes(), "test.onnx", Options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        return result.Plan!.Steps.Select(s => s.Origin.OpTypes.First()).ToArray();
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Erf_gelu_becomes_one_step(bool divide, bool swapOperands)
    {
        var b = Model(divide, swapOperands);
        Assert.Equal(new[] { "Gelu" }, Steps(b));
        OnnxAssert.MatchesOnnxRuntime(b);
    }

    [Fact]
    public void Near_misses_are_left_alone()
    {
        foreach (var b in new[] { Model(true, false, half: 0.6f), Model(true, false, erfIsOutput: true) })
        {
            Assert.DoesNotContain("Gelu", Steps(b));
            OnnxAssert.MatchesOnnxRuntime(b);
        }
    }
}
