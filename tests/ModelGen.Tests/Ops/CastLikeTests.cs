using System;
using System.Collections.Generic;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class CastLikeTests
{
    [Theory]
    [InlineData(DT.Float, DT.Int32)]
    [InlineData(DT.Int64, DT.Float)]
    [InlineData(DT.Float, DT.Float16)]
    [InlineData(DT.Uint8, DT.Float)]
    public void Casts_to_the_type_of_a_run_time_target(DT from, DT to)
    {
        var builder = new ModelBuilder(opset: 15).Input("x", from, 3, 11).Input("like", to, 1)
            .Node("CastLike", new[] { "x", "like" }, new[] { "y" }).Output("y", to);
        var input = Values(new Random(3), from, 33, 1000);
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 0, relTolerance: 0, inputs: new Dictionary<string, Array> { ["x"] = input });
    }

    [Fact]
    public void Constant_data_folds_even_with_a_run_time_target()
    {
        var builder = new ModelBuilder(opset: 15).Input("like", DT.Double, 2)
            .Initializer(Longs("c", 3, -4, 5))
            .Node("CastLike", new[] { "c", "like" }, new[] { "y" }).Output("y", DT.Double);
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.Empty(result.Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(builder);
    }
}
