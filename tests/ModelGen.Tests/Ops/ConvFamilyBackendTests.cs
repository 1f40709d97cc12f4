using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// The ONNX backend node tests (ONNX 1.22) of Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool,
/// BatchNormalization, MatMul and Gemm, run through ModelGen against their expected outputs. Every test of these ops is
/// either in a per-op list below or in <see cref="Unsupported"/> with the reason; a test checks that nothing is missed.
/// </summary>
[Trait("Category", "Ops")]
public class ConvFamilyBackendTests
{
    /// <summary>Name prefixes of this family's backend tests (ConvTranspose, ConvInteger, LpPool and others are other ops).</summary>
    private static readonly string[] Prefixes =
    {
        "test_conv_", "test_basic_conv_", "test_maxpool_", "test_averagepool_", "test_globalaveragepool", "test_globalmaxpool",
        "test_batchnorm_", "test_matmul_", "test_gemm_",
    };

    public static readonly TheoryData<string> Conv = new()
    {
        "test_basic_conv_with_padding", "test_basic_conv_without_padding", "test_conv_with_autopad_same",
        "test_conv_with_strides_and_asymmetric_padding", "test_conv_with_strides_no_padding", "test_conv_with_strides_padding",
    };

    public static readonly TheoryData<string> MaxPool = new()
    {
        "test_maxpool_1d_default", "test_maxpool_2d_ceil", "test_maxpool_2d_ceil_output_size_reduce_by_one", "test_maxpool_2d_default",
        "test_maxpool_2d_dilations", "test_maxpool_2d_pads", "test_maxpool_2d_precomputed_pads", "test_maxpool_2d_precomputed_same_upper",
        "test_maxpool_2d_precomputed_strides", "test_maxpool_2d_same_lower", "test_maxpool_2d_same_upper", "test_maxpool_2d_strides",
        "test_maxpool_2d_uint8", "test_maxpool_with_argmax_2d_precomputed_pads", "test_maxpool_with_argmax_2d_precomputed_strides",
        "test_maxpool_3d_default", "test_maxpool_3d_dilations", "test_maxpool_3d_dilations_use_ref_impl", "test_maxpool_3d_dilations_use_ref_impl_large",
    };

    public static readonly TheoryData<string> AveragePool = new()
    {
        "test_averagepool_1d_default", "test_averagepool_2d_ceil", "test_averagepool_2d_ceil_last_window_starts_on_pad", "test_averagepool_2d_default",
        "test_averagepool_2d_dilations", "test_averagepool_2d_pads", "test_averagepool_2d_pads_count_include_pad", "test_averagepool_2d_precomputed_pads",
        "test_averagepool_2d_precomputed_pads_count_include_pad", "test_averagepool_2d_precomputed_same_upper", "test_averagepool_2d_precomputed_strides",
        "test_averagepool_2d_same_lower", "test_averagepool_2d_same_upper", "test_averagepool_2d_strides", "test_averagepool_3d_default",
        "test_averagepool_3d_dilations_large_count_include_pad_is_0_ceil_mode_is_False", "test_averagepool_3d_dilations_large_count_include_pad_is_0_ceil_mode_is_True",
        "test_averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_False", "test_averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_True",
        "test_averagepool_3d_dilations_small",
    };

    public static readonly TheoryData<string> GlobalPool = new()
    {
        "test_globalaveragepool", "test_globalaveragepool_precomputed", "test_globalmaxpool", "test_globalmaxpool_precomputed",
    };

    public static readonly TheoryData<string> BatchNormalization = new()
    {
        "test_batchnorm_epsilon", "test_batchnorm_example", "test_batchnorm_epsilon_training_mode", "test_batchnorm_example_training_mode",
    };

    public static readonly TheoryData<string> MatMul = new()
    {
        "test_matmul_1d_1d", "test_matmul_1d_3d", "test_matmul_2d", "test_matmul_3d", "test_matmul_4d", "test_matmul_4d_1d", "test_matmul_bcast",
    };

    public static readonly TheoryData<string> Gemm = new()
    {
        "test_gemm_all_attributes", "test_gemm_alpha", "test_gemm_beta", "test_gemm_default_matrix_bias", "test_gemm_default_no_bias",
        "test_gemm_default_scalar_bias", "test_gemm_default_single_elem_vector_bias", "test_gemm_default_vector_bias", "test_gemm_default_zero_bias",
        "test_gemm_transposeA", "test_gemm_transposeB",
    };

    private static void Run(string name) => BackendTestCase.Load(name).AssertPasses();

    [Theory, MemberData(nameof(Conv))]
    public void Conv_backend_test_passes(string name) => Run(name);

    [Theory, MemberData(nameof(MaxPool))]
    public void MaxPool_backend_test_passes(string name) => Run(name);

    [Theory, MemberData(nameof(AveragePool))]
    public void AveragePool_backend_test_passes(string name) => Run(name);

    [Theory, MemberData(nameof(GlobalPool))]
    public void GlobalPool_backend_test_passes(string name) => Run(name);

    [Theory, MemberData(nameof(BatchNormalization))]
    public void BatchNormalization_backend_test_passes(string name) => Run(name);

    [Theory, MemberData(nameof(MatMul))]
    public void MatMul_backend_test_passes(string name) => Run(name);

    [Theory, MemberData(nameof(Gemm))]
    public void Gemm_backend_test_passes(string name) => Run(name);

    [Fact]
    public void Every_backend_test_of_the_family_is_listed()
    {
        var listed = new[] { Conv, MaxPool, AveragePool, GlobalPool, BatchNormalization, MatMul, Gemm }
            .SelectMany(d => ((IEnumerable<object[]>)d).Select(row => (string)row[0])).ToHashSet(StringComparer.Ordinal);
        var present = BackendTestCase.Names(Prefixes);
        Assert.NotEmpty(present);
        var unlisted = present.Where(n => !listed.Contains(n)).ToList();
        var missing = listed.Where(n => !present.Contains(n)).ToList();
        Assert.True(unlisted.Count == 0, "backend tests in no list (add them to an op's list): " + string.Join(", ", unlisted));
        Assert.True(missing.Count == 0, "listed backend tests that do not exist: " + string.Join(", ", missing));
    }
}
