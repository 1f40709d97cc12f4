using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Cli.Verification;
using ModelGen.Configuration;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>
/// DFT, STFT and MelWeightMatrix: the ONNX backend node tests, ONNX Runtime comparisons over power-of-two lengths
/// (radix-2), short other lengths (the direct matrix), 400 and 100 (mixed radix) and 127 and 254 (Bluestein), and a
/// double-precision DFT written here, which checks what ONNX Runtime's float transforms cannot: that bins whose value
/// is near 0 come out near 0.
/// </summary>
[Trait("Category", "Ops")]
public class SpectralTests
{
    public static IEnumerable<object[]> BackendCases() =>
        BackendTestCase.Names("test_dft", "test_stft", "test_melweightmatrix").Select(n => new object[] { n });

    [Theory, MemberData(nameof(BackendCases))]
    public void Backend_test_passes_with_build_time_inputs_baked(string name) =>
        BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked();

    [Fact]
    public void Every_backend_test_of_the_ops_is_run()
    {
        // ONNX 1.22's test data: a missing or renamed case fails here instead of silently running fewer.
        Assert.Equal(10, BackendTestCase.Names("test_dft").Count);
        Assert.Equal(2, BackendTestCase.Names("test_stft").Count);
        Assert.Equal(1, BackendTestCase.Names("test_melweightmatrix").Count);
    }

    /// <summary>The dft_length input fixes the output shape: left to run time, it is refused with MG0203.</summary>
    [Fact]
    public void Dft_length_at_run_time_is_reported()
    {
        var builder = new ModelBuilder(opset: 17).Input("x", 1, 8, 1).Input("n", DT.Int64)
            .Node("DFT", new[] { "x", "n" }, new[] { "y" }).Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.Contains(result.Diagnostics, d => d.Id == "MG0203" && d.Message.Contains("input 'n' must be known at build time", StringComparison.Ordinal));
    }

    [Fact]
    public void The_complex_axis_is_an_invalid_dft_axis()
    {
        var builder = new ModelBuilder(opset: 17).Input("x", 1, 8, 2)
            .Node("DFT", new[] { "x" }, new[] { "y" }, ("axis", -1L)).Output("y");
        var result = OnnxAssert.Compile(builder.ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("axis -1", StringComparison.Ordinal));
    }

    private static float[] Random(int seed, int n, float scale = 1f) => TestData.Floats(new Random(seed), n, scale);

    /// <summary>
    /// ONNX Runtime transforms in float with float twiddle angles: its own error grows with the length (1.7e-3 at 400
    /// points on inputs in [-1, 1], where the double-precision reference below agrees with ModelGen to 1e-7).
    /// </summary>
    private static double OrtTolerance(int length) => 5e-6 * length + 1e-5;

    [Theory]
    [InlineData(8, 0, 0, 1, 17)]
    [InlineData(8, 1, 0, 1, 20)]
    [InlineData(12, 0, 0, 2, 17)]
    [InlineData(12, 1, 0, 1, 17)]
    [InlineData(12, 0, 1, 2, 20)]
    [InlineData(16, 0, 1, 2, 17)]
    [InlineData(16, 1, 0, 1, 20)]
    [InlineData(400, 0, 0, 1, 17)]
    [InlineData(400, 1, 0, 1, 20)]
    [InlineData(400, 0, 1, 2, 17)]
    [InlineData(512, 1, 0, 1, 17)]
    [InlineData(512, 0, 1, 2, 20)]
    [InlineData(100, 0, 0, 2, 17)]
    [InlineData(127, 1, 0, 1, 17)]
    [InlineData(254, 0, 1, 2, 20)]
    public void Dft_matches_onnx_runtime(int length, int onesided, int inverse, int channels, int opset)
    {
        // [batch 2, signal, 3, channels] along the signal axis: the other axis makes the kernel stride (inner = 3).
        var builder = new ModelBuilder(opset).Input("x", 2, length, 3, channels);
        if (opset >= 20)
            builder.Initializer("axis", new long[] { -3 }).Node("DFT", new[] { "x", "", "axis" }, new[] { "y" }, ("onesided", (long)onesided), ("inverse", (long)inverse));
        else
            builder.Node("DFT", new[] { "x" }, new[] { "y" }, ("axis", 1L), ("onesided", (long)onesided), ("inverse", (long)inverse));
        builder.Output("y");
        var inputs = new Dictionary<string, Array> { ["x"] = Random(TestData.StableSeed((length, onesided, inverse, channels)), 2 * length * 3 * channels) };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: OrtTolerance(length), inputs: inputs);
    }

    [Theory]
    [InlineData(16, 10)]
    [InlineData(10, 16)]
    [InlineData(512, 400)]
    [InlineData(400, 512)]
    public void Dft_length_pads_or_truncates_as_onnx_runtime(int signal, long dftLength)
    {
        var builder = new ModelBuilder(opset: 17).Input("x", 3, signal, 1).Initializer("n", new[] { dftLength })
            .Node("DFT", new[] { "x", "n" }, new[] { "y" }, ("axis", 1L)).Output("y");
        var inputs = new Dictionary<string, Array> { ["x"] = Random(signal, 3 * signal) };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: OrtTolerance(Math.Max(signal, (int)dftLength)), inputs: inputs);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(400)]
    public void Double_dft_matches_onnx_runtime(int length)
    {
        var builder = new ModelBuilder(opset: 17).Input("x", DT.Double, 2, length, 2)
            .Node("DFT", new[] { "x" }, new[] { "y" }, ("axis", 1L)).Output("y", DT.Double);
        var random = new Random(length);
        var inputs = new Dictionary<string, Array> { ["x"] = Enumerable.Range(0, 4 * length).Select(_ => random.NextDouble() * 2 - 1).ToArray() };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 1e-9, relTolerance: 1e-9, inputs: inputs);
    }

    /// <summary>
    /// Against a double-precision DFT written here, at ONNX's conformance tolerance (rtol 1e-3, atol 1e-7): every
    /// method (radix-2, direct, mixed radix for 400 and 1000, Bluestein for 97, 127 and 254), every direction, real
    /// and complex input.
    /// </summary>
    [Theory]
    [InlineData(8, 0, 0, 1)]
    [InlineData(12, 1, 0, 1)]
    [InlineData(12, 0, 1, 2)]
    [InlineData(63, 0, 0, 2)]
    [InlineData(64, 1, 0, 1)]
    [InlineData(400, 0, 0, 1)]
    [InlineData(400, 1, 0, 2)]
    [InlineData(400, 0, 1, 2)]
    [InlineData(512, 0, 1, 2)]
    [InlineData(1000, 1, 0, 1)]
    [InlineData(127, 0, 0, 2)]
    [InlineData(254, 1, 0, 1)]
    [InlineData(97, 1, 1, 2)]
    [InlineData(10, 1, 1, 2)]
    [InlineData(400, 1, 1, 2)]
    [InlineData(512, 1, 1, 2)]
    public void Dft_matches_a_double_precision_reference(int length, int onesided, int inverse, int channels)
    {
        // Inverse + onesided reads a half spectrum of length / 2 + 1 bins and returns `length` real samples (numpy's irfft).
        bool irfft = inverse == 1 && onesided == 1;
        int inputLength = irfft ? length / 2 + 1 : length;
        var builder = new ModelBuilder(opset: 17).Input("x", 2, inputLength, channels);
        var attributes = new List<(string, object)> { ("axis", 1L), ("onesided", (long)onesided), ("inverse", (long)inverse) };
        if (irfft) builder.Initializer("n", new long[] { length }).Node("DFT", new[] { "x", "n" }, new[] { "y" }, attributes.ToArray());
        else builder.Node("DFT", new[] { "x" }, new[] { "y" }, attributes.ToArray());
        builder.Output("y");
        var x = Random(TestData.StableSeed((length, onesided, inverse, channels, "ref")), 2 * inputLength * channels, 3f);
        var y = Run(builder, x);

        int bins = irfft ? length : onesided == 1 ? length / 2 + 1 : length;
        int outChannels = irfft ? 1 : 2;
        Assert.Equal(2 * bins * outChannels, y.Length);
        for (int b = 0; b < 2; b++)
        {
            var re = new double[length];
            var im = new double[length];
            int used = Math.Min(inputLength, irfft ? length / 2 + 1 : length);
            for (int t = 0; t < used; t++)
            {
                re[t] = x[(b * inputLength + t) * channels];
                im[t] = channels == 2 ? x[(b * inputLength + t) * channels + 1] : 0;
            }
            if (irfft)
                for (int k = length / 2 + 1; k < length; k++) { re[k] = re[length - k]; im[k] = -im[length - k]; }
            var (outRe, outIm) = NaiveDft(re, im, inverse == 1);
            for (int k = 0; k < bins; k++)
            {
                AssertClose(outRe[k], y[(b * bins + k) * outChannels], $"batch {b} bin {k} real");
                if (outChannels == 2) AssertClose(outIm[k], y[(b * bins + k) * outChannels + 1], $"batch {b} bin {k} imaginary");
            }
        }
    }

    /// <summary>A real signal's DC bin has an imaginary part of exactly 0, whatever the method.</summary>
    [Theory]
    [InlineData(10)]
    [InlineData(16)]
    [InlineData(400)]
    public void Real_input_has_an_exactly_real_dc_bin(int length)
    {
        var builder = new ModelBuilder(opset: 17).Input("x", 1, length, 1).Node("DFT", new[] { "x" }, new[] { "y" }, ("axis", 1L)).Output("y");
        var y = Run(builder, Enumerable.Range(0, length).Select(i => (float)i).ToArray());
        Assert.Equal(length * (length - 1) / 2.0, y[0], 3);
        Assert.True(Math.Abs(y[1]) <= 1e-7, $"DC imaginary part {y[1]}");
    }

    [Fact]
    public void Float16_dft_matches_a_double_precision_reference()
    {
        const int length = 16;
        var builder = new ModelBuilder(opset: 17).Input("x", DT.Float16, 1, length, 1)
            .Node("DFT", new[] { "x" }, new[] { "y" }, ("axis", 1L)).Output("y", DT.Float16);
        var x = Random(3, length).Select(v => (Half)v).ToArray();
        var options = ModelOptions.Default("SpectralModel", "ModelGen.Tests.Spectral");
        var result = OnnxAssert.Compile(builder.ToBytes(), options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var model = InMemoryModel.Load(result, options);
        var y = new Half[2 * length];
        model.Run(new Array[] { x }, new Array[] { y });
        var (re, im) = NaiveDft(x.Select(v => (double)v).ToArray(), new double[length], inverse: false);
        for (int k = 0; k < length; k++)
        {
            Assert.True(Math.Abs((double)y[2 * k] - re[k]) <= 1e-2 + 2e-3 * Math.Abs(re[k]), $"bin {k} real: {(double)y[2 * k]} vs {re[k]}");
            Assert.True(Math.Abs((double)y[2 * k + 1] - im[k]) <= 1e-2 + 2e-3 * Math.Abs(im[k]), $"bin {k} imaginary: {(double)y[2 * k + 1]} vs {im[k]}");
        }
    }

    [Theory]
    [InlineData(1000, 160, 400, 400, 1)]
    [InlineData(1000, 160, 512, 512, 1)]
    [InlineData(1000, 128, 256, 0, 1)]
    [InlineData(600, 100, 12, 12, 0)]
    [InlineData(600, 50, 16, 0, 0)]
    public void Stft_matches_onnx_runtime(int signal, long step, long frameLength, int window, int onesided)
    {
        var builder = new ModelBuilder(opset: 17).Input("signal", 2, signal, 1).Initializer("step", new[] { step });
        var inputs = new List<string> { "signal", "step" };
        if (window > 0)
        {
            builder.Initializer("window", Hann(window), window);
            inputs.Add("window");
        }
        else inputs.Add("");
        builder.Initializer("length", new[] { frameLength });
        inputs.Add("length");
        builder.Node("STFT", inputs.ToArray(), new[] { "y" }, ("onesided", (long)onesided)).Output("y");
        var data = new Dictionary<string, Array> { ["signal"] = Random(TestData.StableSeed((signal, step, frameLength, window)), 2 * signal) };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: OrtTolerance((int)frameLength), inputs: data);
    }

    /// <summary>The window as a run-time input (a model may compute it), and a complex signal.</summary>
    [Fact]
    public void Stft_with_a_run_time_window_and_a_complex_signal_matches_onnx_runtime()
    {
        var builder = new ModelBuilder(opset: 17).Input("signal", 1, 300, 2).Input("window", 64).Initializer("step", new[] { 32L })
            .Node("STFT", new[] { "signal", "step", "window" }, new[] { "y" }, ("onesided", 0L)).Output("y");
        var data = new Dictionary<string, Array> { ["signal"] = Random(11, 600), ["window"] = Hann(64) };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: OrtTolerance(64), inputs: data);
    }

    /// <summary>
    /// frame_length differs from the window's length. ONNX's shape inference (so ONNX Runtime) refuses such a model;
    /// ONNX's reference takes the window's length of samples per frame and lets the DFT truncate or zero-pad it to
    /// frame_length. ModelGen does as the reference, checked here against a double-precision STFT.
    /// </summary>
    [Theory]
    [InlineData(400, 512)]
    [InlineData(512, 400)]
    [InlineData(10, 16)]
    public void Stft_with_frame_length_other_than_the_window_matches_the_reference(int window, int frameLength)
    {
        const int signal = 1200, step = 160;
        var builder = new ModelBuilder(opset: 17).Input("signal", 1, signal, 1).Initializer("step", new long[] { step })
            .Initializer("window", Hann(window), window).Initializer("length", new long[] { frameLength })
            .Node("STFT", new[] { "signal", "step", "window", "length" }, new[] { "y" }).Output("y");
        var x = Random(window + frameLength, signal, 2f);
        var y = Run(builder, x);
        var w = Hann(window);
        int frames = 1 + (signal - frameLength) / step, bins = frameLength / 2 + 1;
        Assert.Equal(frames * bins * 2, y.Length);
        for (int f = 0; f < frames; f++)
        {
            var re = new double[frameLength];
            for (int t = 0; t < Math.Min(window, frameLength); t++)
                if (f * step + t < signal) re[t] = (double)x[f * step + t] * w[t];
            var (outRe, outIm) = NaiveDft(re, new double[frameLength], inverse: false);
            for (int k = 0; k < bins; k++)
            {
                AssertClose(outRe[k], y[(f * bins + k) * 2], $"frame {f} bin {k} real");
                AssertClose(outIm[k], y[(f * bins + k) * 2 + 1], $"frame {f} bin {k} imaginary");
            }
        }
    }

    [Theory]
    [InlineData(40, 512, 16000, 20f, 8000f)]
    [InlineData(80, 400, 16000, 0f, 7600f)]
    [InlineData(8, 64, 8000, 100f, 3000f)]
    public void MelWeightMatrix_matches_onnx_runtime(long mels, long dftLength, long sampleRate, float lower, float upper)
    {
        var builder = new ModelBuilder(opset: 17).Input("z", 1)
            .Initializer("mels", new[] { mels }).Initializer("n", new[] { dftLength }).Initializer("rate", new[] { sampleRate })
            .Initializer("lower", new[] { lower }).Initializer("upper", new[] { upper })
            .Node("MelWeightMatrix", new[] { "mels", "n", "rate", "lower", "upper" }, new[] { "m" })
            .Node("Add", new[] { "m", "z" }, new[] { "y" }).Output("y");
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 1e-6, inputs: new Dictionary<string, Array> { ["z"] = new float[] { 0f } });
    }

    /// <summary>A log-mel front end as speech models export it: STFT (a 400-point Hann window zero-padded to 512), power, mel projection.</summary>
    [Fact]
    public void Log_mel_front_end_matches_onnx_runtime()
    {
        var window = Hann(400).Concat(new float[112]).ToArray();
        var builder = new ModelBuilder(opset: 17).Input("audio", 1, 4000, 1)
            .Initializer("step", new[] { 160L }).Initializer("window", window, 512).Initializer("length", new[] { 512L })
            .Initializer("mels", new[] { 40L }).Initializer("n", new[] { 512L }).Initializer("rate", new[] { 16000L })
            .Initializer("lower", new[] { 20f }).Initializer("upper", new[] { 8000f })
            .Initializer("axes", new[] { 3L }, 1)
            .Node("STFT", new[] { "audio", "step", "window", "length" }, new[] { "spec" })
            .Node("Mul", new[] { "spec", "spec" }, new[] { "sq" })
            .Node("ReduceSum", new[] { "sq", "axes" }, new[] { "power" }, ("keepdims", 0L))
            .Node("MelWeightMatrix", new[] { "mels", "n", "rate", "lower", "upper" }, new[] { "mel" })
            .Node("MatMul", new[] { "power", "mel" }, new[] { "y" }).Output("y");
        var data = new Dictionary<string, Array> { ["audio"] = Random(5, 4000) };
        OnnxAssert.MatchesOnnxRuntime(builder.Build(), absTolerance: 1e-3, inputs: data);
    }

    private static float[] Hann(int n) => Enumerable.Range(0, n).Select(i => (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n))).ToArray();

    private static float[] Run(ModelBuilder builder, float[] x)
    {
        var options = ModelOptions.Default("SpectralModel", "ModelGen.Tests.Spectral");
        var result = OnnxAssert.Compile(builder.ToBytes(), options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var model = InMemoryModel.Load(result, options);
        var y = new float[model.Outputs[0].Length];
        model.Run(new Array[] { x }, new Array[] { y });
        return y;
    }

    /// <summary>O(n²) DFT in double, angles reduced mod n: the oracle for precision.</summary>
    private static (double[] Re, double[] Im) NaiveDft(double[] re, double[] im, bool inverse)
    {
        int n = re.Length;
        var outRe = new double[n];
        var outIm = new double[n];
        double sign = inverse ? 1 : -1;
        for (int k = 0; k < n; k++)
        {
            double sr = 0, si = 0;
            for (int j = 0; j < n; j++)
            {
                double angle = sign * 2 * Math.PI * ((long)j * k % n) / n;
                double c = Math.Cos(angle), s = Math.Sin(angle);
                sr += re[j] * c - im[j] * s;
                si += re[j] * s + im[j] * c;
            }
            outRe[k] = inverse ? sr / n : sr;
            outIm[k] = inverse ? si / n : si;
        }
        return (outRe, outIm);
    }

    /// <summary>ONNX's conformance tolerance: |actual − expected| ≤ 1e-7 + 1e-3·|expected|.</summary>
    private static void AssertClose(double expected, float actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-7 + 1e-3 * Math.Abs(expected), $"{what}: expected {expected:G9}, got {actual:G9}");
}
