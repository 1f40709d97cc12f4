using System;
using System.Linq;
using ModelGen.Cli.Verification;
using ModelGen.Configuration;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>BitCast (opset 26): the ONNX backend cases at run time, and folding on constants against BitConverter.</summary>
[Trait("Category", "Ops")]
public class BitCastTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in BackendTestCase.Names("test_bitcast_")) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backend_case_passes(string name) => BackendTestCase.Load(name).AssertPasses(0, 0);

    [Fact]
    public void Backend_cases_are_all_there() => Assert.Equal(10, BackendTestCase.Names("test_bitcast_").Count);

    [Fact]
    public void Constant_floats_fold_to_their_int32_bits_and_back()
    {
        var values = new[] { 1f, -0f, float.NaN, float.PositiveInfinity, 3.14159f, -1e-40f, 123456.78f };
        var options = ModelOptions.Default("BitCastModel", "ModelGen.Tests.BitCast");
        var bytes = new ModelBuilder(26).Input("x", values.Length).Initializer("c", values, values.Length)
            .Node("BitCast", new[] { "c" }, new[] { "bits" }, ("to", (long)TensorProto.Types.DataType.Int32))
            .Node("Cast", new[] { "bits" }, new[] { "asfloat" }, ("to", (long)TensorProto.Types.DataType.Float))
            .Node("Add", new[] { "x", "asfloat" }, new[] { "y" })
            .Node("BitCast", new[] { "bits" }, new[] { "back" }, ("to", (long)TensorProto.Types.DataType.Float))
            .Output("y").Output("back").ToBytes();
        var result = OnnxAssert.Compile(bytes, options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        Assert.DoesNotContain(result.Graph!.Nodes, n => n.OpType == "BitCast");
        var model = InMemoryModel.Load(result, options);
        var x = new float[values.Length];
        var y = new float[values.Length];
        var back = new float[values.Length];
        model.Run(new Array[] { x }, new Array[] { y, back });
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal((float)BitConverter.SingleToInt32Bits(values[i]), y[i]);
            Assert.Equal(BitConverter.SingleToInt32Bits(values[i]), BitConverter.SingleToInt32Bits(back[i]));
        }
    }

    [Fact]
    public void Different_widths_are_an_error()
    {
        var bytes = new ModelBuilder(26).Input("x", 4).Node("BitCast", new[] { "x" }, new[] { "y" }, ("to", (long)TensorProto.Types.DataType.Int64)).Output("y", TensorProto.Types.DataType.Int64).ToBytes();
        ModelGen.Tests.Diagnostics.DiagnosticAssert.Reports(OnnxAssert.Compile(bytes).Diagnostics, "MG0102", "equal widths");
    }
}
