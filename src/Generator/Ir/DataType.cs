using System;
using System.Linq;

namespace ModelGen.Ir
{
    /// <summary>ONNX element types; the numbers are TensorProto.DataType's.</summary>
    public enum DataType
    {
        Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8,
        Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14, Complex128 = 15,
        BFloat16 = 16, Float8E4M3FN = 17, Float8E4M3FNUZ = 18, Float8E5M2 = 19, Float8E5M2FNUZ = 20,
        UInt4 = 21, Int4 = 22, Float4E2M1 = 23, Float8E8M0 = 24, UInt2 = 25, Int2 = 26,
    }

    public static class DataTypes
    {
        /// <summary>Types a model may use at its inputs, outputs and between nodes.</summary>
        public static bool IsSupported(DataType t) => StorageName(t) is not null;

        /// <summary>
        /// Types that C# has no arithmetic for, held as their raw bits (<see cref="StorageName"/>): bfloat16 as ushort,
        /// the float8 types and float4e2m1 as byte, int4/int2 as sbyte and uint4/uint2 as byte, one element per byte
        /// (unpacked). Only Cast, CastLike, QuantizeLinear/DequantizeLinear and data movement give them meaning.
        /// </summary>
        public static bool IsBitsOnly(DataType t) => t is DataType.BFloat16 or DataType.Float8E4M3FN or DataType.Float8E4M3FNUZ
            or DataType.Float8E5M2 or DataType.Float8E5M2FNUZ or DataType.Float4E2M1 or DataType.Float8E8M0
            or DataType.Int4 or DataType.UInt4 or DataType.Int2 or DataType.UInt2;

        /// <summary>Bits-only types whose values are floating point (constants hold them as float).</summary>
        public static bool IsBitsOnlyFloat(DataType t) => IsBitsOnly(t) && ElementFormats.IsFloatFormat((int)t);

        /// <summary>The C# element type of buffers and API spans: <see cref="CSharpName"/>, or the raw bits of a bits-only type.</summary>
        public static string? StorageName(DataType t) => CSharpName(t) ?? t switch
        {
            DataType.BFloat16 => "ushort",
            DataType.Int4 or DataType.Int2 => "sbyte",
            _ when IsBitsOnly(t) => "byte",
            _ => null,
        };

        /// <summary>
        /// The raw bits of a constant of a bits-only type (its values are exact, so encoding neither saturates nor rounds up:
        /// infinity stays infinity, float8e8m0's 2^-127 stays code 0), one element per entry, as its storage type holds them
        /// (float formats: the encoded bits; int4/int2: the signed value; uint4/uint2: the value).
        /// </summary>
        public static long[] StorageBits(Tensor t)
        {
            var result = new long[t.Length];
            for (int i = 0; i < result.Length; i++)
                result[i] = IsBitsOnlyFloat(t.Type) ? ElementFormats.Encode((int)t.Type, t.Floats![i], false, ElementFormats.RoundDown) : t.Longs![i];
            return result;
        }

        /// <summary>A constant of a bits-only type as an array of its storage type (byte, sbyte or ushort).</summary>
        public static Array StorageArray(Tensor t)
        {
            var bits = StorageBits(t);
            return StorageName(t.Type) switch
            {
                "ushort" => bits.Select(b => unchecked((ushort)b)).ToArray(),
                "sbyte" => bits.Select(b => unchecked((sbyte)b)).ToArray(),
                _ => (Array)bits.Select(b => unchecked((byte)b)).ToArray(),
            };
        }

        /// <summary>The C# type with arithmetic for <paramref name="t"/>; null for bits-only and unsupported types.</summary>
        public static string? CSharpName(DataType t) => t switch
        {
            DataType.Float => "float",
            DataType.Double => "double",
            DataType.Int64 => "long",
            DataType.Int32 => "int",
            DataType.Int16 => "short",
            DataType.UInt16 => "ushort",
            DataType.UInt32 => "uint",
            DataType.UInt64 => "ulong",
            DataType.UInt8 => "byte",
            DataType.Int8 => "sbyte",
            DataType.Bool => "bool",
            DataType.Float16 => "global::System.Half",
            _ => null,
        };

        public static int Size(DataType t) => t switch
        {
            DataType.Float or DataType.Int32 or DataType.UInt32 => 4,
            DataType.Double or DataType.Int64 or DataType.UInt64 => 8,
            DataType.Int16 or DataType.UInt16 or DataType.Float16 or DataType.BFloat16 => 2,
            DataType.UInt8 or DataType.Int8 or DataType.Bool => 1,
            _ when IsBitsOnly(t) => 1, // stored unpacked, one element per byte
            _ => throw new ArgumentOutOfRangeException(nameof(t), t, "no fixed element size"),
        };

        public static bool IsFloating(DataType t) => t is DataType.Float or DataType.Double or DataType.Float16 or DataType.BFloat16;

        public static bool IsInteger(DataType t) => t is DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64
            or DataType.UInt8 or DataType.UInt16 or DataType.UInt32 or DataType.UInt64;

        public static string OnnxName(DataType t) => t.ToString().ToLowerInvariant();
    }
}
