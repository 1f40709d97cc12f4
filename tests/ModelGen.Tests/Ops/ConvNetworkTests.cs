using System;
using System.Linq;
using ModelGen.Configuration;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>Small networks built from the conv family (with folding, fusion and shared scratch) against ONNX Runtime.</summary>
[Trait("Category", "Ops")]
public class ConvNetworkTests
{
    private static float[] Positive(Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(0.5 + random.NextDouble())).ToArray();

    private sealed class Net
    {
        private readonly Random _random;
        private int _id;

        public Net(int seed, int opset = 13)
        {
            _random = new Random(seed);
            Builder = new ModelBuilder(opset);
        }

        public ModelBuilder Builder { get; }

        public string ConvBnRelu(string x, int c, int m, int k, int stride = 1, int group = 1, bool relu = true)
        {
            string id = (_id++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            float scale = (float)Math.Sqrt(2.0 / (c / group * k * k));
            Builder.Initializer("w" + id, TestData.Floats(_random, m * (c / group) * k * k, scale), m, c / group, k, k)
                .Node("Conv", new[] { x, "w" + id }, new[] { "c" + id }, ("pads", Enumerable.Repeat(k / 2, 4).ToArray()), ("strides", new[] { stride, stride }), ("group", group))
                .Initializer("s" + id, Positive(_random, m), m).Initializer("b" + id, TestData.Floats(_random, m, 0.1f), m)
                .Initializer("m" + id, TestData.Floats(_random, m, 0.1f), m).Initializer("v" + id, Positive(_random, m), m)
                .Node("BatchNormalization", new[] { "c" + id, "s" + id, "b" + id, "m" + id, "v" + id }, new[] { "n" + id });
            if (!relu) return "n" + id;
            Builder.Node("Relu", new[] { "n" + id }, new[] { "r" + id });
            return "r" + id;
        }

        public string Add(string a, string b)
        {
            string id = (_id++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Builder.Node("Add", new[] { a, b }, new[] { "a" + id }).Node("Relu", new[] { "a" + id }, new[] { "ar" + id });
            return "ar" + id;
        }
    }

    [Fact]
    public void Residual_network_matches_onnx_runtime()
    {
        var net = new Net(1);
        net.Builder.Input("x", 1, 3, 32, 32);
        var stem = net.ConvBnRelu("x", 3, 16, 7, stride: 2);
        net.Builder.Node("MaxPool", new[] { stem }, new[] { "p" }, ("kernel_shape", new[] { 3, 3 }), ("strides", new[] { 2, 2 }), ("pads", new[] { 1, 1, 1, 1 }));
        var a = net.ConvBnRelu("p", 16, 16, 3);
        var b = net.ConvBnRelu(a, 16, 16, 3, relu: false);
        var r1 = net.Add("p", b);
        var c = net.ConvBnRelu(r1, 16, 32, 3, stride: 2);
        var d = net.ConvBnRelu(c, 32, 32, 3, relu: false);
        var skip = net.ConvBnRelu(r1, 16, 32, 1, stride: 2, relu: false);
        var r2 = net.Add(skip, d);
        var random = new Random(2);
        net.Builder.Node("GlobalAveragePool", new[] { r2 }, new[] { "g" })
            .Initializer("shape", new long[] { 1, 32 }, 2).Node("Reshape", new[] { "g", "shape" }, new[] { "f" })
            .Initializer("fc", TestData.Floats(random, 10 * 32), 10, 32).Initializer("fcb", TestData.Floats(random, 10), 10)
            .Node("Gemm", new[] { "f", "fc", "fcb" }, new[] { "y" }, ("transB", 1)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(net.Builder);
        var graph = OnnxAssert.Compile(net.Builder.ToBytes()).Graph!;
        Assert.DoesNotContain(graph.Nodes, n => n.OpType == "BatchNormalization");
        Assert.Equal(6, graph.Nodes.Count(n => n.OpType == "Conv"));
        // Three Conv+BN+Relu, and two residual blocks whose Add and Relu run in the last convolution's epilogue.
        Assert.Equal(5, graph.Nodes.Count(n => n.OpType == "Conv" && n.FusedActivation?.Kind == "Relu"));
        Assert.Equal(2, graph.Nodes.Count(n => n.OpType == "Conv" && n.FusedResidual));
        Assert.DoesNotContain(graph.Nodes, n => n.OpType == "Add");
    }

    [Fact]
    public void Depthwise_separable_network_matches_onnx_runtime()
    {
        var net = new Net(3);
        net.Builder.Input("x", 2, 3, 29, 31);
        var s = net.ConvBnRelu("x", 3, 8, 3, stride: 2);
        var dw1 = net.ConvBnRelu(s, 8, 8, 3, group: 8);
        var pw1 = net.ConvBnRelu(dw1, 8, 24, 1);
        var dw2 = net.ConvBnRelu(pw1, 24, 24, 5, stride: 2, group: 24);
        var pw2 = net.ConvBnRelu(dw2, 24, 16, 1, relu: false);
        var dw3 = net.ConvBnRelu(pw2, 16, 16, 3, group: 16);
        var pw3 = net.ConvBnRelu(dw3, 16, 16, 1, relu: false);
        var sum = net.Add(pw2, pw3);
        net.Builder.Node("AveragePool", new[] { sum }, new[] { "y" }, ("kernel_shape", new[] { 3, 3 }), ("strides", new[] { 2, 2 }), ("ceil_mode", 1)).Output("y");
        OnnxAssert.MatchesOnnxRuntime(net.Builder);
    }
    [Fact]
    public void Predict_allocates_nothing()
    {
        var net = new Net(5);
        net.Builder.Input("x", 1, 4, 20, 21);
        var a = net.ConvBnRelu("x", 4, 8, 3);
        var b = net.ConvBnRelu(a, 8, 8, 3, stride: 2, group: 8);
        var c = net.ConvBnRelu(b, 8, 16, 1);
        var d = net.ConvBnRelu(c, 16, 16, 5, stride: 2);
        var random = new Random(6);
        net.Builder.Node("MaxPool", new[] { d }, new[] { "p" }, ("kernel_shape", new[] { 2, 2 }), ("strides", new[] { 2, 2 }), ("ceil_mode", 1))
            .Node("GlobalAveragePool", new[] { "p" }, new[] { "g" })
            .Initializer("shape", new long[] { 1, 16 }, 2).Node("Reshape", new[] { "g", "shape" }, new[] { "f" })
            .Initializer("fc", TestData.Floats(random, 16 * 5), 16, 5).Node("MatMul", new[] { "f", "fc" }, new[] { "y" }).Output("y");
        var options = ModelGen.Configuration.ModelOptions.Default("AllocationProbe", "ModelGen.Tests.Generated");
        var result = OnnxAssert.Compile(net.Builder.ToBytes(), options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var model = ModelGen.Cli.Verification.InMemoryModel.Load(result, options);
        var inputs = new Array[] { TestData.Floats(random, 4 * 20 * 21) };
        var outputs = new Array[] { new float[5] };
        for (int i = 0; i < 3; i++) model.Run(inputs, outputs);
        long before = GC.GetAllocatedBytesForCurrentThread();
        model.Run(inputs, outputs);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
