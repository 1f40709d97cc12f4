using System;

namespace ModelGen.Ir
{
    /// <summary>ONNX element types; the numbers are TensorProto.DataType's.</summary>
    public enum DataType
    {
        Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8,
        Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14, Complex128 = 15,
        BFloat16 = 16, Float8E4M3FN = 17, Float8E4M3FNUZ = 18, Float8E5M2 = 19, Float8E5M2FNUZ = 20,
        UInt4 = 21, Int4 = 22, Float4E2M1 = 23, Float8E8M0 = 24,
    }

    public static class DataTypes
    {
        /// <summary>Types a model may use at its inputs, outputs and between nodes.</summary>
        public static bool IsSupported(DataType t) => CSharpName(t) is not null;

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
            _ => throw new ArgumentOutOfRangeException(nameof(t), t, "no fixed element size"),
        };

        public static bool IsFloating(DataType t) => t is DataType.Float or DataType.Double or DataType.Float16 or DataType.BFloat16;

        public static bool IsInteger(DataType t) => t is DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64
            or DataType.UInt8 or DataType.UInt16 or DataType.UInt32 or DataType.UInt64;

        public static string OnnxName(DataType t) => t.ToString().ToLowerInvariant();
    }
}
