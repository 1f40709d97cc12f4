using System;
using System.Text;

namespace ModelGen.Emit
{
    /// <summary>A small indentation-aware text writer for generated C#.</summary>
    public sealed class SourceWriter
    {
        private readonly StringBuilder _sb = new();
        private int _indent;

        public int Indent { get => _indent; set => _indent = Math.Max(0, value); }

        public SourceWriter Line(string text = "")
        {
            if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
            _sb.Append('\n');
            return this;
        }

        /// <summary>Writes a multi-line block, indenting every line.</summary>
        public SourceWriter Lines(string text)
        {
            foreach (var line in text.Replace("\r\n", "\n").Split('\n')) Line(line);
            return this;
        }

        public SourceWriter Open(string header)
        {
            Line(header);
            Line("{");
            _indent++;
            return this;
        }

        public SourceWriter Close(string suffix = "")
        {
            _indent--;
            Line("}" + suffix);
            return this;
        }

        public override string ToString() => _sb.ToString();
    }
}
