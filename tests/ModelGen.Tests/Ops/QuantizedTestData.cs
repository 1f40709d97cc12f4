using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;
using ModelGen.Cli.Verification;
using ModelGen.Compiler;
using ModelGen.Configuration;
using ModelGen.Tests.Infrastructure;
using Xunit;

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

    /// <summary>
    /// Runs ModelGen's code alone, for the type combinations ONNX Runtime has no kernel for (they are compared with a
    /// reference written from the ONNX definition instead).
    /// </summary>
    public static int[] RunModelGen(ModelBuilder model, Dictionary<string, Array> inputs)
    {
        var options = ModelOptions.Default("TestModel", "ModelGen.Tests.Generated");
        var result = ModelCompiler.Compile(model.ToBytes(), "test.onnx", options);
        Assert.True(result.Success, "ModelGen rejected the model: " + string.Join("; ", result.Diagnostics));
        var generated = InMemoryModel.Load(result, options);
        var ins = generated.Inputs.Select(i => inputs[i.OnnxName]).ToArray();
        var outs = generated.Outputs.Select(o => Array.CreateInstance(o.ElementType, o.Length)).ToArray();
        generated.Run(ins, outs);
        // By exact type: the CLR lets sbyte[] pass as byte[] in pattern matches.
        var type = outs[0].GetType();
        if (type == typeof(int[])) return (int[])outs[0];
        if (type == typeof(sbyte[])) return ((sbyte[])outs[0]).Select(b => (int)b).ToArray();
        if (type == typeof(byte[])) return ((byte[])outs[0]).Select(b => (int)b).ToArray();
        throw new InvalidOperationException(type.Name);
    }

    /// <summary>The ONNX requantization in ONNX Runtime's order: float(acc) · multiplier, clamp, round half to even, + zp.</summary>
    public static int Requantize(long acc, float multiplier, int zeroPoint, bool signed)
    {
        float v = (float)acc * multiplier;
        int lo = signed ? -128 : 0, hi = signed ? 127 : 255;
        v = MathF.Min(MathF.Max(v, lo - zeroPoint), hi - zeroPoint);
        return (int)MathF.Round(v, MidpointRounding.ToEven) + zeroPoint;
    }
}
