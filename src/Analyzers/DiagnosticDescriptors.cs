using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace ModelGen.Analyzers
{
    /// <summary>
    /// The catalogue of ModelGen's C#-usage rules (MG1xxx). Model-content diagnostics (MG0xxx) live in the generator's
    /// catalogue. Every ID has a page under docs/diagnostics/ and a row in AnalyzerReleases.*.md.
    /// </summary>
    public static class DiagnosticDescriptors
    {
        public const string Category = "ModelGen.Usage";

        public static string HelpLink(string id) => $"https://github.com/modelgen/modelgen/blob/main/docs/diagnostics/{id}.md";

        public static readonly DiagnosticDescriptor PredictLength = new(
            "MG1001",
            "Span length does not match the model",
            "Argument '{0}' of {1}.Predict has {2} elements; the model expects {3} ({4})",
            Category,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A buffer created with a constant length is passed to a generated Predict method whose parameter needs a different length; the call would throw ArgumentException at run time.",
            helpLinkUri: HelpLink("MG1001"));

        public static readonly IReadOnlyList<DiagnosticDescriptor> All = new[] { PredictLength };
    }
}
