using System;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>Hardmax against ONNX Runtime: both axis rules (2-D coercion before opset 13, one axis from 13), ties, folding.</summary>
[Trait("Category", "Ops")]
public class HardmaxTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    public void Every_axis_matches_onnx_runtime(int opset)
    {
        foreach (var shape in new[] { new long[] { 7 }, new long[] { 3, 33 }, new long[] { 2, 3, 4, 5 } })
        {
            int n = (int)shape.Aggregate(1L, (p, d) => p * d);
            var random = new Random(n);
            var ties = Enumerable.Range(0, n).Select(_ => (float)random.Next(-2, 3)).ToArray();
            for (int axis = -shape.Length; axis < shape.Length; axis++)
                foreach (var data in new[] { ties, ElementwiseModels.Floats(n, n, -5f, 5f) })
                {
                    var model = new ModelBuilder(opset).Input("x", shape).Node("Hardmax", new[] { "x" }, new[] { "y" }, ("axis", (long)axis)).Output("y");
                    OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: ElementwiseModels.Inputs(("x", data)));
                }
        }
    }

    [Fact]
    public void A_constant_input_folds_at_build_time()
    {
        var model = new ModelBuilder(13).Initializer("c", new float[] { 1, 5, 5, -2, 7, 0 }, 2, 3).Node("Hardmax", new[] { "c" }, new[] { "y" }).Output("y");
        var compiled = OnnxAssert.Compile(model.ToBytes());
        Assert.True(compiled.Success, string.Join("; ", compiled.Diagnostics));
        Assert.Empty(compiled.Graph!.Nodes);
        OnnxAssert.MatchesOnnxRuntime(model);
    }
}
