using System;
using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Emit
{
    /// <summary>Serializes constant tensors to the little-endian bytes of their C# element type.</summary>
    public static class WeightEncoder
    {
        public static byte[] ToBytes(Tensor t)
        {
            int n = t.Length, size = DataTypes.Size(t.Type);
            var bytes = new byte[n * size];
            for (int i = 0; i < n; i++)
            {
                byte[] b = t.Type switch
                {
                    DataType.Float => BitConverter.GetBytes(t.Floats![i]),
                    DataType.Double => BitConverter.GetBytes(t.Doubles![i]),
                    DataType.Float16 => BitConverter.GetBytes(Onnx.TensorReader.FloatToHalf(t.Floats![i])),
                    DataType.BFloat16 => BitConverter.GetBytes((ushort)(BitConverter.ToUInt32(BitConverter.GetBytes(t.Floats![i]), 0) >> 16)),
                    DataType.Int64 or DataType.UInt64 => BitConverter.GetBytes(t.Longs![i]),
                    DataType.Int32 or DataType.UInt32 => BitConverter.GetBytes(unchecked((int)t.Longs![i])),
                    DataType.Int16 or DataType.UInt16 => BitConverter.GetBytes(unchecked((short)t.Longs![i])),
                    DataType.Int8 or DataType.UInt8 or DataType.Bool => new[] { unchecked((byte)t.Longs![i]) },
                    _ => throw new NotSupportedException($"cannot embed {t.Type}"),
                };
                Buffer.BlockCopy(b, 0, bytes, i * size, size);
            }
            return bytes;
        }

        /// <summary>Packs bytes into little-endian ulongs (zero padded), the cheapest literal form for the compiler.</summary>
        public static ulong[] ToULongs(byte[] bytes)
        {
            var result = new ulong[(bytes.Length + 7) / 8];
            Buffer.BlockCopy(bytes, 0, result, 0, bytes.Length);
            return result;
        }
    }
}
