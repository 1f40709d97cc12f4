using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>
/// QLinearMatMul against ONNX Runtime, exactly (tolerance 0). Random scales make the requantization order visible: a
/// different multiplier rounding or a double-precision product would move some outputs by one.
/// </summary>
[Trait("Category", "Ops")]
public class QLinearMatMulTests
{
    public static TheoryData<bool, bool, bool, int, int, int> Cases()
    {
        var data = new TheoryData<bool, bool, bool, int, int, int>();
        // The combinations ONNX Runtime implements: y of a's type, a and b uint8/uint8, uint8/int8 or int8/int8.
        foreach (var (a, b) in new[] { (false, false), (false, true), (true, true) })
            foreach (var (m, k, n) in new[] { (1, 1, 1), (3, 17, 5), (5, 33, 31), (9, 64, 40), (20, 130, 70) })
                data.Add(a, b, a, m, k, n);
        return data;
    }

    private static ModelBuilder Model(bool aSigned, bool bSigned, bool ySigned, long[] aShape, long[] bShape, int[] bValues, float[] bScale, int[] bZero,
        float aScale, int aZero, float yScale, int yZero, bool constantB = true, int opset = 13)
    {
        var model = new ModelBuilder(opset: opset).Input("a", QuantizedTestData.Type(aSigned), aShape);
        if (constantB) model.Initializer(QuantizedTestData.Tensor("b", bValues, bSigned, bShape));
        else model.Input("b", QuantizedTestData.Type(bSigned), bShape);
        return model
            .Initializer("as", new[] { aScale }).Initializer(QuantizedTestData.Tensor("az", new[] { aZero }, aSigned))
            .Initializer("bs", bScale, bScale.Length == 1 ? Array.Empty<long>() : new long[] { bScale.Length })
            .Initializer(QuantizedTestData.Tensor("bz", bZero, bSigned, bZero.Length == 1 ? Array.Empty<long>() : new long[] { bZero.Length }))
            .Initializer("ys", new[] { yScale }).Initializer(QuantizedTestData.Tensor("yz", new[] { yZero }, ySigned))
            .Node("QLinearMatMul", new[] { "a", "as", "az", "b", "bs", "bz", "ys", "yz" }, new[] { "y" }).Output("y", QuantizedTestData.Type(ySigned));
    }

    private static float RandomScale(Random random, float magnitude) => (float)(magnitude * (0.5 + random.NextDouble()));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_onnx_runtime_per_tensor_and_per_column(bool aSigned, bool bSigned, bool ySigned, int m, int k, int n)
    {
        var random = new Random(m * 7919 + k * 31 + n);
        for (int trial = 0; trial < 6; trial++)
        {
            bool perColumn = trial % 2 == 1;
            bool constantB = trial != 4;
            int columns = perColumn ? n : 1;
            var bScale = Enumerable.Range(0, columns).Select(_ => RandomScale(random, 0.02f)).ToArray();
            // y_scale near the typical output magnitude, so values spread over the whole range and some saturate.
            float yScale = RandomScale(random, 0.02f * 0.02f * 60f * MathF.Sqrt(k));
            var model = Model(aSigned, bSigned, ySigned, new long[] { m, k }, new long[] { k, n }, QuantizedTestData.Values(random, k * n, bSigned),
                bScale, QuantizedTestData.Values(random, constantB ? columns : 1, bSigned), RandomScale(random, 0.02f), QuantizedTestData.Values(random, 1, aSigned)[0],
                yScale, QuantizedTestData.Values(random, 1, ySigned)[0], constantB, opset: trial < 3 ? 10 : 21);
            var inputs = new Dictionary<string, Array> { ["a"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, m * k, aSigned), aSigned) };
            if (!constantB)
            {
                inputs["b"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, k * n, bSigned), bSigned);
            }
            QuantizedTestData.Check(model, inputs);
        }
    }

    /// <summary>
    /// Near-ties: scales that are powers of two make acc · multiplier land exactly on .5 for many accumulators, so the
    /// rounding (half to even, not away from zero) decides; a multiplier of 1/3 makes ties depend on float rounding of the product.
    /// </summary>
    [Theory]
    [InlineData(0.5f, 1f, 4f)]
    [InlineData(0.25f, 0.5f, 1f)]
    [InlineData(0.1f, 0.3f, 0.09f)]
    [InlineData(1f, 1f, 3f)]
    [InlineData(0.007f, 0.011f, 0.0029f)]
    public void Ties_round_half_to_even_like_onnx_runtime(float aScale, float bScale, float yScale)
    {
        const int m = 6, k = 3, n = 40;
        var random = new Random(5);
        foreach (bool signed in new[] { false, true })
        {
            var model = Model(signed, signed, signed, new long[] { m, k }, new long[] { k, n }, QuantizedTestData.Values(random, k * n, signed),
                new[] { bScale }, new[] { signed ? 3 : 128 }, aScale, signed ? -2 : 120, yScale, signed ? 1 : 127);
            QuantizedTestData.Check(model, new() { ["a"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, m * k, signed), signed) });
        }
    }

    [Theory]
    [InlineData(new long[] { 2, 3, 4, 9 }, new long[] { 9, 20 })]
    [InlineData(new long[] { 2, 4, 9 }, new long[] { 2, 9, 20 })]
    [InlineData(new long[] { 1, 4, 9 }, new long[] { 3, 9, 20 })]
    public void Batches(long[] aShape, long[] bShape)
    {
        var random = new Random(3);
        int aSize = (int)aShape.Aggregate(1L, (x, y) => x * y), bSize = (int)bShape.Aggregate(1L, (x, y) => x * y);
        var model = Model(false, true, false, aShape, bShape, QuantizedTestData.Values(random, bSize, true), new[] { 0.01f }, new[] { 0 }, 0.02f, 128, 0.05f, 128);
        QuantizedTestData.Check(model, new() { ["a"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, aSize, false), false) });
    }

    /// <summary>
    /// The combinations ONNX Runtime has no QLinearMatMul kernel for (int8 a with uint8 b, y of another type than a),
    /// against a reference from the ONNX definition with ONNX Runtime's requantization order (established above).
    /// </summary>
    [Theory]
    [InlineData(true, false, true)]
    [InlineData(true, false, false)]
    [InlineData(false, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, true, false)]
    public void Other_type_combinations_match_the_reference(bool aSigned, bool bSigned, bool ySigned)
    {
        const int m = 7, k = 45, n = 21;
        var random = new Random(17);
        var a = QuantizedTestData.Values(random, m * k, aSigned);
        var b = QuantizedTestData.Values(random, k * n, bSigned);
        var bScale = Enumerable.Range(0, n).Select(_ => RandomScale(random, 0.02f)).ToArray();
        var bZero = QuantizedTestData.Values(random, n, bSigned);
        float aScale = 0.013f, yScale = RandomScale(random, 0.02f * 0.013f * 60f * MathF.Sqrt(k));
        int aZero = QuantizedTestData.Values(random, 1, aSigned)[0], yZero = QuantizedTestData.Values(random, 1, ySigned)[0];
        var model = Model(aSigned, bSigned, ySigned, new long[] { m, k }, new long[] { k, n }, b, bScale, bZero, aScale, aZero, yScale, yZero);
        var actual = QuantizedTestData.RunModelGen(model, new() { ["a"] = QuantizedTestData.ToArray(a, aSigned) });
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                long acc = 0;
                for (int p = 0; p < k; p++) acc += (long)(a[i * k + p] - aZero) * (b[p * n + j] - bZero[j]);
                float multiplier = aScale * bScale[j] / yScale;
                Assert.Equal(QuantizedTestData.Requantize(acc, multiplier, yZero, ySigned), actual[i * n + j]);
            }
    }

    /// <summary>
    /// Accumulators where the plausible requantization orders disagree: the multiplier as (a_scale·b_scale)/y_scale in
    /// float (what ORT does), in double rounded once to float, as a_scale·(b_scale/y_scale), and everything in double.
    /// Row t of a is (T/255, T%255) against a b column (255, 1), so the accumulator is exactly T; the rows are the T in
    /// [0, 65280] for which some order rounds differently from ORT's.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Multiplier_rounding_order_matches_onnx_runtime(int seed)
    {
        var random = new Random(seed);
        float aScale = 0, bScale = 0, yScale = 0;
        var rows = new List<int>();
        while (rows.Count < 8)
        {
            aScale = (float)(0.01 + 0.09 * random.NextDouble());
            bScale = (float)(0.01 + 0.09 * random.NextDouble());
            yScale = (float)(aScale * (double)bScale / (0.0025 + 0.0013 * random.NextDouble()));
            float ort = aScale * bScale / yScale;
            float viaDouble = (float)((double)aScale * bScale / yScale);
            float ratioFirst = aScale * (bScale / yScale);
            rows.Clear();
            for (int t = 0; t <= 255 * 256 && rows.Count < 64; t++)
            {
                int expected = (int)MathF.Round((float)t * ort, MidpointRounding.ToEven);
                if ((int)MathF.Round((float)t * viaDouble, MidpointRounding.ToEven) != expected
                    || (int)MathF.Round((float)t * ratioFirst, MidpointRounding.ToEven) != expected
                    || (int)Math.Round(t * (double)aScale * bScale / yScale, MidpointRounding.ToEven) != expected)
                    rows.Add(t);
            }
        }
        int m = rows.Count;
        var a = rows.SelectMany(t => new[] { t / 255, t % 255 }).ToArray();
        var model = Model(false, false, false, new long[] { m, 2 }, new long[] { 2, 1 }, new[] { 255, 1 }, new[] { bScale }, new[] { 0 }, aScale, 0, yScale, 0);
        var report = OnnxAssert.MatchesOnnxRuntime(model.Build(), absTolerance: 0, relTolerance: 0, inputs: new() { ["a"] = QuantizedTestData.ToArray(a, false) });
        Assert.Equal(0, report.Outputs[0].MaxAbsDiff);
    }

    /// <summary>A scale that is only known at run time is reported (MG0203) with the input and the node, not compiled.</summary>
    [Fact]
    public void Run_time_scale_is_a_diagnostic_naming_the_input()
    {
        var model = new ModelBuilder(opset: 13).Input("a", TensorProto.Types.DataType.Uint8, 2, 3).Input("ys", TensorProto.Types.DataType.Float)
            .Initializer("as", new[] { 0.1f }).Initializer(QuantizedTestData.Tensor("az", new[] { 0 }, false))
            .Initializer(QuantizedTestData.Tensor("b", new[] { 1, 2, 3, 4, 5, 6 }, false, 3, 2))
            .Initializer("bs", new[] { 0.1f }).Initializer(QuantizedTestData.Tensor("bz", new[] { 0 }, false))
            .Initializer(QuantizedTestData.Tensor("yz", new[] { 0 }, false))
            .Node("QLinearMatMul", new[] { "a", "as", "az", "b", "bs", "bz", "ys", "yz" }, new[] { "y" }).Output("y", TensorProto.Types.DataType.Uint8);
        var result = OnnxAssert.Compile(model.ToBytes());
        Assert.False(result.Success);
        var diagnostic = Assert.Single(result.Diagnostics, d => d.Id == "MG0203");
        Assert.Contains("y_scale input 'ys' must be known at build time", diagnostic.Message);
        Assert.Contains("qlinearmatmul_0", diagnostic.Message);
    }
}
