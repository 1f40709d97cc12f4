using System.Runtime.InteropServices;

namespace ModelGen
{
    /// <summary>
    /// Bit-level conversions between float and the element types ModelGen stores as raw bits (bfloat16, the float8
    /// family, float4e2m1, and 4- and 2-bit integers unpacked one per byte), compiled into both the generator (constant
    /// folding, weights) and the runtime (Kernels.CastFormat): one definition, so build time and run time agree bit for bit.
    /// Types are named by their ONNX TensorProto.DataType numbers. Float to float8/float4 rounds to nearest even; out of
    /// range values follow the ONNX Cast tables (saturate to the largest finite value, or else infinity or NaN as the
    /// type allows). No allocation: the kernels call these per element.
    /// </summary>
    internal static class ElementFormats
    {
        public const int BFloat16 = 16, Float8E4M3FN = 17, Float8E4M3FNUZ = 18, Float8E5M2 = 19, Float8E5M2FNUZ = 20,
            UInt4 = 21, Int4 = 22, Float4E2M1 = 23, Float8E8M0 = 24, UInt2 = 25, Int2 = 26;

        /// <summary>Float8E8M0 rounding (Cast's round_mode).</summary>
        public const int RoundUp = 0, RoundDown = 1, RoundNearest = 2;

        public static bool IsFloatFormat(int type) => type is BFloat16 or Float8E4M3FN or Float8E4M3FNUZ or Float8E5M2 or Float8E5M2FNUZ or Float4E2M1 or Float8E8M0;

        public static bool IsSmallInteger(int type) => type is UInt4 or Int4 or UInt2 or Int2;

        /// <summary>Two's-complement wrap of an integer to a 4- or 2-bit type, as a value (-8..7, 0..15, -2..1, 0..3).</summary>
        public static int Wrap(long value, int type) => type switch
        {
            Int4 => (int)(((value & 0xF) ^ 8) - 8),
            UInt4 => (int)(value & 0xF),
            Int2 => (int)(((value & 0x3) ^ 2) - 2),
            _ => (int)(value & 0x3),
        };

        [StructLayout(LayoutKind.Explicit)]
        private struct FloatBits
        {
            [FieldOffset(0)] public float Float;
            [FieldOffset(0)] public uint Bits;
        }

        /// <summary>A quiet NaN with the sign bit clear (float.NaN has it set on .NET, and float8 NaNs keep their sign).</summary>
        public static float PositiveNaN => FromBits(0x7FC00000);

        public static uint ToBits(float value) => new FloatBits { Float = value }.Bits;

        public static float FromBits(uint bits) => new FloatBits { Bits = bits }.Float;

        // Layout of the small floats: exponent bits, mantissa bits, bias.
        private static int MantissaBits(int type) => type switch { Float8E5M2 or Float8E5M2FNUZ => 2, Float4E2M1 => 1, _ => 3 };

        private static int Bias(int type) => type switch
        {
            Float8E4M3FN => 7, Float8E4M3FNUZ => 8, Float8E5M2 => 15, Float8E5M2FNUZ => 16, _ => 1,
        };

        /// <summary>Code of the largest finite magnitude (sign bit clear).</summary>
        private static int MaxFinite(int type) => type switch
        {
            Float8E4M3FN => 0x7E, Float8E5M2 => 0x7B, Float4E2M1 => 0x7, _ => 0x7F,
        };

        private static int SignBit(int type) => type == Float4E2M1 ? 0x8 : 0x80;

        /// <summary>The value of raw bits of a float format (bfloat16 bits in the low 16).</summary>
        public static float Decode(int type, int bits)
        {
            if (type == BFloat16) return FromBits((uint)(bits & 0xFFFF) << 16);
            if (type == Float8E8M0)
            {
                bits &= 0xFF;
                // 2^(e-127); e = 0 is 2^-127, a float subnormal.
                return bits == 0xFF ? PositiveNaN : bits == 0 ? FromBits(0x400000) : FromBits((uint)bits << 23);
            }
            int sign = SignBit(type), m = MantissaBits(type), bias = Bias(type);
            bits &= sign | (sign - 1);
            bool negative = (bits & sign) != 0;
            int magnitude = bits & (sign - 1);
            switch (type)
            {
                case Float8E4M3FNUZ or Float8E5M2FNUZ when bits == 0x80:
                    return PositiveNaN;
                case Float8E4M3FN when magnitude == 0x7F:
                    return FromBits(negative ? 0xFFC00000u : 0x7FC00000u);
                case Float8E5M2 when magnitude >= 0x7C:
                    if (magnitude == 0x7C) return negative ? float.NegativeInfinity : float.PositiveInfinity;
                    // Keeps the NaN's payload so that encoding gives the same bits back.
                    return FromBits((negative ? 0x80000000u : 0) | 0x7F800000u | (uint)(magnitude & 3) << 21);
            }
            int exponent = magnitude >> m, mantissa = magnitude & ((1 << m) - 1);
            // value = mantissa·2^(1-bias-m) for subnormals, (2^m + mantissa)·2^(exponent-bias-m) otherwise; exact in float.
            uint result;
            if (exponent == 0)
            {
                if (mantissa == 0) result = 0;
                else
                {
                    float v = mantissa * FromBits((uint)(127 + 1 - bias - m) << 23);
                    result = ToBits(v);
                }
            }
            else result = (uint)(exponent - bias + 127) << 23 | (uint)mantissa << (23 - m);
            return FromBits(result | (negative ? 0x80000000u : 0));
        }

        /// <summary>Float to raw bits of a float format (bfloat16 bits in the low 16), per the ONNX Cast rules.</summary>
        public static int Encode(int type, float value, bool saturate, int roundMode)
        {
            uint f = ToBits(value);
            if (type == BFloat16)
            {
                if ((f & 0x7FFFFFFF) > 0x7F800000) return (int)(f >> 16) | 0x40;
                return (int)((f + 0x7FFF + ((f >> 16) & 1)) >> 16);
            }
            if (type == Float8E8M0) return EncodeE8M0(f, saturate, roundMode);
            if (type == Float4E2M1) saturate = true; // no infinity or NaN to overflow to
            int signBit = SignBit(type);
            int sign = (f & 0x80000000) != 0 ? signBit : 0;
            uint abs = f & 0x7FFFFFFF;
            bool uz = type is Float8E4M3FNUZ or Float8E5M2FNUZ;
            if (abs > 0x7F800000)
            {
                return type switch
                {
                    Float8E4M3FN => sign | 0x7F,
                    Float8E5M2 => sign | 0x7C | ((int)(abs >> 21) & 3) | ((abs >> 21 & 3) == 0 ? 2 : 0),
                    _ => signBit, // FNUZ's NaN; float4e2m1 has none and takes the negative-zero code, as the ONNX reference does
                };
            }
            int maxFinite = MaxFinite(type);
            int code;
            if (abs == 0x7F800000) code = int.MaxValue;
            else
            {
                int m = MantissaBits(type), emin = 1 - Bias(type);
                int fieldExponent = (int)(abs >> 23);
                int e = fieldExponent == 0 ? -126 : fieldExponent - 127;
                uint significand = fieldExponent == 0 ? abs & 0x7FFFFF : (abs & 0x7FFFFF) | 0x800000;
                int target = e > emin ? e : emin;
                // Count of quanta 2^(target-m): significand·2^(e-23) / 2^(target-m), rounded to nearest even.
                int shift = 23 + target - e - m;
                long n;
                if (shift > 30) n = 0;
                else
                {
                    n = significand >> shift;
                    long rest = significand & ((1L << shift) - 1), half = 1L << (shift - 1);
                    if (rest > half || rest == half && (n & 1) != 0) n++;
                }
                long wide = ((long)(target - emin) << m) + n;
                code = wide > int.MaxValue ? int.MaxValue : (int)wide;
            }
            if (code > maxFinite)
            {
                if (saturate) return sign | maxFinite;
                return type switch { Float8E4M3FN => sign | 0x7F, Float8E5M2 => sign | 0x7C, _ => 0x80 };
            }
            if (code == 0 && uz) return 0;
            return sign | code;
        }

        private static int EncodeE8M0(uint f, bool saturate, int roundMode)
        {
            int exponent = (int)((f >> 23) & 0xFF);
            if (exponent == 0xFF) return 0xFF;
            bool up = roundMode switch
            {
                RoundUp => (f & 0x7FFFFF) != 0,
                RoundNearest => (f & 0x400000) != 0 && ((f & 0x200000) != 0 || (f & 0x1FFFFF) != 0 || exponent > 0),
                _ => false,
            };
            if (up && !(saturate && exponent == 0xFE)) exponent++;
            return exponent & 0xFF;
        }
    }
}
