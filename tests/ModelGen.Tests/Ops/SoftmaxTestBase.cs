using System;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>Softmax and LogSoftmax: both opset semantics, every axis, contiguous and strided, large and special values.</summary>
public abstract class SoftmaxTestBase
{
    protected abstract string Op { get; }

    private void Check(int opset, long[] shape, long? axis, float scale = 4f, float[]? data = null, int seed = 1)
    {
        var attributes = axis is null ? Array.Empty<(string, object)>() : new (string, object)[] { ("axis", axis.Value) };
        var model = new ModelBuilder(opset).Input("x", shape).Node(Op, new[] { "x" }, new[] { "y" }, attributes).Output("y");
        int n = (int)shape.Aggregate(1L, (p, d) => p * d);
        data ??= ElementwiseModels.Floats(seed, n, -scale, scale);
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(("x", data)));
    }

    public static TheoryData<long[]> Shapes => new()
    {
        new long[] { 37 },
        new long[] { 3, 1000 },
        new long[] { 2, 3, 17 },
        new long[] { 2, 5, 7, 9 },
        new long[] { 1, 16, 33 },
        new long[] { 4, 1, 20 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Opset_13_every_axis_matches_onnx_runtime(long[] shape)
    {
        Check(13, shape, null, seed: shape.Length);
        for (int axis = -shape.Length; axis < shape.Length; axis++)
            Check(13, shape, axis, seed: axis + 10);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Opset_11_and_7_coerce_to_two_dimensions(long[] shape)
    {
        foreach (int opset in new[] { 7, 11 })
        {
            if (shape.Length >= 2) Check(opset, shape, null);
            for (int axis = -shape.Length; axis < shape.Length; axis++)
                Check(opset, shape, axis, seed: axis + 20);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Large_values_are_numerically_stable(long axis)
    {
        Check(13, new long[] { 5, 33 }, axis, scale: 1e4f);
        Check(13, new long[] { 2, 3, 17 }, axis, scale: 80f);
    }

    [Fact]
    public void Nan_and_infinities_match_onnx_runtime()
    {
        var data = ElementwiseModels.Floats(3, 6 * 17);
        data[5] = float.NaN;
        data[17 * 2 + 3] = float.PositiveInfinity;
        for (int i = 17 * 4; i < 17 * 5; i++) data[i] = float.NegativeInfinity;
        data[17 * 5 + 1] = float.NegativeInfinity;
        Check(13, new long[] { 6, 17 }, null, data: data);
    }

    [Fact]
    public void A_constant_input_folds_at_build_time()
    {
        var model = new ModelBuilder(13).Initializer("c", ElementwiseModels.Floats(9, 24, -3f, 3f), 2, 3, 4)
            .Node(Op, new[] { "c" }, new[] { "y" }, ("axis", 1L)).Output("y");
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.Empty(compiled.Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void An_axis_out_of_range_is_invalid()
    {
        var model = new ModelBuilder(13).Input("x", 2, 3).Node(Op, new[] { "x" }, new[] { "y" }, ("axis", 2L)).Output("y");
        Assert.Contains(OnnxAssert.Compile(model.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
