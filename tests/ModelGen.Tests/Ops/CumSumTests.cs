using System;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// CumSum against ONNX Runtime: every axis (as a constant and as a run-time input), exclusive and reverse, inner rows long
/// enough for vectors and their tails, float, double and int32. CumProd (opset 26) is compared with running products
/// computed here, as the ONNX Runtime build may not have it.
/// </summary>
[Trait("Category", "Ops")]
public class CumSumTests
{
    private static ModelBuilder Model(string op, int opset, TensorProto.Types.DataType type, long[] shape, long? constantAxis, long exclusive, long reverse)
    {
        var b = new ModelBuilder(opset, irVersion: opset >= 26 ? 11 : 8).Input("x", type, shape);
        if (constantAxis is { } a) b.Initializer("axis", new[] { a }, 1);
        else b.Input("axis", TensorProto.Types.DataType.Int64, 1);
        return b.Node(op, new[] { "x", "axis" }, new[] { "y" }, ("exclusive", exclusive), ("reverse", reverse)).Output("y", type);
    }

    [Theory]
    [InlineData(new long[] { 7 })]
    [InlineData(new long[] { 3, 33 })]
    [InlineData(new long[] { 4, 2, 19 })]
    [InlineData(new long[] { 2, 5, 257 })]
    public void Every_axis_and_flag_matches_onnx_runtime(long[] shape)
    {
        int n = (int)shape.Aggregate(1L, (p, d) => p * d);
        var x = ElementwiseModels.Floats(n, n, -2f, 2f);
        for (int axis = -shape.Length; axis < shape.Length; axis++)
            foreach (long exclusive in new long[] { 0, 1 })
                foreach (long reverse in new long[] { 0, 1 })
                {
                    OnnxAssert.MatchesOnnxRuntime(Model("CumSum", 14, TensorProto.Types.DataType.Float, shape, axis, exclusive, reverse).Build(), inputs: ElementwiseModels.Inputs(("x", x)));
                    OnnxAssert.MatchesOnnxRuntime(Model("CumSum", 14, TensorProto.Types.DataType.Float, shape, null, exclusive, reverse).Build(),
                        inputs: ElementwiseModels.Inputs(("x", x), ("axis", new long[] { axis })));
                }
    }

    [Fact]
    public void Double_and_int32_match_onnx_runtime()
    {
        var shape = new long[] { 3, 11 };
        var random = new Random(3);
        var doubles = Enumerable.Range(0, 33).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        var ints = Enumerable.Range(0, 33).Select(_ => random.Next(-50, 50)).ToArray();
        foreach (long axis in new long[] { 0, 1 })
        {
            OnnxAssert.MatchesOnnxRuntime(Model("CumSum", 14, TensorProto.Types.DataType.Double, shape, axis, 1, 0).Build(), inputs: ElementwiseModels.Inputs(("x", doubles)));
            OnnxAssert.MatchesOnnxRuntime(Model("CumSum", 14, TensorProto.Types.DataType.Int32, shape, axis, 0, 1).Build(), inputs: ElementwiseModels.Inputs(("x", ints)));
        }
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 1, 0)]
    [InlineData(1, 0, 1)]
    [InlineData(-1, 1, 1)]
    public void CumProd_matches_running_products(long axis, long exclusive, long reverse)
    {
        var shape = new long[] { 3, 37 };
        var x = ElementwiseModels.Floats(5, 111, 0.5f, 1.5f);
        var options = ModelGen.Configuration.ModelOptions.Default("CumProdModel", "ModelGen.Tests.CumProd");
        var result = OnnxAssert.Compile(Model("CumProd", 26, TensorProto.Types.DataType.Float, shape, axis, exclusive, reverse).ToBytes(), options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var model = ModelGen.Cli.Verification.InMemoryModel.Load(result, options);
        var y = new float[111];
        model.Run(new Array[] { x }, new Array[] { y });
        int d = (int)(axis < 0 ? axis + 2 : axis);
        int rows = (int)shape[0], cols = (int)shape[1], len = d == 0 ? rows : cols;
        for (int other = 0; other < (d == 0 ? cols : rows); other++)
        {
            double acc = 1;
            for (int s = 0; s < len; s++)
            {
                int k = reverse == 1 ? len - 1 - s : s;
                int at = d == 0 ? k * cols + other : other * cols + k;
                double before = acc;
                acc *= x[at];
                double expected = exclusive == 1 ? before : acc;
                Assert.True(Math.Abs(y[at] - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"element {at}: expected {expected}, got {y[at]}");
            }
        }
    }

    [Fact]
    public void A_constant_input_folds_at_build_time()
    {
        var model = new ModelBuilder(14).Initializer("c", new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3).Initializer("axis", new long[] { 1 }, 1)
            .Node("CumSum", new[] { "c", "axis" }, new[] { "y" }, ("exclusive", 1L)).Output("y");
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        Assert.Empty(compiled.Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(model);
    }
}
