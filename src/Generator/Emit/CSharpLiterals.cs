using System;
using System.Globalization;
using System.Text;

namespace ModelGen.Emit
{
    /// <summary>Culture-invariant, round-trip literals and identifiers for generated code.</summary>
    public static class CSharpLiterals
    {
        public static string Float(float value)
        {
            if (float.IsNaN(value)) return "float.NaN";
            if (float.IsPositiveInfinity(value)) return "float.PositiveInfinity";
            if (float.IsNegativeInfinity(value)) return "float.NegativeInfinity";
            if (value == 0 && BitConverter.DoubleToInt64Bits(value) != 0) return "-0f";
            // "R" on netstandard2.0 can lose round-trip for float; G9 always round-trips.
            return value.ToString("G9", CultureInfo.InvariantCulture) + "f";
        }

        public static string Double(double value)
        {
            if (double.IsNaN(value)) return "double.NaN";
            if (double.IsPositiveInfinity(value)) return "double.PositiveInfinity";
            if (double.IsNegativeInfinity(value)) return "double.NegativeInfinity";
            if (value == 0 && BitConverter.DoubleToInt64Bits(value) != 0) return "-0d";
            return value.ToString("G17", CultureInfo.InvariantCulture) + "d";
        }

        public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

        public static string String(string value)
        {
            var sb = new StringBuilder("\"");
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 32 || c > 126) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            return sb.Append('"').ToString();
        }

        /// <summary>Escapes text for an XML doc comment.</summary>
        public static string Xml(string text) =>
            text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\n", " ").Replace("\r", " ");
    }
}
