using System;
using System.Linq;

namespace ModelGen.Ir
{
    /// <summary>
    /// Constant tensor data known at build time. Floating types (float, float16, bfloat16, float8, float4) are held as float (their values, exactly),
    /// double as double, integers and bool as long: one representation per family keeps folding simple.
    /// </summary>
    public sealed class Tensor
    {
        public Tensor(DataType type, int[] shape, float[]? floats = null, double[]? doubles = null, long[]? longs = null)
        {
            Type = type;
            Shape = shape;
            Floats = floats;
            Doubles = doubles;
            Longs = longs;
            int expected = Shapes.Size(shape);
            int actual = floats?.Length ?? doubles?.Length ?? longs?.Length ?? -1;
            if (actual != expected)
                throw new ArgumentException($"tensor data has {actual} elements but shape [{string.Join(",", shape)}] needs {expected}");
        }

        public DataType Type { get; }
        public int[] Shape { get; }
        public float[]? Floats { get; }
        public double[]? Doubles { get; }
        public long[]? Longs { get; }
        public int Length => Shapes.Size(Shape);

        public static Tensor FromFloats(int[] shape, float[] data) => new(DataType.Float, shape, floats: data);
        public static Tensor FromLongs(DataType type, int[] shape, long[] data) => new(type, shape, longs: data);

        /// <summary>Storage family for a type: 'f' float, 'd' double, 'l' long.</summary>
        public static char Family(DataType t) => t switch
        {
            DataType.Float or DataType.Float16 or DataType.BFloat16 or DataType.Float8E4M3FN or DataType.Float8E4M3FNUZ
                or DataType.Float8E5M2 or DataType.Float8E5M2FNUZ or DataType.Float4E2M1 or DataType.Float8E8M0 => 'f',
            DataType.Double => 'd',
            _ => 'l',
        };

        /// <summary>Every element as a double (exact for float and for integers up to 2^53).</summary>
        public double GetDouble(int i) => Floats is not null ? Floats[i] : Doubles is not null ? Doubles[i] : Longs![i];

        public long GetLong(int i) => Longs is not null ? Longs[i] : Floats is not null ? (long)Floats[i] : (long)Doubles![i];

        public long[] AsLongs() => Longs ?? Enumerable.Range(0, Length).Select(GetLong).ToArray();

        public float[] AsFloats() => Floats ?? Enumerable.Range(0, Length).Select(i => (float)GetDouble(i)).ToArray();

        /// <summary>Builds a tensor of <paramref name="type"/> from doubles, converting per ONNX Cast rules.</summary>
        public static Tensor FromDoubles(DataType type, int[] shape, double[] values) => Family(type) switch
        {
            'f' => new Tensor(type, shape, floats: values.Select(v => (float)v).ToArray()),
            'd' => new Tensor(type, shape, doubles: values),
            _ => new Tensor(type, shape, longs: values.Select(v => type == DataType.Bool ? (v != 0 ? 1L : 0L) : (long)v).ToArray()),
        };

        public Tensor WithShape(int[] shape) => new(Type, shape, Floats, Doubles, Longs);
    }
}
