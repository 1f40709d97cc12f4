using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// Reductions in both forms (axes attribute before <see cref="AxesInputSince"/>, axes input from it), random axis sets
/// including non-adjacent ones (several kernel calls through scratch), keepdims, negative axes, noop_with_empty_axes,
/// empty reductions and integer folding.
/// </summary>
public abstract class ReduceTestBase
{
    protected abstract string Op { get; }
    protected abstract int AxesInputSince { get; }

    private int AttributeOpset => AxesInputSince == 13 ? 11 : 13;

    /// <summary>A model reducing x over <paramref name="axes"/> (null: attribute/input omitted) in the form the opset uses.</summary>
    private ModelBuilder Model(int opset, long[] shape, long[]? axes, long? keepDims, long? noop = null, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        var builder = new ModelBuilder(opset).Input("x", type, shape);
        var attributes = new List<(string, object)>();
        if (keepDims is not null) attributes.Add(("keepdims", keepDims.Value));
        if (noop is not null) attributes.Add(("noop_with_empty_axes", noop.Value));
        var inputs = new List<string> { "x" };
        if (axes is not null)
        {
            if (opset >= AxesInputSince)
            {
                builder.Initializer("axes", axes, axes.Length);
                inputs.Add("axes");
            }
            else attributes.Add(("axes", axes));
        }
        return builder.Node(Op, inputs.ToArray(), new[] { "y" }, attributes.ToArray()).Output("y", type);
    }

    private static void Run(ModelBuilder model, long[] shape, int seed)
    {
        int n = (int)shape.Aggregate(1L, (p, d) => p * d);
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(("x", ElementwiseModels.Floats(seed, n, -3f, 3f))));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_axes_in_both_forms_match_onnx_runtime(int seed)
    {
        var random = new Random(seed);
        foreach (int opset in new[] { AttributeOpset, AxesInputSince })
            for (int trial = 0; trial < 4; trial++)
            {
                var shape = ElementwiseModels.RandomShape(random, random.Next(1, 5));
                var axes = Enumerable.Range(0, shape.Length).Where(_ => random.Next(2) == 0)
                    .Select(a => (long)(random.Next(2) == 0 ? a : a - shape.Length)).ToArray();
                if (axes.Length == 0) axes = new long[] { random.Next(shape.Length) };
                Run(Model(opset, shape, axes, random.Next(2)), shape, seed * 10 + trial);
            }
    }

    public static TheoryData<long[], long[]> AxisGroups => new()
    {
        { new long[] { 2, 3, 4, 5 }, new long[] { 0, 2 } },       // two separate groups: scratch between calls
        { new long[] { 2, 3, 4, 5 }, new long[] { 1, 3 } },
        { new long[] { 3, 4, 5, 6 }, new long[] { 0, 1, 3 } },
        { new long[] { 3, 1, 17, 2 }, new long[] { 0, 1, 3 } },   // size-1 axis between
        { new long[] { 6, 33 }, new long[] { 1 } },               // contiguous rows
        { new long[] { 33, 6 }, new long[] { 0 } },               // strided
        { new long[] { 2, 1, 7 }, new long[] { 1 } },             // only a size-1 axis: a copy
        { new long[] { 2, 0, 3, 4 }, new long[] { 1, 3 } },       // an empty axis among two groups
    };

    [Theory]
    [MemberData(nameof(AxisGroups))]
    public void Axis_groups_match_onnx_runtime(long[] shape, long[] axes)
    {
        foreach (long keep in new long[] { 0, 1 })
        {
            Run(Model(AttributeOpset, shape, axes, keep), shape, 1);
            Run(Model(AxesInputSince, shape, axes, keep), shape, 2);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Omitted_axes_reduce_everything(bool keepDims)
    {
        var shape = new long[] { 3, 5, 7 };
        Run(Model(AttributeOpset, shape, null, keepDims ? null : 0), shape, 3);
        Run(Model(AxesInputSince, shape, null, keepDims ? null : 0), shape, 4);
        Run(Model(AxesInputSince, shape, Array.Empty<long>(), keepDims ? null : 0, noop: 0), shape, 5);
    }

    [Fact]
    public void Noop_with_empty_axes_is_an_identity()
    {
        var shape = new long[] { 3, 5, 7 };
        Run(Model(AxesInputSince, shape, null, 0, noop: 1), shape, 6);
        Run(Model(AxesInputSince, shape, Array.Empty<long>(), 1, noop: 1), shape, 7);
    }

    /// <summary>False for reductions defined through float-only ops (ReduceL2's Sqrt, ReduceLogSum's Log): int64 is then reported unsupported (MG0202/MG0203).</summary>
    protected virtual bool FoldsInt64 => true;

    [Fact]
    public void Int64_constants_fold_at_build_time()
    {
        var model = new ModelBuilder(AxesInputSince).Initializer("c", new long[] { 4, -9, 7, 12, 3, 1 }, 2, 3).Initializer("axes", new long[] { 1 }, 1)
            .Node(Op, new[] { "c", "axes" }, new[] { "y" }, ("keepdims", 0L)).Output("y", TensorProto.Types.DataType.Int64);
        var compiled = OnnxAssert.Compile(model.ToBytes());
        if (!FoldsInt64)
        {
            Assert.Contains(compiled.Diagnostics, d => d.Id is "MG0202" or "MG0203");
            return;
        }
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        Assert.Empty(compiled.Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Axes_computed_at_run_time_are_reported()
    {
        var model = new ModelBuilder(AxesInputSince).Input("x", 3, 4).Input("axes", TensorProto.Types.DataType.Int64, 1)
            .Node(Op, new[] { "x", "axes" }, new[] { "y" }).Output("y");
        Assert.Contains(OnnxAssert.Compile(model.ToBytes()).Diagnostics, d => d.Id == "MG0203");
    }

    [Fact]
    public void Duplicate_or_out_of_range_axes_are_invalid()
    {
        Assert.Contains(OnnxAssert.Compile(Model(AxesInputSince, new long[] { 3, 4 }, new long[] { 1, -1 }, 1).ToBytes()).Diagnostics, d => d.Id == "MG0102");
        Assert.Contains(OnnxAssert.Compile(Model(AttributeOpset, new long[] { 3, 4 }, new long[] { 2 }, 1).ToBytes()).Diagnostics, d => d.Id == "MG0102");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Reducing_an_empty_axis_gives_the_identity(long keepDims)
    {
        var shape = new long[] { 2, 0, 3 };
        OnnxAssert.MatchesOnnxRuntime(Model(AxesInputSince, shape, new long[] { 1 }, keepDims).Build(), inputs: ElementwiseModels.Inputs(("x", new float[0])));
    }
}
