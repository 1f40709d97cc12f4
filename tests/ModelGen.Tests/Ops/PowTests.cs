using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class PowTests : BinaryOpTestBase
{
    protected override string Op => "Pow";
    protected override int IntMax => 5;
    protected override bool SignedSecond => false;

    [Fact]
    public void Negative_bases_zero_and_infinities_follow_c_pow()
    {
        float[] bases = { -2f, -2f, -2f, -8f, -1f, 0f, -0f, 0f, 2f, float.NaN, 1f, float.PositiveInfinity, float.NegativeInfinity, -3f, 1e-30f, 10f, -10f, -1.5f };
        float[] exps = { 3f, 0.5f, -2f, 1f / 3f, float.PositiveInfinity, -1f, -1f, 0f, -0.5f, 0f, float.NaN, -1f, 3f, 4f, 2f, 40f, 39f, -3f };
        // Repeated so the special lanes sit inside full vectors as well as in the scalar tail.
        int n = bases.Length * 5 + 3;
        var a = Enumerable.Range(0, n).Select(i => bases[i % bases.Length]).ToArray();
        var b = Enumerable.Range(0, n).Select(i => exps[i % exps.Length]).ToArray();
        var model = ElementwiseModels.Single("Pow", 15, new[] { new long[] { n }, new long[] { n } });
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(("x0", a), ("x1", b)));
    }

    [Theory]
    [InlineData(2f)]
    [InlineData(3f)]
    [InlineData(1f)]
    [InlineData(0.5f)]
    [InlineData(-1f)]
    public void Constant_scalar_exponents_match_onnx_runtime(float exponent)
    {
        var model = new ModelBuilder(13).Input("x", 3, 37).Initializer("e", new[] { exponent })
            .Node("Pow", new[] { "x", "e" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(("x", ElementwiseModels.Floats(4, 111, -3f, 3f))));
    }

    [Theory]
    [InlineData(2f, "SquareOperator")]
    [InlineData(3f, "CubeOperator")]
    [InlineData(-1f, "ReciprocalOperator")]
    [InlineData(0.5f, "SqrtPowOperator")]
    public void Common_constant_exponents_get_a_vectorized_kernel(float exponent, string op)
    {
        var model = new ModelBuilder(13).Input("x", 5).Initializer("e", new[] { exponent }).Node("Pow", new[] { "x", "e" }, new[] { "y" }).Output("y");
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.Contains($"Operators.{op}>(", compiled.Source);
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(-1f)]
    [InlineData(3f)]
    public void Specialized_exponents_keep_pow_special_values(float exponent)
    {
        var model = new ModelBuilder(13).Input("x", 53).Initializer("e", new[] { exponent }).Node("Pow", new[] { "x", "e" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(("x", ElementwiseModels.WithSpecials(4, 53))));
    }

    [Theory]
    [InlineData(TensorProto.Types.DataType.Int64, true)]
    [InlineData(TensorProto.Types.DataType.Int64, false)]
    [InlineData(TensorProto.Types.DataType.Int32, false)]
    public void Float_base_with_an_integer_exponent(TensorProto.Types.DataType exponentType, bool constant)
    {
        var builder = new ModelBuilder(15).Input("x", 4, 9);
        if (constant)
        {
            var e = new TensorProto { Name = "e", DataType = (int)exponentType };
            e.Dims.Add(9);
            e.Int64Data.AddRange(new long[] { 0, 1, 2, 3, -1, -2, 5, 4, 7 });
            builder.Initializer(e);
        }
        else builder.Input("e", exponentType, 9);
        var model = builder.Node("Pow", new[] { "x", "e" }, new[] { "y" }).Output("y");
        var x = ElementwiseModels.Floats(8, 36, -2f, 2f);
        var inputs = constant ? ElementwiseModels.Inputs(("x", x))
            : exponentType == TensorProto.Types.DataType.Int64 ? ElementwiseModels.Inputs(("x", x), ("e", new long[] { 0, 1, 2, 3, -1, -2, 5, 4, 7 }))
            : ElementwiseModels.Inputs(("x", x), ("e", new[] { 0, 1, 2, 3, -1, -2, 5, 4, 7 }));
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: inputs);
    }

    [Fact]
    public void Integer_base_with_a_float_exponent()
    {
        var model = new ModelBuilder(15).Input("x", TensorProto.Types.DataType.Int64, 6).Input("e", 6)
            .Node("Pow", new[] { "x", "e" }, new[] { "y" }).Output("y", TensorProto.Types.DataType.Int64);
        var inputs = ElementwiseModels.Inputs(("x", new long[] { 1, 2, 3, 4, -3, 10 }), ("e", new[] { 4f, 5f, 6f, 0.5f, 3f, 2f }));
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: inputs);
    }

    [Fact]
    public void Mixed_types_are_invalid_before_opset_12()
    {
        var model = new ModelBuilder(11).Input("x", 3).Input("e", TensorProto.Types.DataType.Int64, 3)
            .Node("Pow", new[] { "x", "e" }, new[] { "y" }).Output("y");
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.Contains(compiled.Diagnostics, d => d.Id == "MG0102");
    }
}
