using System;
using System.Linq;
using ModelGen.Configuration;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
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

    /// <summary>Every data-movement kernel in one model: after warm-up, a Predict call allocates nothing.</summary>
    [Fact]
    public void Data_movement_predict_allocates_nothing()
    {
        var builder = new ModelBuilder(opset: 19).Input("x", 1, 4, 6, 5).Input("i", DT.Int64, 3)
            .Initializer(Longs("pads", 0, 0, 1, 2, 0, 0, 1, 0)).Initializer(Floats("scales", 1, 1, 2, 1.5f))
            .Initializer(Longs("starts", 5, 0)).Initializer(Longs("ends", 0, 4)).Initializer(Longs("axes", 2, 3)).Initializer(Longs("steps", -2, 1))
            .Initializer(Longs("big", 1, 4, 60, 50)).Initializer(Longs("target", 2, 1, 1, 3, 4))
            .Node("Transpose", new[] { "x" }, new[] { "t" }, ("perm", new[] { 0, 2, 3, 1 }))
            .Node("Transpose", new[] { "t" }, new[] { "u" }, ("perm", new[] { 0, 3, 1, 2 }))
            .Node("Pad", new[] { "u", "pads" }, new[] { "p" }, ("mode", "reflect"))
            .Node("Resize", new[] { "p", "", "scales" }, new[] { "r" }, ("mode", "linear"))
            .Node("Resize", new[] { "x", "", "scales" }, new[] { "n" }, ("mode", "nearest"))
            .Node("Slice", new[] { "x", "starts", "ends", "axes", "steps" }, new[] { "s" })
            .Node("Gather", new[] { "x", "i" }, new[] { "g" }, ("axis", 1))
            .Node("Concat", new[] { "x", "g" }, new[] { "c" }, ("axis", 1))
            .Node("Split", new[] { "c" }, new[] { "c0", "c1" }, ("axis", 1), ("num_outputs", 2))
            .Node("Cast", new[] { "c1" }, new[] { "ci" }, ("to", (int)DT.Int32))
            .Node("Cast", new[] { "ci" }, new[] { "cf" }, ("to", (int)DT.Float))
            .Node("ConstantOfShape", new[] { "big" }, new[] { "zeros" })
            .Node("Expand", new[] { "s", "target" }, new[] { "e" })
            .Output("r").Output("n").Output("cf").Output("zeros").Output("e");
        var options = ModelOptions.Default("AllocationModel", "ModelGen.Tests.Generated");
        var result = ModelCompiler.Compile(builder.ToBytes(), "alloc.onnx", options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var model = InMemoryModel.Load(result, options);
        var inputs = new Array[] { new float[120], new long[] { 0, 3, -1 } };
        var outputs = model.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        for (int k = 0; k < 50; k++) model.Run(inputs, outputs);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 20; k++) model.Run(inputs, outputs);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: new System.Collections.Generic.Dictionary<string, Array> { ["i"] = new long[] { 0, 3, -1 } });
    }
}
