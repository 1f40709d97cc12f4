using System;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ShapeTests
{
    [Theory]
    [InlineData(13, null, null)]
    [InlineData(15, 1, null)]
    [InlineData(15, null, -1)]
    [InlineData(15, -3, 3)]
    [InlineData(15, 3, 1)]    // start after end: empty
    [InlineData(15, -10, 10)] // clamped
    public void Shape_of_a_run_time_input_folds_and_matches_onnx_runtime(int opset, int? start, int? end)
    {
        var attributes = new (string, object)[0];
        if (start is not null) attributes = attributes.Append(("start", (object)start.Value)).ToArray();
        if (end is not null) attributes = attributes.Append(("end", (object)end.Value)).ToArray();
        var builder = new ModelBuilder(opset: opset).Input("x", 2, 3, 4, 5)
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Shape", new[] { "r" }, new[] { "s" }, attributes)
            .Output("s", DT.Int64).Output("r");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType == "Shape");
        OnnxAssert.MatchesOnnxRuntime(builder);
    }

    /// <summary>The shape arithmetic PyTorch exports around view/flatten: all of it folds, only data ops remain.</summary>
    [Fact]
    public void PyTorch_style_shape_chain_folds_and_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 2, 3, 4, 5)
            .Initializer(Tensor("zero", DT.Int64, Array.Empty<long>(), new double[] { 0 }))
            .Initializer(Tensor("one", DT.Int64, Array.Empty<long>(), new double[] { 1 }))
            .Initializer(Longs("axes0", 0)).Initializer(Longs("minus1", -1))
            .Initializer(Longs("from2", 2)).Initializer(Longs("to4", 4))
            .Node("Relu", new[] { "x" }, new[] { "r" })
            .Node("Shape", new[] { "r" }, new[] { "s" })
            .Node("Gather", new[] { "s", "zero" }, new[] { "batch" }, ("axis", 0))
            .Node("Gather", new[] { "s", "one" }, new[] { "channels" }, ("axis", 0))
            .Node("Unsqueeze", new[] { "batch", "axes0" }, new[] { "b1" })
            .Node("Unsqueeze", new[] { "channels", "axes0" }, new[] { "c1" })
            .Node("Concat", new[] { "b1", "c1", "minus1" }, new[] { "target" }, ("axis", 0))
            .Node("Reshape", new[] { "r", "target" }, new[] { "flat" })
            .Node("Slice", new[] { "s", "from2", "to4" }, new[] { "hw" })
            .Node("Gather", new[] { "hw", "one" }, new[] { "width" })
            .Node("Cast", new[] { "width" }, new[] { "hwf" }, ("to", (int)DT.Float))
            .Node("ConstantOfShape", new[] { "hw" }, new[] { "ones" }, ("value", Tensor("v", DT.Float, new long[] { 1 }, new double[] { 1 })))
            .Node("Add", new[] { "ones", "hwf" }, new[] { "bias" })
            .Node("Transpose", new[] { "flat" }, new[] { "t" }, ("perm", new[] { 0, 2, 1 }))
            .Node("Reshape", new[] { "t", "s" }, new[] { "back" })
            .Node("Add", new[] { "back", "bias" }, new[] { "y" })
            .Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var remaining = result.Graph!.Nodes.Select(n => n.OpType).ToArray();
        Assert.Equal(new[] { "Relu", "Reshape", "Transpose", "Reshape", "Add" }, remaining);
        OnnxAssert.MatchesOnnxRuntime(builder);
    }
}
