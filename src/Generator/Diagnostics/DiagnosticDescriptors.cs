using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ModelGen.Diagnostics
{
    /// <summary>
    /// The one catalogue of ModelGen diagnostics. Ranges: MG00xx reading the file, MG01xx graph and shapes,
    /// MG02xx operator and type support, MG03xx information from the compiler, MG04xx configuration.
    /// Every ID has a page under docs/diagnostics/ and a test.
    /// </summary>
    public static class DiagnosticDescriptors
    {
        private const string Category = "ModelGen";

        public static string HelpLink(string id) => $"https://github.com/modelgen/modelgen/blob/main/docs/diagnostics/{id}.md";

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id),
                customTags: WellKnownDiagnosticTags.NotConfigurable);

        private static DiagnosticDescriptor Warning(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

        private static DiagnosticDescriptor Info(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Info, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

        public static readonly DiagnosticDescriptor FileUnreadable = Error("MG0001",
            "Model file cannot be read", "Model file '{0}' cannot be read: {1}");

        public static readonly DiagnosticDescriptor NotOnnx = Error("MG0002",
            "Model file is not a valid ONNX model", "Model file '{0}' is not a valid ONNX model (truncated or not ONNX): {1}");

        public static readonly DiagnosticDescriptor IrVersionOutOfRange = Error("MG0003",
            "Unsupported ONNX IR version", "Model '{0}' has IR version {1}; ModelGen supports IR versions {2} to {3}");

        public static readonly DiagnosticDescriptor OpsetOutOfRange = Error("MG0004",
            "Unsupported opset version", "Model '{0}' imports opset {1} of domain '{2}'; ModelGen supports opsets {3} to {4} of the default domain");

        public static readonly DiagnosticDescriptor ExternalDataEscapes = Error("MG0005",
            "External data location outside the model's folder", "Tensor '{0}' refers to external data '{1}', which is outside the model's folder; only relative paths inside it are allowed");

        public static readonly DiagnosticDescriptor ExternalDataUnreadable = Error("MG0006",
            "External data cannot be read", "Tensor '{0}' refers to external data '{1}', which cannot be read: {2}");

        public static readonly DiagnosticDescriptor OpenDimension = Error("MG0101",
            "Open dimension", "Input '{0}' has an open dimension '{1}' (axis {2}); fix it with {3} on the model item");

        public static readonly DiagnosticDescriptor InvalidGraph = Error("MG0102",
            "Invalid graph", "Node '{0}' ({1}) is invalid: {2}");

        public static readonly DiagnosticDescriptor UnsupportedOperator = Error("MG0201",
            "Unsupported operator", "Node '{0}' uses operator '{1}' (domain '{2}', opset {3}), which ModelGen does not support yet");

        public static readonly DiagnosticDescriptor UnsupportedDataType = Error("MG0202",
            "Unsupported data type", "'{0}' has element type {1}, which ModelGen does not support here");

        public static readonly DiagnosticDescriptor UnsupportedAttribute = Error("MG0203",
            "Unsupported operator configuration", "Node '{0}' ({1}): {2}");

        public static readonly DiagnosticDescriptor LargeWeights = Info("MG0301",
            "Weights embedded in source", "Model '{0}' embeds {1} bytes of weights as data literals; builds of this project pay about 1.5 s per MB");

        public static readonly DiagnosticDescriptor CompressedWeights = Info("MG0302",
            "Weights compressed", "Model '{0}': {1} of its weights run compressed, {2} bytes instead of {3}: {4}");

        public static readonly DiagnosticDescriptor CompressedOnRequest = Info("MG0303",
            "Model compressed on request", "Model '{0}' compressed with '{1}': {2} layers, weight bytes {3} → {4}, largest layer output deviation {5}: {6}");

        public static readonly DiagnosticDescriptor BadMetadata = Error("MG0401",
            "Invalid model item metadata", "Metadata {0}=\"{1}\" on model '{2}' is invalid: {3}");

        public static readonly DiagnosticDescriptor DuplicateClassName = Error("MG0402",
            "Duplicate generated class", "Models '{0}' and '{1}' would both generate class '{2}'; give one of them another ClassName");

        public static readonly DiagnosticDescriptor WeightsResourceMissing = Error("MG0403",
            "Weights resource missing", "Model '{0}' keeps its weights in the embedded resource '{1}' (WeightStorage={2}), but no build task wrote it for this model: use the model as an <OnnxModel> item of a project that references the ModelGen package (or imports its build/ModelGen.props), or set WeightStorage=\"Literals\"");

        public static readonly DiagnosticDescriptor WeightsResourceStale = Error("MG0404",
            "Weights resource out of date", "The weights resource '{0}' embedded for model '{1}' does not hold the weights this compilation expects (blob hash {2}, expected {3}): the model or the ModelGen version changed since the build task wrote it; rebuild the project");

        public static readonly IReadOnlyList<DiagnosticDescriptor> All = new[]
        {
            FileUnreadable, NotOnnx, IrVersionOutOfRange, OpsetOutOfRange, ExternalDataEscapes, ExternalDataUnreadable,
            OpenDimension, InvalidGraph, UnsupportedOperator, UnsupportedDataType, UnsupportedAttribute,
            LargeWeights, CompressedWeights, CompressedOnRequest, BadMetadata, DuplicateClassName, WeightsResourceMissing, WeightsResourceStale,
        };

        public static DiagnosticDescriptor ById(string id) => All.First(d => d.Id == id);
    }
}
