using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using ModelGen.Runtime;
using Xunit;

namespace ModelGen.Tests.Runtime;

/// <summary>
/// One activation math everywhere: an element's activation does not depend on where it sits in a span (vector lane,
/// 2-vector unrolled step, narrower remainder vector or scalar tail), on the vector width, or on whether a Conv, Gemm,
/// MatMul (Gemv) applied it in its epilogue or the activation kernel ran afterwards. Every comparison is bitwise
/// (NaN against any NaN). CI reruns these with AVX-512, AVX2 and all hardware intrinsics switched off, so every
/// width's path is held to the same bits as the scalar path.
/// </summary>
[Trait("Category", "Runtime")]
public class ActivationConsistencyTests
{
    public delegate void Kernel(ReadOnlySpan<float> x, Span<float> destination);

    /// <summary>Each fusable activation with its elementwise kernel (what the unfused graph runs).</summary>
    private static readonly Dictionary<string, (FusedActivation Fused, Kernel Kernel)> Activations = new()
    {
        ["Relu"] = (new FusedActivation(ActivationKind.Relu), Kernels.Relu),
        ["LeakyRelu(0.1)"] = (new FusedActivation(ActivationKind.LeakyRelu, 0.1f), (x, y) => Kernels.LeakyRelu(x, y, 0.1f)),
        ["Clip(-1,2)"] = (new FusedActivation(ActivationKind.Clip, -1f, 2f), (x, y) => Kernels.Clip(x, y, -1f, 2f)),
        ["Clip(0,6)"] = (new FusedActivation(ActivationKind.Clip, 0f, 6f), (x, y) => Kernels.Clip(x, y, 0f, 6f)),
        ["Sigmoid"] = (new FusedActivation(ActivationKind.Sigmoid), Kernels.Sigmoid),
        ["HardSigmoid(0.2,0.5)"] = (new FusedActivation(ActivationKind.HardSigmoid, 0.2f, 0.5f), (x, y) => Kernels.HardSigmoid(x, y, 0.2f, 0.5f)),
        ["HardSwish"] = (new FusedActivation(ActivationKind.HardSwish), Kernels.HardSwish),
        ["Tanh"] = (new FusedActivation(ActivationKind.Tanh), Kernels.Tanh),
        ["Silu"] = (new FusedActivation(ActivationKind.Silu), Kernels.Silu),
    };

    /// <summary>The elementwise kernels, including those no epilogue fuses.</summary>
    private static readonly Dictionary<string, Kernel> ElementwiseKernels = new(StringComparer.Ordinal)
    {
        ["Exp"] = Kernels.Exp,
        ["Relu"] = Kernels.Relu,
        ["LeakyRelu(0.1)"] = (x, y) => Kernels.LeakyRelu(x, y, 0.1f),
        ["Clip(-1,2)"] = (x, y) => Kernels.Clip(x, y, -1f, 2f),
        ["Sigmoid"] = Kernels.Sigmoid,
        ["HardSigmoid(0.2,0.5)"] = (x, y) => Kernels.HardSigmoid(x, y, 0.2f, 0.5f),
        ["HardSwish"] = Kernels.HardSwish,
        ["Tanh"] = Kernels.Tanh,
        ["Silu"] = Kernels.Silu,
        ["FusedActivation(Silu).Apply"] = (x, y) => { x.CopyTo(y); new FusedActivation(ActivationKind.Silu).Apply(y.Slice(0, x.Length)); },
        ["FusedActivation(Tanh).Apply"] = (x, y) => { x.CopyTo(y); new FusedActivation(ActivationKind.Tanh).Apply(y.Slice(0, x.Length)); },
    };

    public static IEnumerable<object[]> ActivationNames()
    {
        foreach (var name in Activations.Keys) yield return new object[] { name };
    }

    public static IEnumerable<object[]> KernelNames()
    {
        foreach (var name in ElementwiseKernels.Keys) yield return new object[] { name };
    }

    /// <summary>Values where the algorithms switch branches, round, overflow or underflow.</summary>
    private static readonly float[] Edges =
    {
        0f, -0f, float.Epsilon, -float.Epsilon, 1e-30f, -1e-30f, 1e-8f, -1e-8f, 0.4f, -0.4f, MathF.BitDecrement(0.4f), -MathF.BitDecrement(0.4f),
        1f, -1f, 2f, -3f, 3f, 6f, 9f, 20f, -20f, 44.4f, -44.4f, 88.72f, -88.72f, 88.8f, -88.8f, 103.9f, -103.9f, 104f, -104f, 200f, -200f,
        float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN, -float.NaN,
        BitConverter.Int32BitsToSingle(0x7FC01234), BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00042)),
    };

    /// <summary>Seeded data: uniform in [-12, 12] with NaN, ±∞, ±0 and the edge values mixed in.</summary>
    private static float[] Data(int seed, int n)
    {
        var x = KernelTestData.Floats(seed, n, scale: 12f, specials: true);
        for (int i = 5; i < n; i += 7) x[i] = Edges[(i / 7 + seed) % Edges.Length];
        return x;
    }

    /// <summary>
    /// Identical bits (so +0 and -0 differ), or both NaN: which NaN an operation on a NaN returns is not specified
    /// (x64 returns the first operand's, and the JIT may swap the operands of a commutative multiply or add).
    /// </summary>
    private static bool SameBits(float a, float b) =>
        BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b) || (float.IsNaN(a) && float.IsNaN(b));

    private static string Show(float v) => $"{v:R} (0x{BitConverter.SingleToInt32Bits(v):X8})";

    private static readonly int[] Lengths = BuildLengths();

    private static int[] BuildLengths()
    {
        var lengths = new List<int>();
        for (int n = 0; n <= 256; n++) lengths.Add(n);
        lengths.AddRange(new[] { 257, 1000, 4099 });
        return lengths.ToArray();
    }

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void An_element_gives_the_same_bits_at_any_position_as_alone(string name)
    {
        var kernel = ElementwiseKernels[name];
        var one = new float[1];
        foreach (int n in Lengths)
        {
            var x = Data(n, n);
            var y = new float[n];
            kernel(x, y);
            for (int i = 0; i < n; i++)
            {
                kernel(x.AsSpan(i, 1), one);
                if (!SameBits(one[0], y[i]))
                    Assert.Fail($"{name}({Show(x[i])}): {Show(y[i])} at {i} of {n}, {Show(one[0])} alone");
            }
        }
    }

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Shifting_the_span_by_one_element_changes_no_bits(string name)
    {
        // Shifting moves every element to another lane (and some into or out of the scalar tail).
        var kernel = ElementwiseKernels[name];
        var x = Data(77, 301);
        var whole = new float[x.Length];
        kernel(x, whole);
        for (int shift = 1; shift < 17; shift++)
        {
            var part = new float[x.Length - shift];
            kernel(x.AsSpan(shift), part);
            for (int i = 0; i < part.Length; i++)
                if (!SameBits(part[i], whole[i + shift]))
                    Assert.Fail($"{name}({Show(x[i + shift])}): {Show(whole[i + shift])} unshifted, {Show(part[i])} shifted by {shift}");
        }
    }

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Every_vector_width_of_FusedActivation_Apply_matches_its_scalar_form(string name)
    {
        // Generated depthwise convolutions call these overloads directly (software-emulated where not accelerated).
        var act = Activations[name].Fused;
        var x = Data(5, 1024);
        var lanes = new float[16];
        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            var v128 = act.Apply(Vector128.Create(x.AsSpan(i, 4)));
            var v256 = act.Apply(Vector256.Create(x.AsSpan(i, 8)));
            act.Apply(Vector512.Create(x.AsSpan(i, 16))).CopyTo(lanes);
            for (int j = 0; j < 16; j++)
            {
                float scalar = act.Apply(x[i + j]);
                Assert.True(SameBits(scalar, lanes[j]), $"{name}({Show(x[i + j])}): scalar {Show(scalar)}, Vector512 lane {Show(lanes[j])}");
                if (j < 8) Assert.True(SameBits(scalar, v256[j]), $"{name}({Show(x[i + j])}): scalar {Show(scalar)}, Vector256 lane {Show(v256[j])}");
                if (j < 4) Assert.True(SameBits(scalar, v128[j]), $"{name}({Show(x[i + j])}): scalar {Show(scalar)}, Vector128 lane {Show(v128[j])}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void FusedActivation_Apply_gives_the_kernel_bits(string name)
    {
        var (act, kernel) = Activations[name];
        var x = Data(9, 333);
        var expected = new float[x.Length];
        kernel(x, expected);
        var inPlace = (float[])x.Clone();
        act.Apply(inPlace);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(SameBits(expected[i], inPlace[i]), $"{name}({Show(x[i])}): kernel {Show(expected[i])}, Apply(span) {Show(inPlace[i])}");
            float scalar = act.Apply(x[i]);
            Assert.True(SameBits(expected[i], scalar), $"{name}({Show(x[i])}): kernel {Show(expected[i])}, Apply(float) {Show(scalar)}");
        }
    }

    /// <summary>(m, n, k): full and partial tiles, an edge panel, a lone last column (n ≡ 1 mod 16) and K blocking.</summary>
    public static IEnumerable<object[]> GemmShapes() =>
        new[]
        {
            new object[] { 1, 1, 1 }, new object[] { 3, 5, 7 }, new object[] { 8, 32, 16 }, new object[] { 6, 16, 5 },
            new object[] { 9, 33, 40 }, new object[] { 17, 47, 33 }, new object[] { 7, 49, 64 }, new object[] { 64, 20, 2100 },
        };

    private static void AssertSameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!SameBits(expected[i], actual[i]))
                Assert.Fail($"{what}: element {i} of {expected.Length} is {Show(actual[i])} fused, {Show(expected[i])} unfused");
    }

    [Theory]
    [MemberData(nameof(GemmShapes))]
    public void Gemm_epilogue_equals_the_unfused_product_followed_by_the_activation_kernel(int m, int n, int k)
    {
        var a = KernelTestData.Floats(m * 31 + k, m * k, scale: 1.5f);
        var b = KernelTestData.Floats(n * 17 + k, k * n, scale: 1.5f);
        var rowBias = KernelTestData.Floats(3, m, scale: 2f);
        var colBias = KernelTestData.Floats(4, n, scale: 2f);
        var preload = KernelTestData.Floats(5, m * n, scale: 2f);
        var scratch = new float[Kernels.GemmRowMajorScratch(k, n)];
        var packed = new float[Kernels.PackedBLength(k, n)];
        Kernels.PackB(b, k, n, packed);
        foreach (var (name, (act, kernel)) in Activations)
        {
            foreach (bool accumulate in new[] { false, true })
            {
                float alpha = accumulate ? 0.75f : 1f;
                var unfused = new float[m * n];
                if (accumulate) preload.CopyTo(unfused);
                Kernels.GemmRowMajorB(a, k, b, n, unfused, n, m, n, k, rowBias, colBias, alpha, accumulate, FusedActivation.None, scratch);
                kernel(unfused, unfused);

                var fused = new float[m * n];
                if (accumulate) preload.CopyTo(fused);
                Kernels.GemmRowMajorB(a, k, b, n, fused, n, m, n, k, rowBias, colBias, alpha, accumulate, act, scratch);
                AssertSameBits(unfused, fused, $"GemmRowMajorB {m}x{n}x{k} {name} accumulate={accumulate}");

                var fusedPacked = new float[m * n];
                if (accumulate) preload.CopyTo(fusedPacked);
                Kernels.GemmPackedB(a, k, packed, fusedPacked, n, m, n, k, rowBias, colBias, alpha, accumulate, act);
                var unfusedPacked = new float[m * n];
                if (accumulate) preload.CopyTo(unfusedPacked);
                Kernels.GemmPackedB(a, k, packed, unfusedPacked, n, m, n, k, rowBias, colBias, alpha, accumulate, FusedActivation.None);
                kernel(unfusedPacked, unfusedPacked);
                AssertSameBits(unfusedPacked, fusedPacked, $"GemmPackedB {m}x{n}x{k} {name} accumulate={accumulate}");
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 3)]
    [InlineData(37, 40)]
    [InlineData(300, 17)]
    public void Gemv_epilogue_equals_the_unfused_product_followed_by_the_activation_kernel(int m, int k)
    {
        var a = KernelTestData.Floats(m + k, m * k, scale: 1.5f);
        var x = KernelTestData.Floats(2, k, scale: 1.5f);
        var bias = KernelTestData.Floats(3, m, scale: 2f);
        foreach (var (name, (act, kernel)) in Activations)
        {
            var unfused = new float[m];
            Kernels.Gemv(a, k, x, bias, unfused, m, k, FusedActivation.None);
            kernel(unfused, unfused);
            var fused = new float[m];
            Kernels.Gemv(a, k, x, bias, fused, m, k, act);
            AssertSameBits(unfused, fused, $"Gemv {m}x{k} {name}");
        }
    }

    /// <summary>Conv geometries covering each algorithm: im2col blocks, a direct pointwise product, the implicit GEMM (both forms), groups.</summary>
    public static IEnumerable<object[]> ConvGeometries() =>
        new[]
        {
            // channels, height, width, outChannels, kernel, pad, stride, groups, chunk, rowsPerBlock
            new object[] { 3, 9, 9, 20, 3, 1, 1, 1, 32, 0 },
            new object[] { 4, 11, 10, 10, 3, 0, 2, 2, 16, 0 },
            new object[] { 8, 7, 7, 24, 1, 0, 1, 1, 0, 0 },
            new object[] { 4, 10, 10, 18, 3, 1, 1, 1, 0, 4 },
            new object[] { 4, 10, 10, 18, 3, 1, 1, 1, 48, 4 },
        };

    [Theory]
    [MemberData(nameof(ConvGeometries))]
    public void Conv_epilogue_equals_the_unfused_convolution_followed_by_the_activation_kernel(
        int channels, int height, int width, int outChannels, int kernelSize, int pad, int stride, int groups, int chunk, int rowsPerBlock)
    {
        int outH = (height + 2 * pad - kernelSize) / stride + 1, outW = (width + 2 * pad - kernelSize) / stride + 1;
        var g = new ConvGeometry(channels, 1, height, width, outChannels, 1, outH, outW, 1, kernelSize, kernelSize, 1, stride, stride, 1, 1, 1,
            0, pad, pad, groups, chunk, rowsPerBlock);
        const int batch = 2;
        var x = KernelTestData.Floats(channels * height, batch * channels * height * width, scale: 1.5f);
        var w = KernelTestData.Floats(outChannels, outChannels * g.KernelSize, scale: 1f);
        var bias = KernelTestData.Floats(7, outChannels, scale: 1f);
        var scratch = new float[Kernels.ConvScratch(g)];
        int outputs = batch * outChannels * outH * outW;
        foreach (var (name, (act, kernel)) in Activations)
        {
            var unfused = new float[outputs];
            Kernels.Conv(x, w, bias, unfused, batch, g, FusedActivation.None, scratch);
            kernel(unfused, unfused);
            var fused = new float[outputs];
            Kernels.Conv(x, w, bias, fused, batch, g, act, scratch);
            AssertSameBits(unfused, fused, $"Conv {name}");
        }
    }

    [Theory]
    [MemberData(nameof(GemmShapes))]
    public void Fused_Silu_equals_Sigmoid_then_Mul(int m, int n, int k)
    {
        var a = KernelTestData.Floats(m * 7 + k, m * k, scale: 1.5f);
        var b = KernelTestData.Floats(n * 5 + k, k * n, scale: 1.5f);
        var colBias = KernelTestData.Floats(4, n, scale: 2f);
        var scratch = new float[Kernels.GemmRowMajorScratch(k, n)];
        var product = new float[m * n];
        Kernels.GemmRowMajorB(a, k, b, n, product, n, m, n, k, default, colBias, 1f, false, FusedActivation.None, scratch);
        var sigmoid = new float[m * n];
        Kernels.Sigmoid(product, sigmoid);
        var expected = new float[m * n];
        Kernels.Multiply(product, sigmoid, expected, new[] { m * n }, new[] { 1 }, new[] { 1 });

        var fused = new float[m * n];
        Kernels.GemmRowMajorB(a, k, b, n, fused, n, m, n, k, default, colBias, 1f, false, new FusedActivation(ActivationKind.Silu), scratch);
        AssertSameBits(expected, fused, $"Gemm+Silu {m}x{n}x{k}");

        var kernel = new float[m * n];
        Kernels.Silu(product, kernel);
        AssertSameBits(expected, kernel, $"Kernels.Silu {m}x{n}x{k}");
    }

    [Fact]
    public void Silu_kernel_equals_Sigmoid_then_Mul_on_special_values()
    {
        var x = Data(13, 2000);
        var sigmoid = new float[x.Length];
        Kernels.Sigmoid(x, sigmoid);
        var expected = new float[x.Length];
        Kernels.Multiply(x, sigmoid, expected, new[] { x.Length }, new[] { 1 }, new[] { 1 });
        var silu = new float[x.Length];
        Kernels.Silu(x, silu);
        AssertSameBits(expected, silu, "Kernels.Silu");
    }
}
