using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ModelGen.Compression
{
    /// <summary>What compression did to one layer (or why it left it alone).</summary>
    public sealed class LayerReport
    {
        public string Node { get; set; } = "";
        public string OpType { get; set; } = "";
        /// <summary>E.g. "int4", "lowrank r=12 + int8", "prune 80%"; empty when skipped.</summary>
        public string Technique { get; set; } = "";
        public long Weights { get; set; }
        /// <summary>Float weight bytes before.</summary>
        public long BytesBefore { get; set; }
        /// <summary>Bytes of the compressed representation (indices at their bit width, scales, codebooks).</summary>
        public long BytesAfter { get; set; }
        /// <summary>‖W − Ŵ‖ / ‖W‖ (Frobenius).</summary>
        public double WeightError { get; set; }
        /// <summary>‖Wx − Ŵx‖ / ‖Wx‖ over a few seeded random x (weights only: activation quantization not included).</summary>
        public double OutputDeviation { get; set; }
        /// <summary>Why the layer stayed as it was, or null.</summary>
        public string? Skipped { get; set; }

        public bool Compressed => Skipped is null;
    }

    /// <summary>The per-layer results of one <see cref="ModelCompressor.Compress"/> run.</summary>
    public sealed class CompressionReport
    {
        public string Options { get; set; } = "";
        public List<LayerReport> Layers { get; } = new();
        /// <summary>Remarks about the whole model (e.g. int4 stored as int8 below opset 21).</summary>
        public List<string> Notes { get; } = new();

        public IEnumerable<LayerReport> CompressedLayers => Layers.Where(l => l.Compressed);
        public long BytesBefore => CompressedLayers.Sum(l => l.BytesBefore);
        public long BytesAfter => CompressedLayers.Sum(l => l.BytesAfter);
        public LayerReport? WorstLayer => CompressedLayers.OrderByDescending(l => l.OutputDeviation).ThenBy(l => l.Node, StringComparer.Ordinal).FirstOrDefault();

        /// <summary>One line per layer: the summary table of `modelgen compress`.</summary>
        public string Table()
        {
            var rows = new List<string[]> { new[] { "layer", "op", "technique", "weights", "bytes before", "bytes after", "weight err", "output dev" } };
            foreach (var l in Layers)
                rows.Add(new[]
                {
                    l.Node, l.OpType, l.Compressed ? l.Technique : "skipped: " + l.Skipped, l.Weights.ToString(CultureInfo.InvariantCulture),
                    l.BytesBefore.ToString(CultureInfo.InvariantCulture), l.Compressed ? l.BytesAfter.ToString(CultureInfo.InvariantCulture) : "",
                    l.Compressed ? ModelCompressor.Percent(l.WeightError) : "", l.Compressed ? ModelCompressor.Percent(l.OutputDeviation) : "",
                });
            rows.Add(new[] { "total", "", "", CompressedLayers.Sum(l => l.Weights).ToString(CultureInfo.InvariantCulture),
                BytesBefore.ToString(CultureInfo.InvariantCulture), BytesAfter.ToString(CultureInfo.InvariantCulture), "",
                ModelCompressor.Percent(WorstLayer?.OutputDeviation ?? 0) + " max" });
            var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            var lines = rows.Select(r => string.Join("  ", r.Select((cell, c) => c >= 3 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
            return string.Join("\n", lines) + (Notes.Count > 0 ? "\n" + string.Join("\n", Notes.Select(n => "note: " + n)) : "") + "\n";
        }

        /// <summary>The short form MG0303 carries.</summary>
        public string Summary()
        {
            var parts = CompressedLayers.Select(l => $"{l.OpType} '{l.Node}' {l.Technique} ({ModelCompressor.Percent(l.OutputDeviation, 1)})").ToList();
            var skipped = Layers.Where(l => !l.Compressed).Select(l => $"'{l.Node}' ({l.Skipped})").ToList();
            string text = string.Join("; ", parts);
            if (skipped.Count > 0) text += (text.Length > 0 ? "; " : "") + "left float: " + string.Join(", ", skipped);
            if (Notes.Count > 0) text += "; " + string.Join("; ", Notes);
            return text;
        }
    }
}
