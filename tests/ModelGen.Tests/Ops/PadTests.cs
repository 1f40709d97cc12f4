using System;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class PadTests
{
    [Theory]
    [InlineData("constant", 1)]
    [InlineData("constant", 2)]
    [InlineData("reflect", 3)]
    [InlineData("reflect", 4)]
    [InlineData("edge", 5)]
    [InlineData("edge", 6)]
    [InlineData("wrap", 7)]
    [InlineData("wrap", 8)]
    public void Random_pads_match_onnx_runtime(string mode, int seed)
    {
        var random = new Random(seed);
        int rank = random.Next(1, 5);
        var shape = RandomShape(random, rank, 9).Select(d => Math.Max(d, 3)).ToArray();
        // reflect needs pads < dim; wrap and edge are fine with any nonnegative pad.
        var pads = new long[2 * rank];
        for (int i = 0; i < 2 * rank; i++)
        {
            long dim = shape[i % rank];
            pads[i] = mode == "reflect" ? random.Next(0, (int)dim) : random.Next(0, 4);
        }
        var builder = new ModelBuilder(opset: 19).Input("x", shape).Initializer(Longs("pads", pads))
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Pad", new[] { "r", "pads" }, new[] { "y" }, ("mode", mode)).Output("y");
        if (mode == "constant")
        {
            builder = new ModelBuilder(opset: 19).Input("x", shape).Initializer(Longs("pads", pads)).Initializer(ModelBuilder.FloatTensor("v", new[] { 0.25f }))
                .Node("Pad", new[] { "x", "pads", "v" }, new[] { "y" }, ("mode", mode)).Output("y");
        }
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    public void Attribute_forms_match_onnx_runtime(int opset)
    {
        var builder = new ModelBuilder(opset: opset).Input("x", 2, 3, 5)
            .Node("Pad", new[] { "x" }, new[] { "y" }, ("pads", new long[] { 0, 1, 2, 1, 0, 3 }), ("value", 1.5f)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
        var reflect = new ModelBuilder(opset: opset).Input("x", 2, 3, 5)
            .Node("Pad", new[] { "x" }, new[] { "y" }, ("pads", new long[] { 0, 2, 4, 0, 1, 2 }), ("mode", "reflect")).Output("y");
        OnnxAssert.MatchesOnnxRuntime(reflect);
    }

    [Fact]
    public void Negative_pads_crop()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 4, 7).Initializer(Longs("pads", -1, 2, 1, -3))
            .Node("Pad", new[] { "x", "pads" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Run_time_constant_value_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 11).Input("x", 3, 4).Input("v", DT.Float).Initializer(Longs("pads", 1, 0, 2, 3))
            .Node("Pad", new[] { "x", "pads", "v" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("edge")]
    [InlineData("reflect")]
    public void Opset_18_axes_match_onnx_runtime(string mode)
    {
        var builder = new ModelBuilder(opset: 18).Input("x", 2, 5, 6).Initializer(Longs("pads", 2, 1, 3, 2)).Initializer(Longs("axes", -1, 1))
            .Node("Pad", new[] { "x", "pads", "", "axes" }, new[] { "y" }, ("mode", mode)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(DT.Int64, "constant")]
    [InlineData(DT.Uint8, "reflect")]
    [InlineData(DT.Int32, "edge")]
    public void Non_float_types_match_onnx_runtime(DT type, string mode)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", type, 3, 4).Initializer(Longs("pads", 1, 2, 2, 1))
            .Initializer(Scalar("v", type, 7))
            .Node("Pad", mode == "constant" ? new[] { "x", "pads", "v" } : new[] { "x", "pads" }, new[] { "y" }, ("mode", mode)).Output("y", type);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), intMax: 100);
    }

    [Fact]
    public void Wrap_before_opset_19_is_unsupported()
    {
        var builder = new ModelBuilder(opset: 18).Input("x", 3, 4).Initializer(Longs("pads", 1, 1, 1, 1))
            .Node("Pad", new[] { "x", "pads" }, new[] { "y" }, ("mode", "wrap")).Output("y");
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id is "MG0203" or "MG0102");
    }
}
