using System;
using System.Globalization;
using ModelGen.Ir;

namespace ModelGen.Plan
{
    /// <summary>A content hash of a tensor (type, shape and element bits), so plans compare weights without their data.</summary>
    public static class TensorHash
    {
        public static string Of(Tensor t)
        {
            // FNV-1a over 64-bit words: fast enough for tens of megabytes, and only equality depends on it.
            ulong h = 14695981039346656037UL;
            void Mix(ulong word) { h ^= word; h *= 1099511628211UL; }
            Mix((ulong)t.Type);
            foreach (int d in t.Shape) Mix((ulong)d);
            if (t.Floats is { } f) foreach (int v in System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(f.AsSpan())) Mix((uint)v);
            else if (t.Doubles is { } d) foreach (double v in d) Mix((ulong)BitConverter.DoubleToInt64Bits(v));
            else if (t.Longs is { } l) foreach (long v in l) Mix((ulong)v);
            return h.ToString("x16", CultureInfo.InvariantCulture);
        }
    }
}
