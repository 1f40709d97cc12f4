using System;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class RangeTests
{
    [Theory]
    [InlineData(DT.Float, 0.5, 10.2, 0.7)]
    [InlineData(DT.Float, 3, -4, -0.3)]
    [InlineData(DT.Int64, 2, 100, 7)]
    [InlineData(DT.Int32, 10, -6, -3)]
    [InlineData(DT.Int64, 5, 5, 1)]
    [InlineData(DT.Double, -1, 1, 0.125)]
    [InlineData(DT.Float, 0, 6000, 1)]  // too large to embed: generated at run time
    public void Constant_inputs_match_onnx_runtime(DT type, double start, double limit, double delta)
    {
        // An extra Identity keeps a node in the graph whether or not Range folds.
        var builder = new ModelBuilder(opset: 13).Input("unused", 1)
            .Initializer(Scalar("s", type, start)).Initializer(Scalar("l", type, limit)).Initializer(Scalar("d", type, delta))
            .Node("Range", new[] { "s", "l", "d" }, new[] { "r" })
            .Node("Identity", new[] { "r" }, new[] { "y" }).Output("y", type);
        OnnxAssert.MatchesOnnxRuntime(builder.Build());
    }

    [Fact]
    public void Run_time_inputs_are_unsupported()
    {
        var builder = new ModelBuilder(opset: 13).Input("s", DT.Float).Initializer(Scalar("l", DT.Float, 4)).Initializer(Scalar("d", DT.Float, 1))
            .Node("Range", new[] { "s", "l", "d" }, new[] { "y" }).Output("y");
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id == "MG0203");
    }
}
