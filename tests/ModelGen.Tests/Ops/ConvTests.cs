using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class ConvTests
{
    private static ModelBuilder Conv2D(int seed, int n, int c, int h, int w, int m, int kh, int kw, bool bias, int opset = 13,
        params (string Name, object Value)[] attributes)
    {
        var random = new Random(seed);
        var attrs = attributes.ToList();
        int group = attrs.Where(a => a.Name == "group").Select(a => Convert.ToInt32(a.Value)).DefaultIfEmpty(1).First();
        var builder = new ModelBuilder(opset).Input("x", n, c, h, w)
            .Initializer("w", TestData.Floats(random, m * (c / group) * kh * kw), m, c / group, kh, kw);
        var inputs = new List<string> { "x", "w" };
        if (bias)
        {
            builder.Initializer("b", TestData.Floats(random, m), m);
            inputs.Add("b");
        }
        return builder.Node("Conv", inputs.ToArray(), new[] { "y" }, attrs.ToArray()).Output("y");
    }

    [Theory]
    [InlineData(1, 3, 8, 8, 4, 3, 3, 1, 1, 1)]
    [InlineData(1, 16, 17, 19, 33, 3, 3, 1, 1, 1)]
    [InlineData(2, 5, 9, 7, 6, 3, 3, 2, 2, 1)]
    [InlineData(1, 8, 15, 15, 8, 5, 5, 2, 1, 2)]
    [InlineData(1, 4, 12, 10, 20, 1, 1, 1, 0, 1)]
    [InlineData(1, 7, 13, 11, 9, 3, 1, 1, 0, 1)]
    [InlineData(1, 64, 14, 14, 64, 3, 3, 1, 1, 1)]
    public void Conv2d_matches_onnx_runtime(int n, int c, int h, int w, int m, int kh, int kw, int stride, int pad, int dilation)
    {
        var model = Conv2D(c * 31 + h, n, c, h, w, m, kh, kw, bias: true, 13,
            ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad, pad, pad }), ("dilations", new[] { dilation, dilation }));
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Theory]
    [InlineData(1, 8, 16, 16, 3, 1, 1)]
    [InlineData(1, 32, 17, 17, 3, 1, 1)]
    [InlineData(2, 6, 9, 33, 3, 2, 1)]
    [InlineData(1, 5, 20, 21, 5, 1, 2)]
    [InlineData(1, 5, 20, 21, 5, 2, 2)]
    public void Depthwise_matches_onnx_runtime(int n, int c, int h, int w, int k, int stride, int pad)
    {
        var model = Conv2D(c * 7 + k, n, c, h, w, c, k, k, bias: true, 13,
            ("group", c), ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad, pad, pad }));
        OnnxAssert.MatchesOnnxRuntime(model);
    }
}
