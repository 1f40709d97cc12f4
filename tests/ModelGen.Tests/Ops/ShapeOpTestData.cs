using System;
using System.Linq;
using Google.Protobuf;
using ModelGen.Onnx.Proto;
using DT = ModelGen.Onnx.Proto.TensorProto.Types.DataType;

namespace ModelGen.Tests.Ops;

/// <summary>Typed tensors, random shapes and arrays for the shape and data-movement op tests.</summary>
internal static class ShapeOpTestData
{
    /// <summary>A tensor of any supported type from doubles (raw little-endian data).</summary>
    public static TensorProto Tensor(string name, DT type, long[] shape, double[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)type };
        t.Dims.AddRange(shape);
        byte[] bytes = type switch
        {
            DT.Float => values.SelectMany(v => BitConverter.GetBytes((float)v)).ToArray(),
            DT.Double => values.SelectMany(v => BitConverter.GetBytes(v)).ToArray(),
            DT.Float16 => values.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray(),
            DT.Int64 => values.SelectMany(v => BitConverter.GetBytes((long)v)).ToArray(),
            DT.Int32 => values.SelectMany(v => BitConverter.GetBytes((int)v)).ToArray(),
            DT.Int16 => values.SelectMany(v => BitConverter.GetBytes((short)v)).ToArray(),
            DT.Int8 => values.Select(v => unchecked((byte)(sbyte)v)).ToArray(),
            DT.Uint8 => values.Select(v => (byte)v).ToArray(),
            DT.Bool => values.Select(v => v != 0 ? (byte)1 : (byte)0).ToArray(),
            _ => throw new ArgumentException(type.ToString()),
        };
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    public static TensorProto Longs(string name, params long[] values) => Tensor(name, DT.Int64, new long[] { values.Length }, values.Select(v => (double)v).ToArray());

    public static TensorProto Floats(string name, params float[] values) => Tensor(name, DT.Float, new long[] { values.Length }, values.Select(v => (double)v).ToArray());

    public static TensorProto Scalar(string name, DT type, double value) => Tensor(name, type, Array.Empty<long>(), new[] { value });

    /// <summary>A random shape of the given rank with dims drawn from sizes that exercise vector remainders.</summary>
    public static long[] RandomShape(Random random, int rank, int maxDim = 17)
    {
        int[] pool = { 1, 2, 3, 4, 5, 7, 8, 9, 17 };
        return Enumerable.Range(0, rank).Select(_ => (long)Math.Min(pool[random.Next(pool.Length)], maxDim)).ToArray();
    }

    public static int[] Permutation(Random random, int n) => Enumerable.Range(0, n).OrderBy(_ => random.Next()).ToArray();

    public static long Size(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Distinct-ish values of a type for explicit inputs (floats in [-scale, scale], ints in [0, max]).</summary>
    public static Array Values(Random random, DT type, long n, double scale = 100)
    {
        int count = (int)n;
        return type switch
        {
            DT.Float => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray(),
            DT.Double => Enumerable.Range(0, count).Select(_ => (random.NextDouble() * 2 - 1) * scale).ToArray(),
            DT.Float16 => Enumerable.Range(0, count).Select(_ => (Half)((random.NextDouble() * 2 - 1) * scale)).ToArray(),
            DT.Int64 => Enumerable.Range(0, count).Select(_ => (long)random.Next(-1000000, 1000000) * 3000L).ToArray(),
            DT.Int32 => Enumerable.Range(0, count).Select(_ => random.Next(int.MinValue, int.MaxValue)).ToArray(),
            DT.Int8 => Enumerable.Range(0, count).Select(_ => (sbyte)random.Next(-128, 128)).ToArray(),
            DT.Uint8 => Enumerable.Range(0, count).Select(_ => (byte)random.Next(0, 256)).ToArray(),
            DT.Bool => Enumerable.Range(0, count).Select(_ => random.Next(2) == 1).ToArray(),
            _ => throw new ArgumentException(type.ToString()),
        };
    }
}
