using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ClipTests : UnaryOpTestBase
{
    protected override string Op => "Clip";

    /// <summary>Opset 7 (Clip-6, bounds as attributes); the input forms are tested below.</summary>
    protected override int[] Opsets => new[] { 7 };

    protected override IEnumerable<(string Name, object Value)[]> AttributeSets(Random random)
    {
        float lo = -(float)random.NextDouble() * 4, hi = (float)random.NextDouble() * 4;
        yield return Array.Empty<(string, object)>();
        yield return new (string, object)[] { ("min", lo), ("max", hi) };
        yield return new (string, object)[] { ("min", lo) };
        yield return new (string, object)[] { ("max", hi) };
    }

    public static TheoryData<int, string, string> InputForms => new()
    {
        { 11, "constant", "constant" },
        { 11, "runtime", "runtime" },
        { 12, "omitted", "constant" },
        { 12, "constant", "omitted" },
        { 13, "runtime", "omitted" },
        { 13, "omitted", "runtime" },
        { 13, "omitted", "omitted" },
        { 13, "constant", "runtime" },
    };

    [Theory]
    [MemberData(nameof(InputForms))]
    public void Bounds_as_inputs_match_onnx_runtime(int opset, string min, string max)
    {
        var random = new Random(opset * 7 + min.Length + max.Length);
        float lo = -(float)random.NextDouble() * 2, hi = (float)random.NextDouble() * 2;
        var builder = new ModelBuilder(opset).Input("x", 3, 33);
        var inputs = ElementwiseModels.Inputs(("x", ElementwiseModels.WithSpecials(opset, 99)));
        string Bound(string form, string name, float value)
        {
            if (form == "omitted") return "";
            if (form == "constant") builder.Initializer(name, new[] { value });
            else { builder.Input(name); inputs[name] = new[] { value }; }
            return name;
        }
        var names = new[] { "x", Bound(min, "lo", lo), Bound(max, "hi", hi) };
        while (names[^1].Length == 0) names = names[..^1];
        builder.Node("Clip", names, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Min_greater_than_max_gives_max_everywhere(bool constant)
    {
        var builder = new ModelBuilder(13).Input("x", 37);
        var inputs = ElementwiseModels.Inputs(("x", ElementwiseModels.WithSpecials(3, 37)));
        if (constant) builder.Initializer("lo", new[] { 2f }).Initializer("hi", new[] { 1f });
        else
        {
            builder.Input("lo").Input("hi");
            inputs["lo"] = new[] { 2f };
            inputs["hi"] = new[] { 1f };
        }
        builder.Node("Clip", new[] { "x", "lo", "hi" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: inputs);
    }

    [Theory]
    [InlineData(TensorProto.Types.DataType.Int64)]
    [InlineData(TensorProto.Types.DataType.Int32)]
    [InlineData(TensorProto.Types.DataType.Uint8)]
    [InlineData(TensorProto.Types.DataType.Double)]
    public void Integer_and_double_inputs_run_from_opset_12(TensorProto.Types.DataType type)
    {
        var builder = new ModelBuilder(13).Input("x", type, 4, 9).Input("hi", type);
        var lo = new TensorProto { Name = "lo", DataType = (int)type };
        if (type == TensorProto.Types.DataType.Double) lo.DoubleData.Add(2.5); else lo.Int32Data.Add(3);
        if (type == TensorProto.Types.DataType.Int64) { lo.Int32Data.Clear(); lo.Int64Data.Add(3); }
        builder.Initializer(lo).Node("Clip", new[] { "x", "lo", "hi" }, new[] { "y" }).Output("y", type);
        var random = new Random(2);
        Array x = type switch
        {
            TensorProto.Types.DataType.Int64 => Enumerable.Range(0, 36).Select(_ => (long)random.Next(-10, 20)).ToArray(),
            TensorProto.Types.DataType.Int32 => Enumerable.Range(0, 36).Select(_ => random.Next(-10, 20)).ToArray(),
            TensorProto.Types.DataType.Uint8 => Enumerable.Range(0, 36).Select(_ => (byte)random.Next(0, 256)).ToArray(),
            _ => Enumerable.Range(0, 36).Select(_ => random.NextDouble() * 20 - 10).ToArray(),
        };
        Array hi = type switch
        {
            TensorProto.Types.DataType.Int64 => new long[] { 11 },
            TensorProto.Types.DataType.Int32 => new[] { 11 },
            TensorProto.Types.DataType.Uint8 => new byte[] { 11 },
            _ => new[] { 7.5 },
        };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), inputs: ElementwiseModels.Inputs(("x", x), ("hi", hi)));
    }

    [Fact]
    public void Integer_input_omitting_bounds_uses_the_type_limits()
    {
        // uint8, not int8: the oracle binds an sbyte[] as uint8 (CLR array covariance: an sbyte[] "is" a byte[]).
        var model = new ModelBuilder(13).Input("x", TensorProto.Types.DataType.Uint8, 5)
            .Node("Clip", new[] { "x" }, new[] { "y" }).Output("y", TensorProto.Types.DataType.Uint8);
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(("x", new byte[] { 0, 1, 127, 254, 255 })));
    }

    [Fact]
    public void Non_scalar_bounds_are_invalid()
    {
        var model = new ModelBuilder(13).Input("x", 4).Initializer("lo", new[] { 1f, 2f }, 2)
            .Node("Clip", new[] { "x", "lo" }, new[] { "y" }).Output("y");
        Assert.Contains(OnnxAssert.Compile(model.ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }
}
