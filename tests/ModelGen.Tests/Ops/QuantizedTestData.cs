using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Ops;

/// <summary>uint8/int8 test data for the integer matrix ops: full-range random values with the extremes mixed in.</summary>
internal static class QuantizedTestData
{
    public static TensorProto.Types.DataType Type(bool signed) => signed ? TensorProto.Types.DataType.Int8 : TensorProto.Types.DataType.Uint8;

    /// <summary>Values in the type's range; about one in four is an extreme (0/255 or −128/127).</summary>
    public static int[] Values(Random random, int n, bool signed, string mode = "random")
    {
        int lo = signed ? -128 : 0, hi = signed ? 127 : 255;
        return Enumerable.Range(0, n).Select(_ => mode switch
        {
            "min" => lo,
            "max" => hi,
            _ => random.Next(4) == 0 ? (random.Next(2) == 0 ? lo : hi) : random.Next(lo, hi + 1),
        }).ToArray();
    }

    public static Array ToArray(int[] values, bool signed) =>
        signed ? values.Select(v => (sbyte)v).ToArray() : values.Select(v => (byte)v).ToArray();

    public static TensorProto Tensor(string name, int[] values, bool signed, params long[] shape) =>
        ModelBuilder.RawTensor(name, Type(signed), signed ? values.Select(v => unchecked((byte)(sbyte)v)).ToArray() : values.Select(v => (byte)v).ToArray(), shape);

    public static void Check(ModelBuilder model, Dictionary<string, Array> inputs) =>
        OnnxAssert.MatchesOnnxRuntime(model.Build(), absTolerance: 0, relTolerance: 0, inputs: inputs);
}
