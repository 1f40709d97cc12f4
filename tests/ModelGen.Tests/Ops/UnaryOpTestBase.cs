using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// The tests every float activation shares: lengths that exercise each vector width's remainder, NaN/±∞/±0, every
/// opset the op exists in, seeded random attribute values, and folding of a constant input at build time.
/// </summary>
public abstract class UnaryOpTestBase
{
    protected abstract string Op { get; }

    /// <summary>Opsets where the op (or a new version of it) appears, all ≥ 7.</summary>
    protected virtual int[] Opsets => new[] { 7, 13 };

    /// <summary>Input range of the random data.</summary>
    protected virtual (float Lo, float Hi) Range => (-6f, 6f);

    /// <summary>Attribute sets to try, seeded; none by default.</summary>
    protected virtual IEnumerable<(string Name, object Value)[]> AttributeSets(Random random)
    {
        yield return Array.Empty<(string, object)>();
    }

    private ModelBuilder Model(int opset, long[] shape, (string Name, object Value)[] attributes) =>
        new ModelBuilder(opset).Input("x", shape).Node(Op, new[] { "x" }, new[] { "y" }, attributes).Output("y");

    private void Check(int opset, long[] shape, (string Name, object Value)[] attributes, float[]? data = null, int seed = 1)
    {
        int n = (int)shape.Aggregate(1L, (p, d) => p * d);
        data ??= ElementwiseModels.Floats(seed, n, Range.Lo, Range.Hi);
        OnnxAssert.MatchesOnnxRuntime(Model(opset, shape, attributes).Build(), inputs: ElementwiseModels.Inputs(("x", data)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(67)]
    [InlineData(257)]
    public void Every_length_matches_onnx_runtime(int n)
    {
        foreach (var attributes in AttributeSets(new Random(n)))
            Check(Opsets[^1], new long[] { n }, attributes, seed: n);
    }

    [Fact]
    public void Every_opset_and_attribute_set_matches_onnx_runtime()
    {
        var random = new Random(42);
        foreach (int opset in Opsets)
            foreach (var attributes in AttributeSets(random))
                Check(opset, new long[] { 2, 3, 19 }, attributes, seed: opset);
    }

    [Fact]
    public void Nan_infinities_and_signed_zeros_match_onnx_runtime()
    {
        foreach (var attributes in AttributeSets(new Random(3)))
            Check(Opsets[^1], new long[] { 53 }, attributes, ElementwiseModels.WithSpecials(7, 53, Math.Max(Math.Abs(Range.Lo), Math.Abs(Range.Hi))));
    }

    [Fact]
    public void A_constant_input_folds_at_build_time()
    {
        var attributes = AttributeSets(new Random(5)).Last();
        var model = new ModelBuilder(Opsets[^1]).Initializer("c", ElementwiseModels.Floats(9, 21, Range.Lo, Range.Hi), 3, 7)
            .Node(Op, new[] { "c" }, new[] { "y" }, attributes).Output("y");
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        Assert.Empty(compiled.Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    /// <summary>True for ops that also run on integers (Neg, Abs, Sign): an int64 input is then compared with ONNX Runtime.</summary>
    protected virtual bool AcceptsIntegers => false;

    [Fact]
    public void A_non_float_input_is_reported()
    {
        var model = new ModelBuilder(Opsets[^1]).Input("x", ModelGen.Onnx.Proto.TensorProto.Types.DataType.Int64, 4)
            .Node(Op, new[] { "x" }, new[] { "y" }).Output("y", ModelGen.Onnx.Proto.TensorProto.Types.DataType.Int64);
        if (AcceptsIntegers)
        {
            OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(("x", new long[] { -7, 0, 5, long.MinValue + 1 })));
            return;
        }
        Assert.False(OnnxAssert.Compile(model.ToBytes()).Success);
    }
}
