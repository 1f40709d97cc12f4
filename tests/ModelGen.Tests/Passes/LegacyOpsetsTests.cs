using System;
using System.Linq;
using Google.Protobuf;
using ModelGen.Cli.Verification;
using ModelGen.Configuration;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Passes;

/// <summary>
/// Opset 1-6 nodes run in their opset-7 form. ONNX Runtime has no kernels for those opsets, so the oracle is ONNX Runtime on
/// the same computation written at opset 7 (the legacy axis-aligned broadcast as an explicit [C, 1, 1] operand, Reshape's
/// shape as an input, Cast's type as a number).
/// </summary>
[Trait("Category", "Ops")]
public class LegacyOpsetsTests
{
    private static readonly ModelOptions Options = ModelOptions.Default("LegacyModel", "ModelGen.Tests.Legacy");

    private static float[] Run(ModelProto legacy, float[] x)
    {
        var result = OnnxAssert.Compile(legacy.ToByteArray(), Options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var model = InMemoryModel.Load(result, Options);
        var y = new float[model.Outputs[0].Length];
        model.Run(new Array[] { x }, new Array[] { y });
        return y;
    }

    private static float[] OnnxRuntime(ModelProto modern, float[] x, int[] shape, int[] outputShape)
    {
        using var ort = new OnnxRuntimeOracle(modern.ToByteArray());
        return (float[])ort.Run(new[] { ("x", (Array)x, shape) }, new[] { ("y", typeof(float), outputShape) })[0];
    }

    [Theory]
    [InlineData("Add", 1)]
    [InlineData("Mul", 1)]
    [InlineData("Sub", 2)]
    [InlineData("Div", 0)]
    public void Binary_op_broadcast_at_an_axis_matches_the_opset_7_form(string op, int axis)
    {
        var random = new Random(axis * 31 + op.Length);
        int[] shape = { 2, 3, 4, 5 };
        var bShape = shape.Skip(axis).Take(axis == 2 ? 1 : 2).ToArray();
        var b = TestData.Floats(random, bShape.Aggregate(1, (p, d) => p * d));
        if (op == "Div") b = b.Select(v => v + (v >= 0 ? 1 : -1)).ToArray();
        var x = TestData.Floats(random, shape.Aggregate(1, (p, d) => p * d));
        var legacy = new ModelBuilder(opset: 6, irVersion: 3).Input("x", shape.Select(d => (long)d).ToArray())
            .Initializer("b", b, bShape.Select(d => (long)d).ToArray())
            .Node(op, new[] { "x", "b" }, new[] { "y" }, ("broadcast", 1L), ("axis", (long)axis)).Output("y").Build();
        var aligned = bShape.Select(d => (long)d).Concat(Enumerable.Repeat(1L, shape.Length - axis - bShape.Length)).ToArray();
        var modern = new ModelBuilder(opset: 7, irVersion: 3).Input("x", shape.Select(d => (long)d).ToArray())
            .Initializer("b", b, aligned).Node(op, new[] { "x", "b" }, new[] { "y" }).Output("y").Build();
        var ours = Run(legacy, x);
        var expected = OnnxRuntime(modern, x, shape, shape);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(ours[i] - expected[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]), $"element {i}: {ours[i]} vs {expected[i]}");
    }

    [Fact]
    public void Reshape_1_shape_attribute_and_cast_1_type_name_match_the_opset_7_form()
    {
        var random = new Random(5);
        var x = TestData.Floats(random, 24, 10);
        var legacy = new ModelBuilder(opset: 4, irVersion: 3).Input("x", 2, 3, 4)
            .Node("Reshape", new[] { "x" }, new[] { "r" }, ("shape", new long[] { 4, -1 }))
            .Node("Cast", new[] { "r" }, new[] { "c" }, ("to", "INT32"))
            .Node("Cast", new[] { "c" }, new[] { "y" }, ("to", "FLOAT"))
            .Output("y").Build();
        var modern = new ModelBuilder(opset: 7, irVersion: 3).Input("x", 2, 3, 4).Initializer("s", new long[] { 4, -1 }, 2)
            .Node("Reshape", new[] { "x", "s" }, new[] { "r" })
            .Node("Cast", new[] { "r" }, new[] { "c" }, ("to", (long)TensorProto.Types.DataType.Int32))
            .Node("Cast", new[] { "c" }, new[] { "y" }, ("to", (long)TensorProto.Types.DataType.Float))
            .Output("y").Build();
        Assert.Equal(OnnxRuntime(modern, x, new[] { 2, 3, 4 }, new[] { 4, 6 }), Run(legacy, x));
    }

    [Fact]
    public void Prelu_6_per_channel_slope_matches_the_opset_7_form()
    {
        var random = new Random(6);
        var x = TestData.Floats(random, 2 * 3 * 4 * 5);
        var slope = TestData.Floats(random, 3);
        var legacy = new ModelBuilder(opset: 6, irVersion: 3).Input("x", 2, 3, 4, 5).Initializer("s", slope, 3)
            .Node("PRelu", new[] { "x", "s" }, new[] { "y" }).Output("y").Build();
        var modern = new ModelBuilder(opset: 7, irVersion: 3).Input("x", 2, 3, 4, 5).Initializer("s", slope, 3, 1, 1)
            .Node("PRelu", new[] { "x", "s" }, new[] { "y" }).Output("y").Build();
        Assert.Equal(OnnxRuntime(modern, x, new[] { 2, 3, 4, 5 }, new[] { 2, 3, 4, 5 }), Run(legacy, x));
    }

    [Fact]
    public void Tile_1_is_refused_with_a_diagnostic()
    {
        var bytes = new ModelBuilder(opset: 5, irVersion: 3).Input("x", 2, 3).Initializer("t", new long[] { 2 }, 1).Initializer("a", new long[] { 0 }, 1)
            .Node("Tile", new[] { "x", "t", "a" }, new[] { "y" }).Output("y").ToBytes();
        var result = OnnxAssert.Compile(bytes, Options);
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Id is "MG0201" or "MG0203");
    }
}
