using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;

namespace ModelGen.Onnx
{
    /// <summary>Decodes a TensorProto's data (typed fields, raw little-endian bytes or external bytes) into an IR tensor.</summary>
    public static class TensorReader
    {
        /// <summary>IEEE binary16 with round-to-nearest-even.</summary>
        public static ushort FloatToHalf(float value)
        {
            uint f = BitConverter.ToUInt32(BitConverter.GetBytes(value), 0);
            uint sign = (f >> 16) & 0x8000;
            int exp = (int)((f >> 23) & 0xFF);
            uint mant = f & 0x7FFFFF;
            if (exp == 0xFF) return (ushort)(sign | 0x7C00 | (mant != 0 ? 0x200u : 0));
            int e = exp - 127 + 15;
            if (e >= 31) return (ushort)(sign | 0x7C00);
            if (e <= 0)
            {
                if (e < -10) return (ushort)sign;
                mant |= 0x800000;
                int shift = 14 - e;
                uint half = mant >> shift;
                uint rem = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
                if (rem > mid || (rem == mid && (half & 1) != 0)) half++;
                return (ushort)(sign | half);
            }
            uint h = sign | ((uint)e << 10) | (mant >> 13);
            uint r = mant & 0x1FFF;
            if (r > 0x1000 || (r == 0x1000 && (h & 1) != 0)) h++;
            return (ushort)h;
        }

        /// <param name="external">Bytes of external data when the tensor lives outside the model, else null.</param>
        public static Tensor Read(TensorProto proto, byte[]? external = null)
        {
            var type = (DataType)proto.DataType;
            var shape = proto.Dims.Select(d => checked((int)d)).ToArray();
            int n = Shapes.Size(shape);
            byte[]? raw = external ?? (proto.HasRawData ? proto.RawData.ToByteArray() : null);

            switch (type)
            {
                case DataType.Float:
                    return Tensor.FromFloats(shape, raw is not null ? Floats(raw, n) : Pad(proto.FloatData.ToArray(), n));
                case DataType.Double:
                    return new Tensor(type, shape, doubles: raw is not null ? Doubles(raw, n) : Pad(proto.DoubleData.ToArray(), n));
                case DataType.Float16:
                    return new Tensor(type, shape, floats: raw is not null
                        ? Enumerable.Range(0, n).Select(i => HalfToFloat(BitConverter.ToUInt16(raw, i * 2))).ToArray()
                        : Pad(proto.Int32Data.Select(v => HalfToFloat((ushort)v)).ToArray(), n));
                case DataType.BFloat16:
                    return new Tensor(type, shape, floats: raw is not null
                        ? Enumerable.Range(0, n).Select(i => BFloat16ToFloat(BitConverter.ToUInt16(raw, i * 2))).ToArray()
                        : Pad(proto.Int32Data.Select(v => BFloat16ToFloat((ushort)v)).ToArray(), n));
                case DataType.Int64:
                    return Tensor.FromLongs(type, shape, raw is not null ? Enumerable.Range(0, n).Select(i => BitConverter.ToInt64(raw, i * 8)).ToArray() : Pad(proto.Int64Data.ToArray(), n));
                case DataType.UInt64:
                    return Tensor.FromLongs(type, shape, raw is not null ? Enumerable.Range(0, n).Select(i => BitConverter.ToInt64(raw, i * 8)).ToArray() : Pad(proto.Uint64Data.Select(v => unchecked((long)v)).ToArray(), n));
                case DataType.Int32:
                    return Tensor.FromLongs(type, shape, raw is not null ? Enumerable.Range(0, n).Select(i => (long)BitConverter.ToInt32(raw, i * 4)).ToArray() : Pad(proto.Int32Data.Select(v => (long)v).ToArray(), n));
                case DataType.UInt32:
                    return Tensor.FromLongs(type, shape, raw is not null ? Enumerable.Range(0, n).Select(i => (long)BitConverter.ToUInt32(raw, i * 4)).ToArray() : Pad(proto.Uint64Data.Select(v => (long)v).ToArray(), n));
                case DataType.Int16:
                    return Tensor.FromLongs(type, shape, raw is not null ? Enumerable.Range(0, n).Select(i => (long)BitConverter.ToInt16(raw, i * 2)).ToArray() : Pad(proto.Int32Data.Select(v => (long)(short)v).ToArray(), n));
                case DataType.UInt16:
                    return Tensor.FromLongs(type, shape, raw is not null ? Enumerable.Range(0, n).Select(i => (long)BitConverter.ToUInt16(raw, i * 2)).ToArray() : Pad(proto.Int32Data.Select(v => (long)(ushort)v).ToArray(), n));
                case DataType.Int8:
                    return Tensor.FromLongs(type, shape, raw is not null ? raw.Take(n).Select(b => (long)(sbyte)b).ToArray() : Pad(proto.Int32Data.Select(v => (long)(sbyte)v).ToArray(), n));
                case DataType.UInt8:
                    return Tensor.FromLongs(type, shape, raw is not null ? raw.Take(n).Select(b => (long)b).ToArray() : Pad(proto.Int32Data.Select(v => (long)(byte)v).ToArray(), n));
                case DataType.Bool:
                    return Tensor.FromLongs(type, shape, raw is not null ? raw.Take(n).Select(b => b != 0 ? 1L : 0L).ToArray() : Pad(proto.Int32Data.Select(v => v != 0 ? 1L : 0L).ToArray(), n));
                case DataType.Int4:
                case DataType.UInt4:
                case DataType.Int2:
                case DataType.UInt2:
                {
                    var values = new long[n];
                    int[] codes = Unpack(type, raw, proto, n, type is DataType.Int4 or DataType.UInt4 ? 4 : 2);
                    for (int i = 0; i < n; i++) values[i] = ElementFormats.Wrap(codes[i], (int)type);
                    return Tensor.FromLongs(type, shape, values);
                }
                case DataType.Float8E4M3FN:
                case DataType.Float8E4M3FNUZ:
                case DataType.Float8E5M2:
                case DataType.Float8E5M2FNUZ:
                case DataType.Float8E8M0:
                case DataType.Float4E2M1:
                {
                    int[] codes = Unpack(type, raw, proto, n, type == DataType.Float4E2M1 ? 4 : 8);
                    return new Tensor(type, shape, floats: codes.Select(c => ElementFormats.Decode((int)type, c)).ToArray());
                }
                default:
                    throw new UnsupportedException($"element type {DataTypes.OnnxName(type)} cannot be read as constant data");
            }
        }

        /// <summary>
        /// Element codes of a type of <paramref name="bits"/> bits per element: one per byte for 8 bits, else packed
        /// little-end first (4-bit: low nibble first; 2-bit: bits 0-1 first), as raw_data or int32_data bytes (IR spec).
        /// </summary>
        private static int[] Unpack(DataType type, byte[]? raw, TensorProto proto, int n, int bits)
        {
            int perByte = 8 / bits;
            int needed = (n + perByte - 1) / perByte;
            byte[] packed = raw ?? proto.Int32Data.Select(v => unchecked((byte)v)).ToArray();
            if (packed.Length < needed) throw new IrException($"{DataTypes.OnnxName(type)} data has {packed.Length} bytes, {needed} needed for {n} elements");
            var codes = new int[n];
            int mask = (1 << bits) - 1;
            for (int i = 0; i < n; i++) codes[i] = (packed[i / perByte] >> (bits * (i % perByte))) & mask;
            return codes;
        }

        private static T[] Pad<T>(T[] values, int n)
        {
            if (values.Length == n) return values;
            if (values.Length == 0 && n > 0) throw new IrException($"tensor has no data but its shape needs {n} elements");
            throw new IrException($"tensor has {values.Length} elements but its shape needs {n}");
        }

        private static float[] Floats(byte[] raw, int n)
        {
            if (raw.Length < n * 4) throw new IrException($"raw data has {raw.Length} bytes, {n * 4} needed");
            var result = new float[n];
            Buffer.BlockCopy(raw, 0, result, 0, n * 4);
            if (!BitConverter.IsLittleEndian) throw new NotSupportedException("big-endian hosts");
            return result;
        }

        private static double[] Doubles(byte[] raw, int n)
        {
            if (raw.Length < n * 8) throw new IrException($"raw data has {raw.Length} bytes, {n * 8} needed");
            var result = new double[n];
            Buffer.BlockCopy(raw, 0, result, 0, n * 8);
            return result;
        }

        public static float HalfToFloat(ushort h)
        {
            int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
            float value;
            if (exp == 0) value = (float)(mant * Math.Pow(2, -24));
            else if (exp == 31) value = mant == 0 ? float.PositiveInfinity : ElementFormats.PositiveNaN; // negated below: the NaN keeps its sign
            else value = (float)((1 + mant / 1024.0) * Math.Pow(2, exp - 15));
            return sign == 1 ? -value : value;
        }

        public static float BFloat16ToFloat(ushort b) => BitConverter.ToSingle(BitConverter.GetBytes((uint)b << 16), 0);
    }
}
