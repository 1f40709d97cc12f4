using System;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class SliceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Random_slices_with_steps_match_onnx_runtime(int seed)
    {
        var random = new Random(seed);
        int rank = random.Next(1, 5);
        var shape = RandomShape(random, rank, 17);
        int n = random.Next(1, rank + 1);
        var axes = Permutation(random, rank).Take(n).ToArray();
        long[] starts = new long[n], ends = new long[n], steps = new long[n], onnxAxes = new long[n];
        for (int i = 0; i < n; i++)
        {
            long dim = shape[axes[i]];
            steps[i] = random.Next(2) == 0 ? random.Next(1, 4) : -random.Next(1, 4);
            starts[i] = random.Next(-(int)dim - 2, (int)dim + 2);
            ends[i] = random.Next(4) == 0 ? (steps[i] > 0 ? long.MaxValue : long.MinValue) : random.Next(-(int)dim - 2, (int)dim + 2);
            onnxAxes[i] = random.Next(2) == 0 ? axes[i] : axes[i] - rank;
        }
        var builder = new ModelBuilder(opset: 13).Input("x", shape)
            .Initializer(Longs("starts", starts)).Initializer(Longs("ends", ends)).Initializer(Longs("axes", onnxAxes)).Initializer(Longs("steps", steps))
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Slice", new[] { "r", "starts", "ends", "axes", "steps" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Opset_9_attributes_match_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 9).Input("x", 5, 7, 9)
            .Node("Slice", new[] { "x" }, new[] { "y" }, ("starts", new long[] { 1, -4 }), ("ends", new long[] { 1000, -1 }), ("axes", new long[] { 0, 2 })).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Opset_10_inputs_without_axes_and_steps_match_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 10).Input("x", 6, 5)
            .Initializer(Longs("starts", 2, 1)).Initializer(Longs("ends", 5, long.MaxValue))
            .Node("Slice", new[] { "x", "starts", "ends" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Reversal_with_step_minus_one_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 3, 33)
            .Initializer(Longs("starts", -1)).Initializer(Longs("ends", long.MinValue)).Initializer(Longs("axes", 1)).Initializer(Longs("steps", -1))
            .Node("Slice", new[] { "x", "starts", "ends", "axes", "steps" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Fact]
    public void Empty_result_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 4, 5)
            .Initializer(Longs("starts", 3)).Initializer(Longs("ends", 1)).Initializer(Longs("axes", 0))
            .Node("Slice", new[] { "x", "starts", "ends", "axes" }, new[] { "y" })
            .Node("Shape", new[] { "y" }, new[] { "s" }).Output("s", DT.Int64).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    [Theory]
    [InlineData(DT.Int64)]
    [InlineData(DT.Uint8)]
    [InlineData(DT.Int32)]
    public void Non_float_types_match_onnx_runtime(DT type)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", type, 4, 9, 6)
            .Initializer(Longs("starts", 1, 8, 0)).Initializer(Longs("ends", 4, 0, 6)).Initializer(Longs("axes", 0, 1, 2)).Initializer(Longs("steps", 2, -3, 2))
            .Node("Slice", new[] { "x", "starts", "ends", "axes", "steps" }, new[] { "y" }).Output("y", type);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), intMax: 120);
    }

    [Fact]
    public void Run_time_starts_are_reported_as_unsupported()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 4, 5).Input("starts", DT.Int64, 1).Initializer(Longs("ends", 3))
            .Node("Slice", new[] { "x", "starts", "ends" }, new[] { "y" }).Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.Contains(result.Diagnostics, d => d.Id == "MG0203" && d.Message.Contains("must be known at build time"));
    }
}
