using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;
using static ModelGen.Tests.Ops.ShapeOpTestData;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class CastTests
{
    /// <summary>Inputs within the target's range (out-of-range float to integer casts are undefined in ONNX).</summary>
    private static Array Input(DT from, DT to, int n, Random random)
    {
        double scale = to switch
        {
            DT.Uint8 or DT.Int8 => 127,
            DT.Float16 => 1000,
            _ when from == DT.Float16 => 1000,
            DT.Bool => 2,
            _ => 1e6,
        };
        var values = Values(random, from, n, scale);
        if (from == DT.Float && to == DT.Uint8) values = ((float[])values).Select(Math.Abs).Select(v => v * 2).ToArray();
        if (from is DT.Float or DT.Double && to == DT.Bool)
            for (int i = 0; i < n; i += 3) values.SetValue(Convert.ChangeType(0, values.GetType().GetElementType()!), i);
        return values;
    }

    [Theory]
    [InlineData(DT.Float, DT.Int32)]
    [InlineData(DT.Int32, DT.Float)]
    [InlineData(DT.Float, DT.Int64)]
    [InlineData(DT.Int64, DT.Float)]
    [InlineData(DT.Float, DT.Double)]
    [InlineData(DT.Double, DT.Float)]
    [InlineData(DT.Float, DT.Uint8)]
    [InlineData(DT.Uint8, DT.Float)]
    [InlineData(DT.Float, DT.Bool)]
    [InlineData(DT.Bool, DT.Float)]
    [InlineData(DT.Float, DT.Float16)]
    [InlineData(DT.Float16, DT.Float)]
    [InlineData(DT.Int32, DT.Int64)]
    [InlineData(DT.Int64, DT.Int32)]
    [InlineData(DT.Double, DT.Int64)]
    [InlineData(DT.Int64, DT.Double)]
    [InlineData(DT.Uint8, DT.Int64)]
    [InlineData(DT.Int64, DT.Uint8)]
    [InlineData(DT.Bool, DT.Int64)]
    [InlineData(DT.Int32, DT.Bool)]
    [InlineData(DT.Float16, DT.Int32)]
    [InlineData(DT.Double, DT.Float16)]
    public void Runtime_casts_match_onnx_runtime(DT from, DT to)
    {
        foreach (int n in new[] { 1, 7, 33, 201 })
        {
            var builder = new ModelBuilder(opset: 13).Input("x", from, n)
                .Node("Cast", new[] { "x" }, new[] { "y" }, ("to", (int)to)).Output("y", to);
            var input = Input(from, to, n, new Random(n));
            OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 0, relTolerance: 0, inputs: new Dictionary<string, Array> { ["x"] = input });
        }
    }

    /// <summary>
    /// int8 stays inside the graph: float -> int8 -> int32 and float -> int8 -> float run both int8 kernels
    /// (the ORT oracle binds sbyte[] arrays as uint8, so int8 cannot be a graph input or output here).
    /// </summary>
    [Theory]
    [InlineData(DT.Int32)]
    [InlineData(DT.Float)]
    public void Int8_round_trips_match_onnx_runtime(DT back)
    {
        foreach (int n in new[] { 5, 70, 257 })
        {
            var builder = new ModelBuilder(opset: 13).Input("x", DT.Float, n)
                .Node("Cast", new[] { "x" }, new[] { "i8" }, ("to", (int)DT.Int8))
                .Node("Cast", new[] { "i8" }, new[] { "y" }, ("to", (int)back)).Output("y", back);
            var input = Values(new Random(n), DT.Float, n, 127);
            OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 0, relTolerance: 0, inputs: new Dictionary<string, Array> { ["x"] = input });
        }
    }

    [Theory]
    [InlineData(DT.Float, DT.Int64)]
    [InlineData(DT.Int64, DT.Float)]
    [InlineData(DT.Float, DT.Uint8)]
    [InlineData(DT.Int64, DT.Int32)]
    [InlineData(DT.Float, DT.Bool)]
    [InlineData(DT.Float, DT.Float16)]
    public void Constant_casts_fold_and_match_onnx_runtime(DT from, DT to)
    {
        var random = new Random(5);
        var values = Input(from, to, 12, random);
        var doubles = values.Cast<object>().Select(v => v is Half h ? (double)h : Convert.ToDouble(v)).ToArray();
        var builder = new ModelBuilder(opset: 13).Input("x", to, 12)
            .Initializer(Tensor("c", from, new long[] { 12 }, doubles))
            .Node("Cast", new[] { "c" }, new[] { "y" }, ("to", (int)to))
            .Node("Identity", new[] { "y" }, new[] { "z" }).Output("z", to);
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType == "Cast");
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 0, relTolerance: 0);
    }

    [Fact]
    public void Casting_to_string_is_unsupported()
    {
        var builder = new ModelBuilder(opset: 13).Input("x", 3)
            .Node("Cast", new[] { "x" }, new[] { "y" }, ("to", (int)DT.String)).Output("y", DT.String);
        Assert.Contains(OnnxAssert.Compile(builder.ToBytes()).Diagnostics, d => d.Id is "MG0203" or "MG0202");
    }
}
