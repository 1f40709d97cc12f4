using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Cli.Verification;
using ModelGen.Configuration;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>Ops whose output length is known only at run time (a capacity plus a run-time row count), against ONNX Runtime.</summary>
[Trait("Category", "Ops")]
public class DynamicOutputTests
{
    /// <summary>Boxes with overlaps, corners in either order; scores on a 0.1 grid so equal scores (ties) are common.</summary>
    private static Dictionary<string, Array> NmsInputs(int seed, int batches, int classes, int boxes, bool center)
    {
        var random = new Random(seed);
        var b = new float[batches * boxes * 4];
        for (int i = 0; i < batches * boxes; i++)
        {
            float x = (float)random.NextDouble() * 4, y = (float)random.NextDouble() * 4;
            float w = (float)random.NextDouble() * 2, h = (float)random.NextDouble() * 2;
            if (center) { b[4 * i] = x; b[4 * i + 1] = y; b[4 * i + 2] = w; b[4 * i + 3] = h; }
            else if (random.Next(2) == 0) { b[4 * i] = y; b[4 * i + 1] = x; b[4 * i + 2] = y + h; b[4 * i + 3] = x + w; }
            else { b[4 * i] = y + h; b[4 * i + 1] = x + w; b[4 * i + 2] = y; b[4 * i + 3] = x; }
        }
        var s = Enumerable.Range(0, batches * classes * boxes).Select(_ => (float)Math.Round(random.NextDouble(), 1)).ToArray();
        return new Dictionary<string, Array> { ["boxes"] = b, ["scores"] = s };
    }

    [Theory]
    [InlineData(1, 1, 6, 3, 0.5f, float.NaN, 0, 10)]
    [InlineData(2, 3, 20, 5, 0.3f, 0.0f, 0, 11)]
    [InlineData(1, 2, 30, 100, 0.5f, 0.2f, 1, 11)]
    [InlineData(3, 2, 16, 4, 0.0f, -0.5f, 0, 11)]
    [InlineData(2, 2, 25, 10, 0.7f, 0.1f, 1, 10)]
    [InlineData(1, 4, 40, 40, 1.0f, 0.5f, 0, 11)]
    public void NonMaxSuppression_matches_onnx_runtime(int batches, int classes, int boxes, int maxPerClass, float iou, float scoreThreshold, int center, int opset)
    {
        var builder = new ModelBuilder(opset: opset).Input("boxes", batches, boxes, 4).Input("scores", batches, classes, boxes)
            .Initializer(Longs("max", maxPerClass)).Initializer(Floats("iou", iou));
        var inputs = new List<string> { "boxes", "scores", "max", "iou" };
        if (!float.IsNaN(scoreThreshold)) { builder.Initializer(Floats("st", scoreThreshold)); inputs.Add("st"); }
        builder.Node("NonMaxSuppression", inputs.ToArray(), new[] { "selected" }, ("center_point_box", center)).Output("selected", DT.Int64);
        var data = NmsInputs(TestData.StableSeed((batches, classes, boxes, maxPerClass, iou, scoreThreshold, center)), batches, classes, boxes, center == 1);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: data);
    }

    [Theory]
    [InlineData(0.3f)]
    [InlineData(0.75f)]
    public void NonMaxSuppression_takes_run_time_thresholds(float scoreThreshold)
    {
        var builder = new ModelBuilder(opset: 11).Input("boxes", 2, 12, 4).Input("scores", 2, 2, 12).Input("iou", 1).Input("st", 1)
            .Initializer(Longs("max", 6))
            .Node("NonMaxSuppression", new[] { "boxes", "scores", "max", "iou", "st" }, new[] { "selected" }).Output("selected", DT.Int64);
        var data = NmsInputs(5, 2, 2, 12, false);
        data["iou"] = new[] { 0.4f };
        data["st"] = new[] { scoreThreshold };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: data);
    }

    [Fact]
    public void NonMaxSuppression_without_max_output_boxes_selects_nothing()
    {
        var builder = new ModelBuilder(opset: 11).Input("boxes", 1, 5, 4).Input("scores", 1, 2, 5)
            .Node("NonMaxSuppression", new[] { "boxes", "scores" }, new[] { "selected" }).Output("selected", DT.Int64);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: NmsInputs(3, 1, 2, 5, false));
    }

    [Fact]
    public void NonMaxSuppression_rows_feed_a_gather_and_a_cast()
    {
        // selected[:, 2] as float: Gather on axis 1 and Cast keep the run-time row count.
        var builder = new ModelBuilder(opset: 13).Input("boxes", 1, 15, 4).Input("scores", 1, 3, 15)
            .Initializer(Longs("max", 4)).Initializer(Floats("iou", 0.5f)).Initializer(Tensor("two", DT.Int64, Array.Empty<long>(), new double[] { 2 }))
            .Node("NonMaxSuppression", new[] { "boxes", "scores", "max", "iou" }, new[] { "selected" })
            .Node("Gather", new[] { "selected", "two" }, new[] { "box" }, ("axis", 1))
            .Node("Cast", new[] { "box" }, new[] { "y" }, ("to", (int)DT.Float)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: NmsInputs(9, 1, 3, 15, false));
    }

    [Fact]
    public void NonMaxSuppression_rows_pass_through_slicing_broadcasting_and_unsqueeze()
    {
        // selected[:, [0, 2]] → float · [0.5, 2] → Unsqueeze(1) → Slice on axis 2: all keep the run-time rows.
        var builder = new ModelBuilder(opset: 13).Input("boxes", 2, 10, 4).Input("scores", 2, 2, 10)
            .Initializer(Longs("max", 3)).Initializer(Floats("iou", 0.4f)).Initializer(Floats("st", 0.2f))
            .Initializer(Longs("columns", 0, 2)).Initializer(Floats("scale", 0.5f, 2f)).Initializer(Longs("axis1", 1))
            .Initializer(Longs("start", 1)).Initializer(Longs("end", 2)).Initializer(Longs("axis2", 2))
            .Node("NonMaxSuppression", new[] { "boxes", "scores", "max", "iou", "st" }, new[] { "selected" })
            .Node("Gather", new[] { "selected", "columns" }, new[] { "pair" }, ("axis", 1))
            .Node("Cast", new[] { "pair" }, new[] { "f" }, ("to", (int)DT.Float))
            .Node("Mul", new[] { "f", "scale" }, new[] { "scaled" })
            .Node("Unsqueeze", new[] { "scaled", "axis1" }, new[] { "u" })
            .Node("Slice", new[] { "u", "start", "end", "axis2" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: NmsInputs(21, 2, 2, 10, false));
    }

    [Fact]
    public void Run_time_rows_broadcast_against_a_tensor_with_rows_is_a_diagnostic()
    {
        var builder = new ModelBuilder(opset: 13).Input("boxes", 1, 4, 4).Input("scores", 1, 1, 4).Input("other", DT.Int64, 4, 3)
            .Initializer(Longs("max", 4))
            .Node("NonMaxSuppression", new[] { "boxes", "scores", "max" }, new[] { "selected" })
            .Node("Add", new[] { "selected", "other" }, new[] { "y" }).Output("y", DT.Int64);
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("'selected'") && d.Message.Contains("run time"));
    }

    [Fact]
    public void Run_time_rows_into_an_op_that_mixes_rows_is_a_diagnostic()
    {
        var builder = new ModelBuilder(opset: 13).Input("boxes", 1, 15, 4).Input("scores", 1, 3, 15)
            .Initializer(Longs("max", 4))
            .Node("NonMaxSuppression", new[] { "boxes", "scores", "max" }, new[] { "selected" })
            .Node("ReduceSum", new[] { "selected" }, new[] { "y" }).Output("y", DT.Int64);
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("'selected'") && d.Message.Contains("run time"));
    }

    [Fact]
    public void Max_output_boxes_must_be_known_at_build_time()
    {
        var builder = new ModelBuilder(opset: 11).Input("boxes", 1, 5, 4).Input("scores", 1, 1, 5).Input("max", DT.Int64, 1)
            .Node("NonMaxSuppression", new[] { "boxes", "scores", "max" }, new[] { "selected" }).Output("selected", DT.Int64);
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("input 'max' must be known at build time"));
    }

    [Theory]
    [InlineData(DT.Float, new long[] { 3, 4 })]
    [InlineData(DT.Float, new long[] { 2, 3, 4 })]
    [InlineData(DT.Int64, new long[] { 17 })]
    [InlineData(DT.Int32, new long[] { 4, 1, 5 })]
    [InlineData(DT.Bool, new long[] { 6, 3 })]
    public void NonZero_on_a_run_time_input_matches_onnx_runtime(DT type, long[] shape)
    {
        var builder = new ModelBuilder(opset: 13).Input("x", type, shape)
            .Node("NonZero", new[] { "x" }, new[] { "y" }).Output("y", DT.Int64);
        var inputs = type == DT.Float
            ? new Dictionary<string, Array> { ["x"] = Enumerable.Range(0, (int)Size(shape)).Select(i => i % 3 == 1 ? 0f : i * 0.5f - 2).ToArray() }
            : null;
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs, intMax: 1);
    }

    [Theory]
    [InlineData(DT.Float, new long[] { 20 }, 1, null)]
    [InlineData(DT.Float, new long[] { 4, 5 }, 0, null)]
    [InlineData(DT.Int64, new long[] { 3, 7 }, 1, null)]
    [InlineData(DT.Int64, new long[] { 3, 7 }, 0, null)]
    [InlineData(DT.Float, new long[] { 6, 3 }, 1, 0)]
    [InlineData(DT.Float, new long[] { 6, 3 }, 0, 0)]
    [InlineData(DT.Int8, new long[] { 2, 6, 2 }, 1, 1)]
    [InlineData(DT.Int8, new long[] { 2, 6, 2 }, 0, -2)]
    public void Unique_matches_onnx_runtime(DT type, long[] shape, int sorted, int? axis)
    {
        var attributes = new List<(string, object)> { ("sorted", sorted) };
        if (axis is { } a) attributes.Add(("axis", a));
        var builder = new ModelBuilder(opset: 11).Input("x", type, shape)
            .Node("Unique", new[] { "x" }, new[] { "y", "indices", "inverse", "counts" }, attributes.ToArray())
            .Output("y", type).Output("indices", DT.Int64).Output("inverse", DT.Int64).Output("counts", DT.Int64);
        // Few distinct values, so rows and elements repeat.
        var random = new Random(TestData.StableSeed((type, string.Join(",", shape), sorted, axis)));
        Dictionary<string, Array>? inputs = type == DT.Float
            ? new() { ["x"] = Enumerable.Range(0, (int)Size(shape)).Select(_ => random.Next(3) * 0.5f - 0.5f).ToArray() }
            : null;
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs, intMax: 2);
    }

    [Fact]
    public void Unique_with_only_the_first_output()
    {
        var builder = new ModelBuilder(opset: 11).Input("x", DT.Int64, 30)
            .Node("Unique", new[] { "x" }, new[] { "y" }).Output("y", DT.Int64);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), intMax: 5);
    }

    [Fact]
    public void Typed_api_returns_the_count_and_only_the_valid_rows()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 3, 4)
            .Node("NonZero", new[] { "x" }, new[] { "y" }).Output("y", DT.Int64);
        var options = ModelOptions.Default("TestModel", "ModelGen.Tests.Generated");
        var result = OnnxAssert.Compile(builder.ToBytes(), options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.Contains("out int yCount", result.Source);
        var model = InMemoryModel.Load(result, options);
        Assert.Equal(1, model.Outputs[0].DynamicAxis);
        Assert.Equal(new[] { 2, 12 }, model.Outputs[0].Shape);

        var x = new float[12];
        x[1] = 3; x[6] = -1; x[11] = float.NaN;
        var y = new long[24];
        var counts = new int[1];
        Array.Fill(y, 99L);
        model.Run(new Array[] { x }, new Array[] { y }, counts);
        Assert.Equal(3, counts[0]);
        Assert.Equal(new long[] { 0, 1, 2, 1, 2, 3 }, y.Take(6));
        Assert.All(y.Skip(6), v => Assert.Equal(0L, v));

        // The array-returning overload returns the valid [2, 3] data only.
        var predict = model.GetType().GetMethod("Predict", new[] { typeof(float[]) })!;
        var returned = (long[])predict.Invoke(model, new object[] { x })!;
        Assert.Equal(new long[] { 0, 1, 2, 1, 2, 3 }, returned);

        // Misuse still throws: wrong lengths of outputs and of the counts.
        Assert.Throws<ArgumentException>(() => model.Run(new Array[] { x }, new Array[] { new long[23] }, counts));
        Assert.Throws<ArgumentException>(() => model.Run(new Array[] { x }, new Array[] { y }, new int[2]));
        // The two-argument Run still works and writes the same data.
        Array.Fill(y, 99L);
        model.Run(new Array[] { x }, new Array[] { y });
        Assert.Equal(new long[] { 0, 1, 2, 1, 2, 3 }, y.Take(6));
    }
}
