using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Passes;

/// <summary>A model converted to float16: operators that compute in float run between exact casts, against ONNX Runtime.</summary>
[Trait("Category", "Ops")]
public class HalfPrecisionTests
{
    private static TensorProto Half(string name, float[] values, params long[] shape)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), (System.Half)values[i]);
        return ModelBuilder.RawTensor(name, DT.Float16, bytes, shape);
    }

    [Fact]
    public void A_float16_network_compiles_whole_and_matches_onnx_runtime()
    {
        // Conv + Relu, MaxPool, Flatten, MatMul + Add, Softmax: all float16, weights too.
        var random = new Random(17);
        var model = new ModelBuilder(13).Input("x", DT.Float16, 1, 3, 8, 8)
            .Initializer(Half("w", TestData.Floats(random, 8 * 3 * 9, 0.3f), 8, 3, 3, 3))
            .Initializer(Half("b", TestData.Floats(random, 8, 0.1f), 8))
            .Initializer(Half("fc", TestData.Floats(random, 128 * 10, 0.1f), 128, 10))
            .Initializer(Half("fcb", TestData.Floats(random, 10, 0.1f), 10))
            .Node("Conv", new[] { "x", "w", "b" }, new[] { "c" }, ("pads", new[] { 1, 1, 1, 1 }))
            .Node("Relu", new[] { "c" }, new[] { "r" })
            .Node("MaxPool", new[] { "r" }, new[] { "p" }, ("kernel_shape", new[] { 2, 2 }), ("strides", new[] { 2, 2 }))
            .Node("Flatten", new[] { "p" }, new[] { "f" })
            .Node("MatMul", new[] { "f", "fc" }, new[] { "m" })
            .Node("Add", new[] { "m", "fcb" }, new[] { "logits" })
            .Node("Softmax", new[] { "logits" }, new[] { "y" })
            .Output("y", DT.Float16);
        OnnxAssert.MatchesOnnxRuntime(model.Build(), absTolerance: 2e-3, relTolerance: 5e-3);

        var plan = OnnxAssert.Compile(model.ToBytes()).Plan!;
        Assert.Contains(plan.Steps, s => s.Origin.OpTypes.Contains("Conv"));
        Assert.Equal(DataType.Float16, Assert.Single(plan.Outputs.Select(o => plan.Buffer(o.Buffer).Type)));
    }

    [Fact]
    public void Double_is_not_computed_in_float()
    {
        var model = new ModelBuilder(13).Input("x", DT.Double, 1, 3, 8, 8).Input("w", DT.Double, 4, 3, 3, 3)
            .Node("Conv", new[] { "x", "w" }, new[] { "y" }).Output("y", DT.Double);
        var result = OnnxAssert.Compile(model.ToBytes());
        Assert.Contains(result.Diagnostics, d => d.Id == "MG0203");
    }
}
