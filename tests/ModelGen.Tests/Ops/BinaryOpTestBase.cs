using System;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// The tests every broadcasting elementwise op shares (each op's test class derives from this and adds its own special
/// values): random broadcast shapes, the shapes the kernel has fast paths for, integer types at run time and at build time.
/// </summary>
public abstract class BinaryOpTestBase
{
    protected abstract string Op { get; }

    /// <summary>Integer inputs drawn from [0, IntMax] (kept small so Pow and Mul stay in range).</summary>
    protected virtual int IntMax => 9;

    /// <summary>Whether integer inputs must avoid zero in the second operand (Div).</summary>
    protected virtual bool NonZeroDivisor => false;

    /// <summary>Whether the op's type constraint includes integers (Sum's does not).</summary>
    protected virtual bool IntegerTypes => true;

    /// <summary>Whether the second operand may be negative (not for integer Pow: 0^-1 is undefined behaviour in ONNX Runtime).</summary>
    protected virtual bool SignedSecond => true;

    [Theory]
    [InlineData(1, 17)]
    [InlineData(2, 13)]
    [InlineData(3, 8)]
    public void Random_broadcast_shapes_match_onnx_runtime(int seed, int opset) =>
        OnnxAssert.MatchesOnnxRuntime(ElementwiseModels.RandomBroadcast(Op, seed, cases: 6, opset));

    public static TheoryData<long[], long[]> FastPathShapes => new()
    {
        { new long[] { 3, 17, 33 }, new long[] { 3, 17, 33 } },   // same shape: one flat loop
        { new long[] { 2, 5, 7, 9 }, new long[] { } },            // scalar
        { new long[] { }, new long[] { 4, 33 } },                 // scalar on the left
        { new long[] { 257 }, new long[] { 1 } },                 // [1] broadcast
        { new long[] { 2, 5, 7, 9 }, new long[] { 5, 1, 1 } },    // per channel
        { new long[] { 5, 1, 1 }, new long[] { 2, 5, 7, 9 } },    // per channel on the left
        { new long[] { 3, 20, 20 }, new long[] { 20 } },          // per column
        { new long[] { 7, 1 }, new long[] { 1, 33 } },            // outer product
        { new long[] { 1, 1, 1 }, new long[] { 1 } },             // all ones
    };

    [Theory]
    [MemberData(nameof(FastPathShapes))]
    public void Fast_path_shapes_match_onnx_runtime(long[] a, long[] b) =>
        OnnxAssert.MatchesOnnxRuntime(ElementwiseModels.Single(Op, 17, new[] { a, b }));

    [Fact]
    public void A_constant_operand_becomes_a_weight()
    {
        var model = new ModelBuilder(17).Input("x", 2, 3, 19).Initializer("w", ElementwiseModels.Floats(3, 57, 0.5f, 2f), 3, 19)
            .Node(Op, new[] { "x", "w" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Theory]
    [InlineData(TensorProto.Types.DataType.Int64)]
    [InlineData(TensorProto.Types.DataType.Int32)]
    [InlineData(TensorProto.Types.DataType.Double)]
    public void Other_numeric_types_run_on_the_generic_path(TensorProto.Types.DataType type)
    {
        var model = new ModelBuilder(14).Input("a", type, 3, 4, 5).Input("b", type, 4, 1)
            .Node(Op, new[] { "a", "b" }, new[] { "y" }).Output("y", type);
        if (!IntegerTypes && type != TensorProto.Types.DataType.Double)
        {
            AssertInvalid(model);
            return;
        }
        var random = new Random(5);
        Array Data(int n, bool nonZero, bool signed) => type switch
        {
            TensorProto.Types.DataType.Int64 => Enumerable.Range(0, n).Select(_ => (long)random.Next(nonZero ? 1 : 0, IntMax + 1) * (signed ? random.Next(2) * 2 - 1 : 1)).ToArray(),
            TensorProto.Types.DataType.Int32 => Enumerable.Range(0, n).Select(_ => random.Next(nonZero ? 1 : 0, IntMax + 1) * (signed ? random.Next(2) * 2 - 1 : 1)).ToArray(),
            _ => Enumerable.Range(0, n).Select(_ => random.NextDouble() * 4 - 2).ToArray(),
        };
        var inputs = ElementwiseModels.Inputs(("a", Data(60, false, true)), ("b", Data(4, NonZeroDivisor, SignedSecond)));
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: inputs);
    }

    [Fact]
    public void Int64_constants_fold_at_build_time()
    {
        var model = new ModelBuilder(17).Initializer("a", new long[] { 6, -7, 8, 1 << 20, 3, 4 }, 2, 3).Initializer("b", new long[] { 2, 3, -5 }, 3)
            .Node(Op, new[] { "a", "b" }, new[] { "c" }).Output("c", TensorProto.Types.DataType.Int64);
        if (!IntegerTypes)
        {
            AssertInvalid(model);
            return;
        }
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        Assert.Empty(compiled.Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    protected static void AssertInvalid(ModelBuilder model) =>
        Assert.Contains(OnnxAssert.Compile(model.ToBytes()).Diagnostics, d => d.Id == "MG0102");
}
