using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

[Trait("Category", "Ops")]
public class EinsumTests
{
    public static IEnumerable<object[]> BackendCases() => BackendTestCase.Names("test_einsum_").Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Backend_case_passes(string name) => BackendTestCase.Load(name).AssertPasses();

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Backend_case_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    [Fact]
    public void Every_backend_case_is_found() => Assert.Equal(6, BackendTestCase.Names("test_einsum_").Count);

    private static ModelBuilder Model(string equation, params long[][] shapes)
    {
        var builder = new ModelBuilder(12);
        var names = shapes.Select((s, i) => "x" + i).ToArray();
        for (int i = 0; i < shapes.Length; i++) builder.Input(names[i], shapes[i]);
        return builder.Node("Einsum", names, new[] { "y" }, ("equation", equation)).Output("y");
    }

    [Theory]
    [InlineData("ij,jk->ik", 7, 33, 5)]
    [InlineData("ij,jk->ik", 1, 257, 1)]
    [InlineData("ij,jk", 3, 4, 33)]
    [InlineData("ij,kj->ik", 7, 9, 33)]
    [InlineData("ji,jk->ki", 6, 5, 7)]
    public void Matrix_products_match_onnx_runtime(string equation, int m, int k, int n)
    {
        var a = equation[0] == 'i' ? new long[] { m, k } : new long[] { k, m };
        var b = equation.Substring(3, 2) == "jk" ? new long[] { k, n } : new long[] { n, k };
        OnnxAssert.MatchesOnnxRuntime(Model(equation, a, b));
    }

    [Theory]
    [InlineData(1, 7, 16, 5)]
    [InlineData(3, 33, 32, 7)]
    [InlineData(2, 5, 4, 6)]
    public void Batched_matmul_matches_onnx_runtime(int batch, int m, int n, int k)
    {
        var model = Model("bij,bjk->bik", new long[] { batch, m, k }, new long[] { batch, k, n });
        OnnxAssert.MatchesOnnxRuntime(model);
        var steps = OnnxAssert.Compile(model.ToBytes()).Plan!.Steps;
        var kernels = steps.OfType<KernelCall>().Concat(steps.OfType<RepeatedCall>().Select(r => r.Body)).Select(c => c.Kernel).ToList();
        Assert.Equal("GemmRowMajorB", Assert.Single(kernels));
    }

    [Theory]
    [InlineData("i->", 1)]
    [InlineData("i->", 257)]
    [InlineData("i,i->", 33)]
    [InlineData("i,j->ij", 7)]
    public void Vectors_match_onnx_runtime(string equation, int n)
    {
        var shapes = equation.Split("->")[0].Split(',').Select(_ => new long[] { n }).ToArray();
        OnnxAssert.MatchesOnnxRuntime(Model(equation, shapes));
    }

    [Fact]
    public void Ellipsis_broadcast_and_diagonal_match_onnx_runtime()
    {
        OnnxAssert.MatchesOnnxRuntime(Model("...ij,...jk->...ik", new long[] { 2, 3, 3, 4 }, new long[] { 2, 3, 4, 5 }));
        OnnxAssert.MatchesOnnxRuntime(Model("...ij,...jk->...ik", new long[] { 2, 1, 3, 4 }, new long[] { 2, 3, 4, 5 }));
        OnnxAssert.MatchesOnnxRuntime(Model("bii->bi", new long[] { 3, 6, 6 }));
        OnnxAssert.MatchesOnnxRuntime(Model("ii", new long[] { 5, 5 }));
        OnnxAssert.MatchesOnnxRuntime(Model("abc->cba", new long[] { 2, 3, 4 }));
        OnnxAssert.MatchesOnnxRuntime(Model("bhqd,bhkd->bhqk", new long[] { 1, 2, 5, 8 }, new long[] { 1, 2, 6, 8 }));
    }

    [Fact]
    public void Constant_operands_fold_at_build_time()
    {
        var random = new Random(4);
        var model = new ModelBuilder(12).Input("z", 2, 2)
            .Initializer("a", TestData.Floats(random, 6), 2, 3)
            .Initializer("b", TestData.Floats(random, 6), 3, 2)
            .Node("Einsum", new[] { "a", "b" }, new[] { "t" }, ("equation", "ij,jk->ki"))
            .Node("Add", new[] { "t", "z" }, new[] { "y" })
            .Output("y");
        OnnxAssert.MatchesOnnxRuntime(model);
        Assert.DoesNotContain(OnnxAssert.Compile(model.ToBytes()).Plan!.Steps.OfType<KernelCall>(), s => s.Kernel == "Einsum");
    }

    [Theory]
    [InlineData("ij,jk->il")]
    [InlineData("ij,jk->ii")]
    [InlineData("i1,jk->ik")]
    public void Invalid_equation_is_a_diagnostic(string equation)
    {
        var result = OnnxAssert.Compile(Model(equation, new long[] { 2, 3 }, new long[] { 3, 4 }).ToBytes());
        Assert.False(result.Success);
    }
}
