using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class BatchNormalizationTests
{
    private static float[] Positive(Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(0.2 + random.NextDouble())).ToArray();

    private static ModelBuilder Model(int opset, long[] shape, Random random, float epsilon, params (string, object)[] attributes)
    {
        int c = (int)shape[1];
        var attrs = new List<(string, object)> { ("epsilon", epsilon) };
        attrs.AddRange(attributes);
        return new ModelBuilder(opset).Input("x", shape)
            .Initializer("scale", TestData.Floats(random, c), c).Initializer("bias", TestData.Floats(random, c), c)
            .Initializer("mean", TestData.Floats(random, c), c).Initializer("var", Positive(random, c), c)
            .Node("BatchNormalization", new[] { "x", "scale", "bias", "mean", "var" }, new[] { "y" }, attrs.ToArray()).Output("y");
    }

    [Theory]
    [InlineData(7, new long[] { 2, 3 })]
    [InlineData(9, new long[] { 1, 5, 17 })]
    [InlineData(14, new long[] { 2, 7, 9, 11 })]
    [InlineData(15, new long[] { 1, 16, 4, 5, 3 })]
    [InlineData(15, new long[] { 3, 33, 1, 1 })]
    public void Constant_parameters_match_onnx_runtime(int opset, long[] shape)
    {
        var model = Model(opset, shape, new Random(opset * 7 + shape.Length), 1e-3f);
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Per_element_parameters_with_spatial_0_match_onnx_runtime()
    {
        var random = new Random(8);
        int c = 3, h = 4, w = 5, n = c * h * w;
        var model = new ModelBuilder(7).Input("x", 2, c, h, w)
            .Initializer("scale", TestData.Floats(random, n), c, h, w).Initializer("bias", TestData.Floats(random, n), c, h, w)
            .Initializer("mean", TestData.Floats(random, n), c, h, w).Initializer("var", Positive(random, n), c, h, w)
            .Node("BatchNormalization", new[] { "x", "scale", "bias", "mean", "var" }, new[] { "y" }, ("spatial", 0), ("epsilon", 1e-4f)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Runtime_parameters_match_onnx_runtime()
    {
        var random = new Random(4);
        int c = 6;
        var model = new ModelBuilder(15).Input("x", 2, c, 5, 7).Input("scale", c).Input("bias", c).Input("mean", c).Input("var", c)
            .Node("BatchNormalization", new[] { "x", "scale", "bias", "mean", "var" }, new[] { "y" }).Output("y");
        var inputs = new Dictionary<string, Array>
        {
            ["x"] = TestData.Floats(random, 2 * c * 35), ["scale"] = TestData.Floats(random, c), ["bias"] = TestData.Floats(random, c),
            ["mean"] = TestData.Floats(random, c), ["var"] = Positive(random, c),
        };
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: inputs);
    }

    [Fact]
    public void Training_mode_matches_onnx_runtime()
    {
        var random = new Random(21);
        int c = 5;
        var model = new ModelBuilder(15).Input("x", 3, c, 6, 7)
            .Initializer("scale", TestData.Floats(random, c), c).Initializer("bias", TestData.Floats(random, c), c)
            .Initializer("mean", TestData.Floats(random, c), c).Initializer("var", Positive(random, c), c)
            .Node("BatchNormalization", new[] { "x", "scale", "bias", "mean", "var" }, new[] { "y", "running_mean", "running_var" },
                ("training_mode", 1), ("momentum", 0.8f), ("epsilon", 1e-3f))
            .Output("y").Output("running_mean").Output("running_var");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Saved_statistics_outputs_of_early_opsets_are_reported_as_unsupported()
    {
        var random = new Random(22);
        int c = 3;
        var model = new ModelBuilder(7).Input("x", 2, c, 4)
            .Initializer("scale", TestData.Floats(random, c), c).Initializer("bias", TestData.Floats(random, c), c)
            .Initializer("mean", TestData.Floats(random, c), c).Initializer("var", Positive(random, c), c)
            .Node("BatchNormalization", new[] { "x", "scale", "bias", "mean", "var" }, new[] { "y", "m" }).Output("y").Output("m");
        Assert.Contains(OnnxAssert.Compile(model.ToBytes()).Diagnostics, d => d.Id == "MG0203");
    }
}
