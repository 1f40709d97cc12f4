using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Common;

namespace ModelGen.Diagnostics
{
    /// <summary>
    /// An equatable diagnostic that holds no syntax tree or symbol: the descriptor's ID, its
    /// formatted arguments and the model file it is about. Safe to keep in pipeline models.
    /// </summary>
    public sealed record ModelDiagnostic(string Id, EquatableArray<string> Arguments, string? FilePath)
    {
        public static ModelDiagnostic Create(DiagnosticDescriptor descriptor, string? filePath, params object?[] args) =>
            new(descriptor.Id, new EquatableArray<string>(args.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture) ?? "").ToArray()), filePath);

        public DiagnosticDescriptor Descriptor => DiagnosticDescriptors.ById(Id);

        public DiagnosticSeverity Severity => Descriptor.DefaultSeverity;

        public string Message => string.Format(CultureInfo.InvariantCulture, Descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), Arguments.Cast<object>().ToArray());

        public Diagnostic ToDiagnostic()
        {
            var location = FilePath is null
                ? Location.None
                : Location.Create(FilePath, default(TextSpan), new LinePositionSpan(default, default));
            return Diagnostic.Create(Descriptor, location, Arguments.Cast<object>().ToArray());
        }

        public override string ToString() => $"{Id}: {Message}";
    }
}
