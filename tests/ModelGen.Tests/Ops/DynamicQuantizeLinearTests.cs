using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>DynamicQuantizeLinear against ONNX Runtime: y, y_scale and y_zero_point bit for bit (tolerance 0).</summary>
[Trait("Category", "Ops")]
public class DynamicQuantizeLinearTests
{
    private static ModelBuilder Model(params long[] shape) => new ModelBuilder(11).Input("x", shape)
        .Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "y", "s", "zp" })
        .Output("y", DT.Uint8).Output("s").Output("zp", DT.Uint8);

    private static void AssertExact(ModelBuilder builder, float[] x) =>
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 0, relTolerance: 0, inputs: QuantTestData.Feed("x", x));

    [Theory]
    [InlineData(-1.0, 1.0)]
    [InlineData(0.5, 3.0)]
    [InlineData(-7.0, -0.25)]
    [InlineData(-100.0, 3.0)]
    [InlineData(-0.001, 1000.0)]
    public void Matches_onnx_runtime(double low, double high)
    {
        foreach (int n in QuantTestData.Lengths)
        {
            var random = new Random(n);
            var x = Enumerable.Range(0, n).Select(_ => (float)(low + random.NextDouble() * (high - low))).ToArray();
            AssertExact(Model(n), x);
        }
    }

    [Fact]
    public void Values_on_the_quantization_grid_round_half_to_even()
    {
        // min 0, max 255 * 0.5: scale 0.5, zero point 0, and x = (k + 0.5) * 0.5 are exact ties.
        var x = Enumerable.Range(0, 100).Select(i => i == 0 ? 127.5f : (i % 250 + 0.5f) * 0.5f).ToArray();
        x[1] = 0;
        AssertExact(Model(4, 25), x);
    }

    /// <summary>All zeros: ONNX Runtime's scale is 1 (not 0 / 255), the zero point 0 and y 0.</summary>
    [Fact]
    public void All_zeros()
    {
        AssertExact(Model(19), new float[19]);
        var result = OnnxAssert.MatchesOnnxRuntime(Model(3).Build(), absTolerance: 0, relTolerance: 0, inputs: QuantTestData.Feed("x", new float[3]));
        Assert.True(result.Passed);
    }

    [Fact]
    public void Constant_input_folds()
    {
        var random = new Random(2);
        var x = Enumerable.Range(0, 30).Select(_ => random.NextDouble() * 6 - 2).ToArray();
        var builder = new ModelBuilder(11).Input("a", 30)
            .Initializer(QuantTestData.Tensor("x", DT.Float, new long[] { 30 }, x))
            .Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "y", "s", "zp" })
            .Node("DequantizeLinear", new[] { "y", "s", "zp" }, new[] { "d" })
            .Node("Add", new[] { "d", "a" }, new[] { "out" }).Output("out");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType is "DynamicQuantizeLinear" or "DequantizeLinear");
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 0, relTolerance: 0, inputs: QuantTestData.Feed("a", new float[30]));
    }

    [Fact]
    public void Non_float_input_is_diagnosed()
    {
        var builder = new ModelBuilder(11).Input("x", DT.Double, 4)
            .Node("DynamicQuantizeLinear", new[] { "x" }, new[] { "y", "s", "zp" })
            .Output("y", DT.Uint8).Output("s").Output("zp", DT.Uint8);
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id is "MG0203" or "MG0202");
    }
}
