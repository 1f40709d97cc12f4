using System;
using System.Linq;

namespace ModelGen.Ir
{
    public static class Shapes
    {
        public static int Size(int[] shape)
        {
            long n = 1;
            foreach (int d in shape) n *= d;
            return checked((int)n);
        }

        public static int[] Strides(int[] shape)
        {
            var s = new int[shape.Length];
            int acc = 1;
            for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
            return s;
        }

        public static string Format(int[] shape) => "[" + string.Join("x", shape.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

        /// <summary>Multidirectional (numpy) broadcasting; null when the shapes do not broadcast.</summary>
        public static int[]? Broadcast(params int[][] shapes)
        {
            int rank = shapes.Max(s => s.Length);
            var result = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                int dim = 1;
                foreach (var s in shapes)
                {
                    int j = i - (rank - s.Length);
                    if (j < 0) continue;
                    int d = s[j];
                    if (d == 1) continue;
                    if (dim != 1 && dim != d) return null;
                    dim = d;
                }
                // A zero-sized dim broadcasts only with 1 or 0.
                result[i] = shapes.Any(s => i - (rank - s.Length) >= 0 && s[i - (rank - s.Length)] == 0) ? 0 : dim;
            }
            return result;
        }

        public static int NormalizeAxis(long axis, int rank)
        {
            long a = axis < 0 ? axis + rank : axis;
            if (a < 0 || a >= Math.Max(rank, 1)) throw new IrException($"axis {axis} is out of range for rank {rank}");
            return (int)a;
        }
    }

    /// <summary>Thrown by op definitions for an invalid node; turned into MG0102 by the compiler.</summary>
    public sealed class IrException : Exception
    {
        public IrException(string message) : base(message) { }
    }

    /// <summary>Thrown by op definitions for a valid node whose configuration ModelGen lacks; turned into MG0203.</summary>
    public sealed class UnsupportedException : Exception
    {
        public UnsupportedException(string message) : base(message) { }
    }
}
