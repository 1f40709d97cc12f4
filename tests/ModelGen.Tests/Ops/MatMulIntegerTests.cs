using System;
using System.Collections.Generic;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Ops;

/// <summary>MatMulInteger against ONNX Runtime, exactly (tolerance 0): every uint8/int8 pairing, zero points, tails and batches.</summary>
[Trait("Category", "Ops")]
public class MatMulIntegerTests
{
    public static TheoryData<bool, bool, int, int, int> Shapes()
    {
        var data = new TheoryData<bool, bool, int, int, int>();
        foreach (var a in new[] { false, true })
            foreach (var b in new[] { false, true })
                foreach (var (m, k, n) in new[] { (1, 1, 1), (3, 17, 5), (5, 33, 31), (8, 64, 48), (13, 7, 17) })
                    data.Add(a, b, m, k, n);
        return data;
    }

    /// <summary>B constant (packed at build time, with a constant per-column zero point) or a run-time input; A's zero point a run-time scalar.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_onnx_runtime(bool aSigned, bool bSigned, int m, int k, int n)
    {
        var random = new Random(m * 1000 + k * 10 + n);
        foreach (bool constantB in new[] { true, false })
        {
            var bValues = QuantizedTestData.Values(random, k * n, bSigned);
            var bZero = QuantizedTestData.Values(random, n, bSigned);
            var model = new ModelBuilder(opset: 13).Input("a", QuantizedTestData.Type(aSigned), m, k).Input("az", QuantizedTestData.Type(aSigned));
            if (constantB) model.Initializer(QuantizedTestData.Tensor("b", bValues, bSigned, k, n));
            else model.Input("b", QuantizedTestData.Type(bSigned), k, n);
            model.Initializer(QuantizedTestData.Tensor("bz", bZero, bSigned, n));
            model.Node("MatMulInteger", new[] { "a", "b", "az", "bz" }, new[] { "y" }).Output("y", TensorProto.Types.DataType.Int32);
            var inputs = new Dictionary<string, Array>
            {
                ["a"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, m * k, aSigned), aSigned),
                ["az"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, 1, aSigned), aSigned),
            };
            if (!constantB) inputs["b"] = QuantizedTestData.ToArray(bValues, bSigned);
            QuantizedTestData.Check(model, inputs);
        }
    }

    /// <summary>Extremes everywhere: all-minimum or all-maximum data against the opposite zero point (largest products).</summary>
    [Theory]
    [InlineData(false, false, "max", "min")]
    [InlineData(true, true, "min", "max")]
    [InlineData(true, true, "min", "min")]
    [InlineData(false, true, "max", "min")]
    [InlineData(true, false, "min", "max")]
    public void Extremes_are_exact(bool aSigned, bool bSigned, string data, string zero)
    {
        const int m = 5, k = 301, n = 19;
        var random = new Random(7);
        var model = new ModelBuilder(opset: 13).Input("a", QuantizedTestData.Type(aSigned), m, k)
            .Initializer(QuantizedTestData.Tensor("b", QuantizedTestData.Values(random, k * n, bSigned, data), bSigned, k, n))
            .Initializer(QuantizedTestData.Tensor("az", QuantizedTestData.Values(random, 1, aSigned, zero), aSigned))
            .Initializer(QuantizedTestData.Tensor("bz", QuantizedTestData.Values(random, 1, bSigned, zero), bSigned))
            .Node("MatMulInteger", new[] { "a", "b", "az", "bz" }, new[] { "y" }).Output("y", TensorProto.Types.DataType.Int32);
        QuantizedTestData.Check(model, new() { ["a"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, m * k, aSigned, data), aSigned) });
    }

    /// <summary>No zero points, batched A with a shared constant B (folded into rows), broadcast batches, 1-D operands.</summary>
    [Theory]
    [InlineData(new long[] { 2, 3, 4, 9 }, new long[] { 9, 20 })]
    [InlineData(new long[] { 2, 3, 4, 9 }, new long[] { 2, 1, 9, 20 })]
    [InlineData(new long[] { 1, 5, 9 }, new long[] { 3, 9, 6 })]
    [InlineData(new long[] { 9 }, new long[] { 9, 6 })]
    [InlineData(new long[] { 4, 9 }, new long[] { 9 })]
    public void Batches_and_vectors(long[] aShape, long[] bShape)
    {
        var random = new Random(11);
        foreach (bool constantB in new[] { true, false })
        {
            int aSize = 1, bSize = 1;
            foreach (var d in aShape) aSize *= (int)d;
            foreach (var d in bShape) bSize *= (int)d;
            var bValues = QuantizedTestData.Values(random, bSize, true);
            var model = new ModelBuilder(opset: 13).Input("a", TensorProto.Types.DataType.Uint8, aShape);
            if (constantB) model.Initializer(QuantizedTestData.Tensor("b", bValues, true, bShape));
            else model.Input("b", TensorProto.Types.DataType.Int8, bShape);
            model.Node("MatMulInteger", new[] { "a", "b" }, new[] { "y" }).Output("y", TensorProto.Types.DataType.Int32);
            var inputs = new Dictionary<string, Array> { ["a"] = QuantizedTestData.ToArray(QuantizedTestData.Values(random, aSize, false), false) };
            if (!constantB) inputs["b"] = QuantizedTestData.ToArray(bValues, true);
            QuantizedTestData.Check(model, inputs);
        }
    }

    /// <summary>
    /// a_zero_point per row of A (ONNX allows it; ONNX Runtime's kernel takes only a scalar), with batches folded into rows,
    /// against the definition.
    /// </summary>
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Per_row_a_zero_point_matches_the_definition(bool aSigned, bool bSigned)
    {
        const int batch = 3, m = 5, k = 19, n = 18;
        var random = new Random(23);
        var a = QuantizedTestData.Values(random, batch * m * k, aSigned);
        var b = QuantizedTestData.Values(random, k * n, bSigned);
        var az = QuantizedTestData.Values(random, m, aSigned);
        var bz = QuantizedTestData.Values(random, n, bSigned);
        var model = new ModelBuilder(opset: 13).Input("a", QuantizedTestData.Type(aSigned), batch, m, k)
            .Initializer(QuantizedTestData.Tensor("b", b, bSigned, k, n))
            .Initializer(QuantizedTestData.Tensor("az", az, aSigned, m))
            .Initializer(QuantizedTestData.Tensor("bz", bz, bSigned, n))
            .Node("MatMulInteger", new[] { "a", "b", "az", "bz" }, new[] { "y" }).Output("y", TensorProto.Types.DataType.Int32);
        var actual = QuantizedTestData.RunModelGen(model, new() { ["a"] = QuantizedTestData.ToArray(a, aSigned) });
        for (int t = 0; t < batch; t++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    long sum = 0;
                    for (int p = 0; p < k; p++) sum += (long)(a[(t * m + i) * k + p] - az[i]) * (b[p * n + j] - bz[j]);
                    Assert.Equal(sum, actual[(t * m + i) * n + j]);
                }
    }
}
