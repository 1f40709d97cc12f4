using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelGen.Diagnostics;
using ModelGen.Onnx.Proto;

namespace ModelGen.Compression
{
    /// <summary>The compiler's hook: compresses the parsed model as the options ask and reports it (MG0303). Never throws.</summary>
    public static class CompressionStep
    {
        public static ModelProto Apply(ModelProto model, CompressionOptions options, string path, List<ModelDiagnostic> diagnostics)
        {
            string name = System.IO.Path.GetFileName(path);
            try
            {
                var (compressed, report) = ModelCompressor.Compress(model, options);
                diagnostics.Add(Diagnostic(report, path, name));
                return compressed;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A model the compressor cannot read compiles uncompressed; say why.
                diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.CompressedOnRequest, path, name, options.ToString(), 0, 0, 0, "n/a",
                    $"not compressed: internal error {e.GetType().Name}: {e.Message}"));
                return model;
            }
        }

        public static ModelDiagnostic Diagnostic(CompressionReport report, string path, string name)
        {
            var worst = report.WorstLayer;
            string deviation = worst is null ? "n/a" : $"{ModelCompressor.Percent(worst.OutputDeviation)} ('{worst.Node}')";
            string details = report.Summary();
            if (details.Length == 0) details = "no Conv, Gemm or MatMul layer with constant float weights";
            return ModelDiagnostic.Create(DiagnosticDescriptors.CompressedOnRequest, path, name, report.Options, report.CompressedLayers.Count(),
                report.BytesBefore, report.BytesAfter, deviation, details);
        }
    }
}
