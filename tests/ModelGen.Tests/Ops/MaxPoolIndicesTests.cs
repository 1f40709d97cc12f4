using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>MaxPool's Indices output (storage_order 0 and 1, 1-D to 3-D, pads, dilations, ceil_mode) and 8-bit MaxPool against ONNX Runtime and the backend data.</summary>
[Trait("Category", "Ops")]
public class MaxPoolIndicesTests
{
    public static IEnumerable<object[]> Cases() => BackendTestCase.Names("test_maxpool_with_argmax").Select(n => new object[] { n });

    [Theory, MemberData(nameof(Cases))]
    public void Backend_test_passes(string name) => BackendTestCase.Load(name).AssertPasses();

    [Fact]
    public void Every_backend_test_is_run() => Assert.Equal(2, BackendTestCase.Names("test_maxpool_with_argmax").Count);

    private static ModelBuilder Pool(long[] shape, params (string, object)[] attributes) =>
        new ModelBuilder(12).Input("x", shape).Node("MaxPool", new[] { "x" }, new[] { "y", "i" }, attributes)
            .Output("y").Output("i", TensorProto.Types.DataType.Int64);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Two_d_indices_match_onnx_runtime(int order)
    {
        OnnxAssert.MatchesOnnxRuntime(Pool(new long[] { 2, 3, 9, 11 }, ("kernel_shape", new[] { 3, 3 }), ("strides", new[] { 2, 2 }),
            ("pads", new[] { 1, 1, 1, 1 }), ("storage_order", order)), seed: 3);
        OnnxAssert.MatchesOnnxRuntime(Pool(new long[] { 1, 2, 8, 13 }, ("kernel_shape", new[] { 2, 3 }), ("strides", new[] { 1, 2 }),
            ("dilations", new[] { 2, 1 }), ("pads", new[] { 0, 2, 1, 1 }), ("storage_order", order)), seed: 4);
        OnnxAssert.MatchesOnnxRuntime(Pool(new long[] { 1, 2, 7, 7 }, ("kernel_shape", new[] { 3, 3 }), ("strides", new[] { 2, 2 }),
            ("ceil_mode", 1), ("storage_order", order)), seed: 5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void One_d_and_three_d_indices_match_onnx_runtime(int order)
    {
        OnnxAssert.MatchesOnnxRuntime(Pool(new long[] { 2, 3, 17 }, ("kernel_shape", new[] { 3 }), ("strides", new[] { 2 }),
            ("pads", new[] { 1, 1 }), ("storage_order", order)), seed: 6);
        OnnxAssert.MatchesOnnxRuntime(Pool(new long[] { 1, 2, 5, 6, 7 }, ("kernel_shape", new[] { 2, 3, 2 }), ("strides", new[] { 1, 2, 2 }),
            ("pads", new[] { 0, 1, 1, 1, 1, 0 }), ("storage_order", order)), seed: 7);
    }

    [Fact]
    public void Ties_take_the_first_maximum_in_scan_order()
    {
        // Values from a small set: most windows hold the maximum more than once.
        var random = new Random(11);
        var x = Enumerable.Range(0, 2 * 3 * 8 * 8).Select(_ => (float)random.Next(3)).ToArray();
        OnnxAssert.MatchesOnnxRuntime(Pool(new long[] { 2, 3, 8, 8 }, ("kernel_shape", new[] { 3, 3 }), ("pads", new[] { 1, 1, 1, 1 })).Build(),
            inputs: new Dictionary<string, Array> { ["x"] = x });
    }

    [Fact]
    public void Indices_feed_MaxUnpool()
    {
        var model = new ModelBuilder(12).Input("x", 1, 2, 6, 6)
            .Node("MaxPool", new[] { "x" }, new[] { "y", "i" }, ("kernel_shape", new[] { 2, 2 }), ("strides", new[] { 2, 2 }))
            .Node("MaxUnpool", new[] { "y", "i" }, new[] { "z" }, ("kernel_shape", new[] { 2, 2 }), ("strides", new[] { 2, 2 }))
            .Output("z");
        OnnxAssert.MatchesOnnxRuntime(model);
    }

    [Fact]
    public void Uint8_backend_test_passes() => BackendTestCase.Load("test_maxpool_2d_uint8").AssertPasses();

    [Theory]
    [InlineData(TensorProto.Types.DataType.Uint8)]
    [InlineData(TensorProto.Types.DataType.Int8)]
    public void Eight_bit_max_pool_matches_onnx_runtime(TensorProto.Types.DataType type)
    {
        var model = new ModelBuilder(12).Input("x", type, 2, 3, 9, 10)
            .Node("MaxPool", new[] { "x" }, new[] { "y", "i" }, ("kernel_shape", new[] { 3, 2 }), ("strides", new[] { 2, 1 }), ("pads", new[] { 1, 0, 1, 1 }))
            .Output("y", type).Output("i", TensorProto.Types.DataType.Int64);
        var random = new Random(13);
        Array x = type == TensorProto.Types.DataType.Uint8
            ? Enumerable.Range(0, 540).Select(_ => (byte)random.Next(256)).ToArray()
            : Enumerable.Range(0, 540).Select(_ => (sbyte)random.Next(-128, 128)).ToArray();
        OnnxAssert.MatchesOnnxRuntime(model.Build(), inputs: new Dictionary<string, Array> { ["x"] = x });
        var valuesOnly = new ModelBuilder(12).Input("x", type, 2, 3, 9, 10)
            .Node("MaxPool", new[] { "x" }, new[] { "y" }, ("kernel_shape", new[] { 3, 3 }), ("dilations", new[] { 2, 1 }))
            .Output("y", type);
        OnnxAssert.MatchesOnnxRuntime(valuesOnly.Build(), inputs: new Dictionary<string, Array> { ["x"] = x });
    }

    [Fact]
    public void Unused_indices_output_keeps_the_fast_kernel()
    {
        var model = new ModelBuilder(12).Input("x", 1, 1, 4, 4)
            .Node("MaxPool", new[] { "x" }, new[] { "y", "" }, ("kernel_shape", new[] { 2, 2 })).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
    }
}
