using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Configuration;
using ModelGen.Ir;
using ModelGen.Onnx;
using ModelGen.Ops;
using ModelGen.Runtime;
using ModelGen.Tests.Infrastructure;
using Xunit;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>
/// The bits-only element types (bfloat16, float8, float4e2m1, int4/uint4, int2/uint2): every code of the small floats
/// against values derived here from the bit layouts of the ONNX/OCP specifications (not from ModelGen's codec), float to
/// float8 rounding against a brute-force nearest-value search, the saturate tables of Cast, generated models in both
/// run-time and folded form, and the ONNX backend cases of Cast, CastLike, QuantizeLinear and DequantizeLinear.
/// </summary>
[Trait("Category", "Ops")]
public class ElementFormatTests
{
    public static readonly DataType[] SmallFloats =
    {
        DataType.Float8E4M3FN, DataType.Float8E4M3FNUZ, DataType.Float8E5M2, DataType.Float8E5M2FNUZ, DataType.Float4E2M1,
    };

    public static IEnumerable<object[]> SmallFloatTypes() => SmallFloats.Select(t => new object[] { t });

    private static int Codes(DataType t) => t == DataType.Float4E2M1 ? 16 : 256;

    private static int SignBit(DataType t) => t == DataType.Float4E2M1 ? 0x8 : 0x80;

    private static bool Uz(DataType t) => t is DataType.Float8E4M3FNUZ or DataType.Float8E5M2FNUZ;

    /// <summary>
    /// The value of a code from the specification's layout: sign, exponent bits, mantissa bits and bias, with
    /// subnormals at exponent 0, and each type's special codes (E4M3FN: S.1111.111 is NaN, no infinity; FNUZ: only
    /// 0x80 is NaN, no infinity, no negative zero; E5M2: IEEE-like, exponent 11111 is infinity or NaN; E2M1: no specials).
    /// </summary>
    private static double SpecValue(DataType t, int code)
    {
        var (exponentBits, mantissaBits, bias) = t switch
        {
            DataType.Float8E4M3FN => (4, 3, 7),
            DataType.Float8E4M3FNUZ => (4, 3, 8),
            DataType.Float8E5M2 => (5, 2, 15),
            DataType.Float8E5M2FNUZ => (5, 2, 16),
            _ => (2, 1, 1),
        };
        int total = 1 + exponentBits + mantissaBits;
        bool negative = (code >> (total - 1) & 1) == 1;
        int exponent = (code >> mantissaBits) & ((1 << exponentBits) - 1);
        int mantissa = code & ((1 << mantissaBits) - 1);
        if (Uz(t) && code == 0x80) return double.NaN;
        if (t == DataType.Float8E4M3FN && exponent == 15 && mantissa == 7) return double.NaN;
        if (t == DataType.Float8E5M2 && exponent == 31) return mantissa == 0 ? (negative ? double.NegativeInfinity : double.PositiveInfinity) : double.NaN;
        double magnitude = exponent == 0
            ? mantissa / Math.Pow(2, mantissaBits) * Math.Pow(2, 1 - bias)
            : (1 + mantissa / Math.Pow(2, mantissaBits)) * Math.Pow(2, exponent - bias);
        return negative ? -magnitude : magnitude;
    }

    private static float[] Decode(DataType t, byte[] codes)
    {
        var result = new float[codes.Length];
        Kernels.CastFormat<byte, float>(codes, result, (int)t, (int)DataType.Float, true, 0);
        return result;
    }

    private static byte[] Encode(DataType t, float[] values, bool saturate = true)
    {
        var result = new byte[values.Length];
        Kernels.CastFormat<float, byte>(values, result, (int)DataType.Float, (int)t, saturate, 0);
        return result;
    }

    private static bool IsNegativeZero(double v) => v == 0 && BitConverter.DoubleToInt64Bits(v) != 0;

    [Theory]
    [MemberData(nameof(SmallFloatTypes))]
    public void Every_code_decodes_to_the_value_of_its_bit_layout(DataType t)
    {
        var codes = Enumerable.Range(0, Codes(t)).Select(c => (byte)c).ToArray();
        var runtime = Decode(t, codes);
        var proto = ModelBuilder.RawTensor("c", (DT)(int)t, t == DataType.Float4E2M1
            ? Enumerable.Range(0, 8).Select(i => (byte)(2 * i | (2 * i + 1) << 4)).ToArray() : codes, codes.Length);
        var read = TensorReader.Read(proto).Floats!;
        for (int c = 0; c < codes.Length; c++)
        {
            double expected = SpecValue(t, c);
            foreach (var (actual, where) in new[] { (runtime[c], "kernel"), (read[c], "reader") })
            {
                if (double.IsNaN(expected)) { Assert.True(float.IsNaN(actual), $"{t} code {c:X2} ({where}): {actual}, expected NaN"); continue; }
                Assert.True(expected == actual && IsNegativeZero(expected) == IsNegativeZero(actual), $"{t} code {c:X2} ({where}): {actual}, expected {expected}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(SmallFloatTypes))]
    public void Every_value_encodes_back_to_its_code(DataType t)
    {
        var codes = Enumerable.Range(0, Codes(t)).ToArray();
        var values = codes.Select(c => (float)SpecValue(t, c)).ToArray();
        var encoded = Encode(t, values, saturate: false);
        var folded = CastOp.Convert(Tensor.FromFloats(new[] { values.Length }, values), t, saturate: false);
        var foldedBits = DataTypes.StorageBits(folded);
        for (int c = 0; c < codes.Length; c++)
        {
            if (double.IsNaN(SpecValue(t, c)))
            {
                Assert.True(double.IsNaN(SpecValue(t, encoded[c])), $"{t}: NaN code {c:X2} encoded to {encoded[c]:X2}, not a NaN");
                Assert.True(double.IsNaN(SpecValue(t, (int)foldedBits[c])), $"{t}: NaN code {c:X2} folded to {foldedBits[c]:X2}");
                continue;
            }
            // FNUZ has no negative zero; E2M1's 0x8 is its negative zero.
            int expected = c == 0x80 && Uz(t) ? 0 : c;
            Assert.True(expected == encoded[c], $"{t}: value {values[c]} (code {c:X2}) encoded to {encoded[c]:X2}");
            Assert.True(expected == foldedBits[c], $"{t}: value {values[c]} (code {c:X2}) folded to {foldedBits[c]:X2}");
        }
    }

    /// <summary>Nearest finite value by search over every code; ties to the even code (even mantissa); saturating.</summary>
    private static int Nearest(DataType t, float x)
    {
        if (float.IsNaN(x)) return -1;
        int sign = x < 0 || (x == 0 && float.IsNegative(x)) ? SignBit(t) : 0;
        double a = Math.Abs((double)x);
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        // Beyond the largest finite value (where double distances stop telling neighbours apart): saturate.
        bool beyond = Enumerable.Range(0, SignBit(t)).Select(c => SpecValue(t, c)).Where(v => !double.IsNaN(v) && !double.IsInfinity(v)).Max() * 2 < a;
        for (int c = 0; c < SignBit(t); c++)
        {
            double v = SpecValue(t, c);
            if (double.IsNaN(v) || double.IsInfinity(v)) continue;
            double d = Math.Abs(v - a);
            if (beyond) d = -v; // the largest finite value
            if (d < bestDistance || d == bestDistance && c % 2 == 0) { best = c; bestDistance = d; }
        }
        return best == 0 && Uz(t) ? 0 : best | sign;
    }

    [Theory]
    [MemberData(nameof(SmallFloatTypes))]
    public void Rounds_to_nearest_even_between_every_pair_of_neighbours(DataType t)
    {
        var probes = new List<float>();
        for (int c = 0; c + 1 < SignBit(t); c++)
        {
            double lo = SpecValue(t, c), hi = SpecValue(t, c + 1);
            if (double.IsNaN(hi) || double.IsInfinity(hi)) break;
            float mid = (float)((lo + hi) / 2);
            Assert.Equal((lo + hi) / 2, mid); // exact in float
            probes.AddRange(new[] { mid, MathF.BitIncrement(mid), MathF.BitDecrement(mid), (float)hi, -mid, -MathF.BitIncrement(mid), -MathF.BitDecrement(mid) });
        }
        probes.AddRange(new[] { 1e-30f, -1e-30f, float.Epsilon, 0f, -0f, 1e30f, -1e30f, float.PositiveInfinity, float.NegativeInfinity });
        var values = probes.ToArray();
        var encoded = Encode(t, values);
        var folded = DataTypes.StorageBits(CastOp.Convert(Tensor.FromFloats(new[] { values.Length }, values), t));
        for (int i = 0; i < values.Length; i++)
        {
            int expected = Nearest(t, values[i]);
            Assert.True(expected == encoded[i], $"{t}: {values[i]:R} encoded to {encoded[i]:X2}, expected {expected:X2}");
            Assert.True(expected == folded[i], $"{t}: {values[i]:R} folded to {folded[i]:X2}, expected {expected:X2}");
        }
    }

    [Theory]
    [InlineData(DataType.Float8E4M3FN, true, 0x7E, 0xFE, 0x7E, 0xFE, 0x7F)]
    [InlineData(DataType.Float8E4M3FN, false, 0x7F, 0xFF, 0x7F, 0xFF, 0x7F)]
    [InlineData(DataType.Float8E4M3FNUZ, true, 0x7F, 0xFF, 0x7F, 0xFF, 0x80)]
    [InlineData(DataType.Float8E4M3FNUZ, false, 0x80, 0x80, 0x80, 0x80, 0x80)]
    [InlineData(DataType.Float8E5M2, true, 0x7B, 0xFB, 0x7B, 0xFB, -1)]
    [InlineData(DataType.Float8E5M2, false, 0x7C, 0xFC, 0x7C, 0xFC, -1)]
    [InlineData(DataType.Float8E5M2FNUZ, true, 0x7F, 0xFF, 0x7F, 0xFF, 0x80)]
    [InlineData(DataType.Float8E5M2FNUZ, false, 0x80, 0x80, 0x80, 0x80, 0x80)]
    [InlineData(DataType.Float4E2M1, false, 0x7, 0xF, 0x7, 0xF, 0x8)] // no float8 here: saturate does not apply
    public void Out_of_range_follows_the_cast_tables(DataType t, bool saturate, int inf, int negInf, int big, int negBig, int nan)
    {
        var values = new[] { float.PositiveInfinity, float.NegativeInfinity, 1e6f, -1e6f, BitConverter.Int32BitsToSingle(0x7FC00000) };
        var encoded = Encode(t, values, saturate);
        var folded = DataTypes.StorageBits(CastOp.Convert(Tensor.FromFloats(new[] { values.Length }, values), t, saturate));
        var expected = new[] { inf, negInf, big, negBig, nan };
        for (int i = 0; i < values.Length; i++)
        {
            if (expected[i] < 0) { Assert.True(double.IsNaN(SpecValue(t, encoded[i])), $"{t}: NaN encoded to {encoded[i]:X2}"); continue; }
            Assert.True(expected[i] == encoded[i], $"{t} saturate={saturate}: {values[i]} encoded to {encoded[i]:X2}, expected {expected[i]:X2}");
            Assert.True(expected[i] == folded[i], $"{t} saturate={saturate}: {values[i]} folded to {folded[i]:X2}, expected {expected[i]:X2}");
        }
    }

    [Fact]
    public void Bfloat16_is_the_high_half_of_binary32_rounded_to_nearest_even()
    {
        var codes = Enumerable.Range(0, 65536).Select(c => (ushort)c).ToArray();
        var decoded = new float[codes.Length];
        Kernels.CastFormat<ushort, float>(codes, decoded, (int)DataType.BFloat16, (int)DataType.Float, true, 0);
        var back = new ushort[codes.Length];
        Kernels.CastFormat<float, ushort>(decoded, back, (int)DataType.Float, (int)DataType.BFloat16, true, 0);
        for (int c = 0; c < codes.Length; c++)
        {
            float expected = BitConverter.Int32BitsToSingle(c << 16);
            if (float.IsNaN(expected)) { Assert.True(float.IsNaN(decoded[c]) && (back[c] & 0x7FFF) > 0x7F80, $"NaN {c:X4}"); continue; }
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(decoded[c]));
            Assert.Equal(c, back[c]);
        }
        // Halfway between neighbours: ties to the even code; just above or below: the nearer one.
        var random = new Random(5);
        var probes = new List<float>();
        var expectedCodes = new List<int>();
        for (int k = 0; k < 4000; k++)
        {
            int c = random.Next(0, 0x7F7F) | (random.Next(2) << 15); // finite, not the largest
            double lo = BitConverter.Int32BitsToSingle(c << 16), hi = BitConverter.Int32BitsToSingle((c + 1) << 16);
            float mid = (float)((lo + hi) / 2);
            probes.Add(mid); expectedCodes.Add(c % 2 == 0 ? c : c + 1);
            probes.Add(MathF.BitIncrement(Math.Abs(mid)) * Math.Sign(mid == 0 ? 1 : mid)); expectedCodes.Add(c + 1);
        }
        var encoded = new ushort[probes.Count];
        Kernels.CastFormat<float, ushort>(probes.ToArray(), encoded, (int)DataType.Float, (int)DataType.BFloat16, true, 0);
        var folded = DataTypes.StorageBits(CastOp.Convert(Tensor.FromFloats(new[] { probes.Count }, probes.ToArray()), DataType.BFloat16));
        for (int i = 0; i < probes.Count; i++)
        {
            Assert.True(expectedCodes[i] == encoded[i], $"{probes[i]:R} encoded to {encoded[i]:X4}, expected {expectedCodes[i]:X4}");
            Assert.True(expectedCodes[i] == folded[i], $"{probes[i]:R} folded to {folded[i]:X4}, expected {expectedCodes[i]:X4}");
        }
    }

    [Theory]
    [InlineData("up", 1.0f, 127)]
    [InlineData("up", 1.01f, 128)]
    [InlineData("down", 1.99f, 127)]
    [InlineData("nearest", 1.49f, 127)]
    [InlineData("nearest", 1.5f, 128)]
    [InlineData("up", 0.25f, 125)]
    [InlineData("up", float.PositiveInfinity, 255)]
    public void Float8e8m0_is_a_power_of_two_rounded_as_round_mode_says(string mode, float x, int code)
    {
        int roundMode = mode switch { "up" => 0, "down" => 1, _ => 2 };
        var encoded = new byte[1];
        Kernels.CastFormat<float, byte>(new[] { x }, encoded, (int)DataType.Float, (int)DataType.Float8E8M0, true, roundMode);
        Assert.Equal(code, encoded[0]);
        var decoded = new float[256];
        Kernels.CastFormat<byte, float>(Enumerable.Range(0, 256).Select(c => (byte)c).ToArray(), decoded, (int)DataType.Float8E8M0, (int)DataType.Float, true, 0);
        for (int c = 0; c < 255; c++) Assert.Equal(Math.Pow(2, c - 127), decoded[c]);
        Assert.True(float.IsNaN(decoded[255]));
    }

    public static IEnumerable<object[]> Lengths() => new[] { 1, 7, 33, 257 }.SelectMany(n => SmallFloats.Select(t => new object[] { t, n }));

    /// <summary>A generated model (float → type → float, opset 19) on random data, run at run time and folded at build time.</summary>
    [Theory]
    [MemberData(nameof(Lengths))]
    public void Generated_models_cast_both_ways_at_run_time_and_fold(DataType t, int n)
    {
        var random = new Random(n);
        double max = Enumerable.Range(0, SignBit(t)).Select(c => SpecValue(t, c)).Where(v => !double.IsNaN(v) && !double.IsInfinity(v)).Max();
        var x = Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2.4 - 1.2) * max * Math.Pow(2, -random.Next(0, 12)))).ToArray();
        var expectedBits = x.Select(v => (byte)Nearest(t, v)).ToArray();
        var expectedBack = expectedBits.Select(c => (float)SpecValue(t, c)).ToArray();

        var runtime = new ModelBuilder(opset: 19).Input("x", DT.Float, n)
            .Node("Cast", new[] { "x" }, new[] { "q" }, ("to", (int)t))
            .Node("Cast", new[] { "q" }, new[] { "y" }, ("to", (int)DT.Float))
            .Output("q", (DT)(int)t).Output("y");
        var (q, y) = Run(runtime, new Array[] { x });
        Assert.Equal(expectedBits, q);
        Assert.Equal(expectedBack, y);

        var folded = new ModelBuilder(opset: 19).Input("unused", DT.Float, 1).Initializer("x", x, n)
            .Node("Cast", new[] { "x" }, new[] { "q" }, ("to", (int)t))
            .Node("Cast", new[] { "q" }, new[] { "y" }, ("to", (int)DT.Float))
            .Node("Identity", new[] { "unused" }, new[] { "u" })
            .Output("q", (DT)(int)t).Output("y").Output("u");
        var (fq, fy) = Run(folded, new Array[] { new float[1] });
        Assert.Equal(expectedBits, fq);
        Assert.Equal(expectedBack, fy);
    }

    private static (byte[] Q, float[] Y) Run(ModelBuilder builder, Array[] inputs)
    {
        var options = ModelOptions.Default("ElementFormatModel", "ModelGen.Tests.ElementFormats");
        var result = ModelCompiler.Compile(builder.ToBytes(), "formats.onnx", options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var model = InMemoryModel.Load(result, options);
        var outputs = model.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        model.Run(inputs, outputs);
        return ((byte[])outputs[0], (float[])outputs[1]);
    }

    [Theory]
    [InlineData(DT.Int4, new sbyte[] { 7, -8, -7, -1, 0, 7, -8, -1 })]
    [InlineData(DT.Uint4, new sbyte[] { 7, 8, 9, 15, 0, 7, 8, 15 })]
    public void Four_bit_integers_wrap_truncated_values_and_are_unpacked_one_per_byte(DT type, sbyte[] expected)
    {
        var x = new[] { -9f, -8f, -7.9f, -1f, 0.5f, 7f, 8f, 15f };
        var builder = new ModelBuilder(opset: 21).Input("x", DT.Float, 8)
            .Node("Cast", new[] { "x" }, new[] { "q" }, ("to", (int)type))
            .Node("Cast", new[] { "q" }, new[] { "y" }, ("to", (int)DT.Int32))
            .Output("q", type).Output("y", DT.Int32);
        var options = ModelOptions.Default("Int4Model", "ModelGen.Tests.ElementFormats");
        var result = ModelCompiler.Compile(builder.ToBytes(), "int4.onnx", options);
        Assert.True(result.Success, string.Join("; ", result.Diagnostics));
        var model = InMemoryModel.Load(result, options);
        var outputs = model.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        model.Run(new Array[] { x }, outputs);
        var stored = outputs[0].Cast<object>().Select(v => Convert.ToInt32(v)).ToArray();
        Assert.Equal(expected.Select(v => type == DT.Int4 ? v : (int)(byte)v), stored);
        Assert.Equal(stored, (int[])outputs[1]);
    }

    [Fact]
    public void String_casts_and_bad_attributes_are_diagnostics()
    {
        var toString = new ModelBuilder(opset: 19).Input("x", DT.Float, 2).Node("Cast", new[] { "x" }, new[] { "y" }, ("to", (int)DT.String)).Output("y", DT.String);
        var result = OnnxAssert.Compile(toString.ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("string", StringComparison.Ordinal));

        var badSaturate = new ModelBuilder(opset: 19).Input("x", DT.Float, 2)
            .Node("Cast", new[] { "x" }, new[] { "y" }, ("to", (int)DataType.Float8E4M3FN), ("saturate", 2)).Output("y", (DT)(int)DataType.Float8E4M3FN);
        result = OnnxAssert.Compile(badSaturate.ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("'saturate' is 2", StringComparison.Ordinal));

        var badMode = new ModelBuilder(opset: 24).Input("x", DT.Float, 2)
            .Node("Cast", new[] { "x" }, new[] { "y" }, ("to", (int)DataType.Float8E8M0), ("round_mode", "sideways")).Output("y", (DT)(int)DataType.Float8E8M0);
        result = OnnxAssert.Compile(badMode.ToBytes());
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("'round_mode' is 'sideways'", StringComparison.Ordinal));
    }

    /// <summary>Backend cases left out, with the reason (they are checked to be rejected cleanly instead).</summary>
    public static readonly IReadOnlyDictionary<string, string> KnownUnsupported = new Dictionary<string, string>(StringComparer.Ordinal)
    {
    };

    public static IEnumerable<object[]> BackendCases() =>
        BackendTestCase.Names("test_cast_", "test_castlike_", "test_quantizelinear", "test_dequantizelinear")
            .Where(n => !KnownUnsupported.ContainsKey(n))
            .Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Backend_case_passes_with_run_time_inputs(string name) => BackendTestCase.Load(name).AssertPasses(1e-7, 1e-3);

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Backend_case_passes_with_build_time_inputs_baked(string name) => BackendTestCase.Load(name).AssertPassesWithBuildTimeInputsBaked(1e-7, 1e-3);
}
