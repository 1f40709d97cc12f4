using System;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// Swish (opset 24): compared with x / (1 + e^(-alpha·x)) computed here in double (the ONNX Runtime build the tests use may
/// not have the opset-24 operator), at lengths that exercise every vector width and its tail, and folded at build time.
/// </summary>
[Trait("Category", "Ops")]
public class SwishTests
{
    private static ModelBuilder Model(long n, float? alpha)
    {
        var attributes = alpha is null ? Array.Empty<(string, object)>() : new (string, object)[] { ("alpha", alpha.Value) };
        return new ModelBuilder(24, irVersion: 10).Input("x", n).Node("Swish", new[] { "x" }, new[] { "y" }, attributes).Output("y");
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 + 1e-5 * Math.Abs(expected[i]), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(7, 1f)]
    [InlineData(33, 0.5f)]
    [InlineData(257, 2.5f)]
    public void Matches_the_definition(int n, float? alpha)
    {
        var x = ElementwiseModels.Floats(n, n, -20f, 20f);
        double a = alpha ?? 1.0;
        var expected = x.Select(v => (float)(v / (1 + Math.Exp(-a * v)))).ToArray();
        var options = ModelGen.Configuration.ModelOptions.Default("SwishModel", "ModelGen.Tests.Swish");
        var result = OnnxAssert.Compile(Model(n, alpha).ToBytes(), options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var model = ModelGen.Cli.Verification.InMemoryModel.Load(result, options);
        var y = new float[n];
        model.Run(new Array[] { x }, new Array[] { y });
        AssertClose(expected, y);
    }

    [Fact]
    public void A_constant_input_folds_at_build_time()
    {
        var x = ElementwiseModels.Floats(3, 12, -8f, 8f);
        var model = new ModelBuilder(24, irVersion: 10).Initializer("c", x, 12).Node("Swish", new[] { "c" }, new[] { "y" }, ("alpha", 0.75f)).Output("y");
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        Assert.Empty(compiled.Graph!.Nodes);
    }
}
