using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelGen.Emit
{
    /// <summary>Turns ONNX names into valid, unique C# identifiers, deterministically (first come, first served).</summary>
    public sealed class IdentifierScope
    {
        private readonly HashSet<string> _used = new(System.StringComparer.Ordinal);

        public IdentifierScope(params string[] reserved)
        {
            foreach (var r in reserved) _used.Add(r);
        }

        /// <summary>camelCase for parameters and locals, PascalCase for members.</summary>
        public string Claim(string onnxName, bool pascal, string fallback = "value")
        {
            string baseName = Sanitize(onnxName, pascal, fallback);
            string name = baseName;
            for (int i = 2; !_used.Add(name); i++) name = baseName + i.ToString(CultureInfo.InvariantCulture);
            return name;
        }

        public static string Sanitize(string onnxName, bool pascal, string fallback = "value")
        {
            var words = new List<string>();
            var current = new StringBuilder();
            foreach (char c in onnxName)
            {
                if (char.IsLetterOrDigit(c) && c < 128) current.Append(c);
                else if (current.Length > 0) { words.Add(current.ToString()); current.Clear(); }
            }
            if (current.Length > 0) words.Add(current.ToString());
            if (words.Count == 0) words.Add(fallback);

            var sb = new StringBuilder();
            for (int i = 0; i < words.Count; i++)
            {
                string w = words[i];
                bool upperFirst = pascal || i > 0;
                sb.Append(upperFirst ? char.ToUpperInvariant(w[0]) : char.ToLowerInvariant(w[0]));
                sb.Append(w, 1, w.Length - 1);
            }
            string result = sb.ToString();
            if (char.IsDigit(result[0])) result = (pascal ? "V" : "v") + result;
            if (SyntaxFacts.GetKeywordKind(result) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(result) != SyntaxKind.None)
                result += "Value";
            return result;
        }
    }
}
