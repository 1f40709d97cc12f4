using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>LpPool, MaxUnpool and Det: their ONNX backend cases in both modes and ONNX Runtime on random inputs.</summary>
[Trait("Category", "Ops")]
public class LpPoolUnpoolDetTests
{
    private static readonly string[] Prefixes = { "test_lppool_", "test_maxunpool_", "test_det_" };

    /// <summary>output_shape decides the output's shape, which ModelGen fixes at build time: run-time mode cannot take it.</summary>
    private const string ShapeFromInput = "test_maxunpool_export_with_output_shape";

    public static TheoryData<string> Cases() => CasesWhere(_ => true);

    public static TheoryData<string> RunTimeCases() => CasesWhere(n => n != ShapeFromInput);

    private static TheoryData<string> CasesWhere(Func<string, bool> keep)
    {
        var data = new TheoryData<string>();
        foreach (var name in Prefixes.SelectMany(p => BackendTestCase.Names(p)).Where(keep)) data.Add(name);
        return data;
    }

    [Fact]
    public void The_cases_exist() => Assert.Equal(12, Prefixes.Sum(p => BackendTestCase.Names(p).Count));

    [Fact]
    public void A_run_time_output_shape_is_named_as_a_build_time_input()
    {
        var result = BackendTestCase.Load(ShapeFromInput).Compile();
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Id == "MG0203" && d.Message.Contains("input 'output_shape' must be known at build time", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(RunTimeCases))]
    public void Backend_case_passes(string name) => BackendTestCase.Load(name).AssertPasses();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backend_case_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    private static ModelBuilder LpPool(int opset, long[] shape, params (string, object)[] attributes) =>
        new ModelBuilder(opset).Input("x", shape).Node("LpPool", new[] { "x" }, new[] { "y" }, attributes).Output("y");

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 33)]
    [InlineData(2, 257)]
    [InlineData(1, 40)]
    public void LpPool_2d_with_pads_and_strides_matches_onnx_runtime(int p, int width)
    {
        int kw = Math.Min(width, 3);
        OnnxAssert.MatchesOnnxRuntime(LpPool(18, new long[] { 2, 3, 5, width }, ("p", p), ("kernel_shape", new[] { 2, kw }),
            ("strides", new[] { 1, 2 }), ("pads", new[] { 1, kw - 1, 0, kw - 1 })), seed: p * 1000 + width);
        OnnxAssert.MatchesOnnxRuntime(LpPool(11, new long[] { 1, 2, 6, width }, ("p", p), ("kernel_shape", new[] { 3, kw }),
            ("auto_pad", "SAME_UPPER")), seed: p * 1000 + width + 1);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void LpPool_1d_3d_and_dilated_windows_match_onnx_runtime(int p)
    {
        OnnxAssert.MatchesOnnxRuntime(LpPool(18, new long[] { 2, 2, 33 }, ("p", p), ("kernel_shape", new[] { 4 }), ("strides", new[] { 3 }), ("pads", new[] { 2, 1 })));
        OnnxAssert.MatchesOnnxRuntime(LpPool(18, new long[] { 1, 2, 5, 6, 7 }, ("p", p), ("kernel_shape", new[] { 2, 2, 3 }), ("pads", new[] { 1, 0, 1, 0, 1, 1 })));
        OnnxAssert.MatchesOnnxRuntime(LpPool(18, new long[] { 1, 3, 9, 9 }, ("p", p), ("kernel_shape", new[] { 2, 3 }), ("dilations", new[] { 2, 2 })));
    }

    [Fact]
    public void LpPool_ceil_mode_and_a_bad_p_are_diagnostics()
    {
        var ceil = OnnxAssert.Compile(LpPool(18, new long[] { 1, 1, 5, 5 }, ("kernel_shape", new[] { 2, 2 }), ("strides", new[] { 2, 2 }), ("ceil_mode", 1)).ToBytes());
        Assert.False(ceil.Success);
        Assert.Contains(ceil.Diagnostics, d => d.Message.Contains("ceil_mode", StringComparison.Ordinal));
        var badP = OnnxAssert.Compile(LpPool(18, new long[] { 1, 1, 5, 5 }, ("kernel_shape", new[] { 2, 2 }), ("p", 0)).ToBytes());
        Assert.False(badP.Success);
        Assert.Contains(badP.Diagnostics, d => d.Message.Contains("p 0", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Det_matches_onnx_runtime(int n)
    {
        var model = new ModelBuilder(13).Input("x", 2, 3, n, n).Node("Det", new[] { "x" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model, seed: n);
    }

    [Fact]
    public void Det_of_constant_matrices_folds_to_the_determinants()
    {
        // det [[2, 1], [4, 3]] = 2, det of a singular matrix = 0, det [[0, 1], [1, 0]] = -1 (a row swap).
        var matrices = new float[] { 2, 1, 4, 3, 1, 2, 2, 4, 0, 1, 1, 0 };
        var model = new ModelBuilder(13).Input("x", 3).Initializer("m", matrices, 3, 2, 2).Node("Det", new[] { "m" }, new[] { "d" })
            .Node("Add", new[] { "x", "d" }, new[] { "y" }).Output("y");
        var report = OnnxAssert.MatchesOnnxRuntime(model);
        Assert.NotEmpty(report.Outputs);
    }

    [Theory]
    [InlineData(2, 6)]
    [InlineData(3, 33)]
    public void MaxUnpool_matches_onnx_runtime(int height, int width)
    {
        // Indices as MaxPool (2x2 windows, stride 2) would give them: one position inside each window, flat over N·C·H·W.
        int oh = height / 2, ow = width / 2, planes = 2 * 3;
        var random = new Random(height * 100 + width);
        var indices = new long[planes * oh * ow];
        for (int plane = 0, i = 0; plane < planes; plane++)
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++, i++)
                    indices[i] = (long)plane * (2 * oh) * (2 * ow) + (2 * r + random.Next(2)) * (2 * ow) + 2 * c + random.Next(2);
        var model = new ModelBuilder(11).Input("x", 2, 3, oh, ow).Initializer("i", indices, 2, 3, oh, ow)
            .Node("MaxUnpool", new[] { "x", "i" }, new[] { "y" }, ("kernel_shape", new[] { 2, 2 }), ("strides", new[] { 2, 2 })).Output("y");
        OnnxAssert.MatchesOnnxRuntime(model, seed: width);
    }
}
