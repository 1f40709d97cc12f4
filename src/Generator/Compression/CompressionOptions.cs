using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelGen.Common;

namespace ModelGen.Compression
{
    /// <summary>How the weights of a layer are quantized (at most one per model).</summary>
    public enum WeightQuantization
    {
        None,
        /// <summary>Per-output-channel symmetric int8 weights, dynamic uint8 activations (ONNX Runtime's quantize_dynamic form).</summary>
        Int8,
        /// <summary>Weight-only per-output-channel symmetric int4 behind DequantizeLinear.</summary>
        Int4,
        /// <summary>XNOR-Net weights α·sign(W), α = mean |W| per output channel.</summary>
        Binary,
        /// <summary><see cref="Binary"/> weights and a Sign on the layer's input.</summary>
        Xnor,
        /// <summary>Product quantization: per sub-space k-means codebooks of d-element sub-vectors.</summary>
        ProductQuantization,
        /// <summary>Scalar weight sharing: k-means of the layer's weights into k values.</summary>
        Cluster,
        /// <summary>
        /// Static QDQ (ONNX Runtime's quantize_static form): per-channel symmetric int8 weights, uint8 activations with
        /// scales from calibration ranges, int32 biases. Needs the ranges, so only <c>modelgen compress</c> does it.
        /// </summary>
        Int8Static,
    }

    /// <summary>
    /// What `Compression="..."` (item metadata) or `modelgen compress` asks for. Parts separated by ';' (or ','):
    /// int8 | int8-static | int4 | binary | xnor | prune=S | prune-filters=S | lowrank=E | pq=DxK | cluster=K. At most one of
    /// int8/int4/binary/xnor/pq/cluster; prune and lowrank exclude each other and run before the quantizer. Equatable: it
    /// is part of <see cref="Configuration.ModelOptions"/>, the generator's pipeline key.
    /// </summary>
    public sealed record CompressionOptions(
        WeightQuantization Quantization = WeightQuantization.None,
        double Prune = 0,
        double PruneFilters = 0,
        double LowRank = 0,
        int PqDimension = 0,
        int Centroids = 0,
        EquatableArray<string> Keep = default,
        bool KeepGiven = false)
    {
        /// <summary>Nothing requested.</summary>
        public bool IsEmpty => Quantization == WeightQuantization.None && Prune == 0 && PruneFilters == 0 && LowRank == 0;

        /// <summary>Energy kept when factoring weights that are already numerically low rank (found without being asked).</summary>
        public const double ExactRankEnergy = 1 - 1e-10;

        /// <summary>
        /// Parses the Compression text (and the CompressionKeep list: node or weight names, "first", "last", or "none").
        /// Returns null and the reason when the text is not understood.
        /// </summary>
        public static CompressionOptions? Parse(string? text, string? keep, out string error)
        {
            error = "";
            var result = new CompressionOptions();
            if (string.IsNullOrWhiteSpace(text)) return result;
            foreach (var raw in text!.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries))
            {
                string part = raw.Trim();
                if (part.Length == 0) continue;
                int eq = part.IndexOf('=');
                string key = (eq < 0 ? part : part.Substring(0, eq)).Trim().ToLowerInvariant();
                string value = eq < 0 ? "" : part.Substring(eq + 1).Trim();
                WeightQuantization q = WeightQuantization.None;
                switch (key)
                {
                    case "int8": q = WeightQuantization.Int8; break;
                    case "int8-static": q = WeightQuantization.Int8Static; break;
                    case "int4": q = WeightQuantization.Int4; break;
                    case "binary": q = WeightQuantization.Binary; break;
                    case "xnor": q = WeightQuantization.Xnor; break;
                    case "prune":
                    case "prune-filters":
                        if (!Fraction(value, open: false, out double s)) { error = $"'{part}': expected {key}=S with S a sparsity in (0, 1), e.g. {key}=0.8"; return null; }
                        result = key == "prune" ? result with { Prune = s } : result with { PruneFilters = s };
                        continue;
                    case "lowrank":
                        if (!Fraction(value, open: true, out double e)) { error = $"'{part}': expected lowrank=E with E the energy to keep in (0, 1], e.g. lowrank=0.95"; return null; }
                        result = result with { LowRank = e };
                        continue;
                    case "pq":
                        var dk = value.Split('x', 'X');
                        if (dk.Length != 2 || !Int(dk[0], out int d) || !Int(dk[1], out int k) || d < 1 || k < 2 || k > 256)
                        { error = $"'{part}': expected pq=DxK with D ≥ 1 elements per sub-vector and 2 ≤ K ≤ 256 centroids, e.g. pq=4x256"; return null; }
                        q = WeightQuantization.ProductQuantization;
                        result = result with { PqDimension = d, Centroids = k };
                        break;
                    case "cluster":
                        if (!Int(value, out int c) || c < 2 || c > 256) { error = $"'{part}': expected cluster=K with 2 ≤ K ≤ 256, e.g. cluster=16"; return null; }
                        q = WeightQuantization.Cluster;
                        result = result with { Centroids = c };
                        break;
                    default:
                        error = $"unknown technique '{key}' (expected int8, int8-static, int4, binary, xnor, prune=S, prune-filters=S, lowrank=E, pq=DxK or cluster=K)";
                        return null;
                }
                if (eq >= 0 && q is not (WeightQuantization.ProductQuantization or WeightQuantization.Cluster)) { error = $"'{part}': {key} takes no value"; return null; }
                if (result.Quantization != WeightQuantization.None && result.Quantization != q)
                { error = $"'{key}' and '{Name(result.Quantization)}' both quantize the weights; choose one"; return null; }
                result = result with { Quantization = q };
            }
            if (result.LowRank > 0 && (result.Prune > 0 || result.PruneFilters > 0))
            { error = "lowrank and prune exclude each other (the factors of a pruned weight are dense)"; return null; }
            if (result.Prune > 0 && result.PruneFilters > 0)
            { error = "prune and prune-filters exclude each other"; return null; }
            // Calibration runs the model the quantizer sees: pruning or factoring first would need a second calibration.
            if (result.Quantization == WeightQuantization.Int8Static && (result.Prune > 0 || result.PruneFilters > 0 || result.LowRank > 0))
            { error = "int8-static takes no other technique (compress with prune or lowrank first, then --int8-static on that file)"; return null; }
            if (!string.IsNullOrWhiteSpace(keep))
            {
                var names = keep!.Split(new[] { ',', ';' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).Where(s => s.Length > 0)
                    .Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToArray();
                result = result with { Keep = new EquatableArray<string>(names), KeepGiven = true };
            }
            return result;
        }

        private static bool Fraction(string text, bool open, out double value) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value > 0 && (open ? value <= 1 : value < 1);

        private static bool Int(string text, out int value) => int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);

        public static string Name(WeightQuantization q) => q switch
        {
            WeightQuantization.Int8 => "int8",
            WeightQuantization.Int8Static => "int8-static",
            WeightQuantization.Int4 => "int4",
            WeightQuantization.Binary => "binary",
            WeightQuantization.Xnor => "xnor",
            WeightQuantization.ProductQuantization => "pq",
            WeightQuantization.Cluster => "cluster",
            _ => "none",
        };

        /// <summary>The canonical text (parses back to an equal value).</summary>
        public override string ToString()
        {
            var parts = new List<string>();
            if (Prune > 0) parts.Add("prune=" + Prune.ToString("R", CultureInfo.InvariantCulture));
            if (PruneFilters > 0) parts.Add("prune-filters=" + PruneFilters.ToString("R", CultureInfo.InvariantCulture));
            if (LowRank > 0) parts.Add("lowrank=" + LowRank.ToString("R", CultureInfo.InvariantCulture));
            if (Quantization == WeightQuantization.ProductQuantization) parts.Add($"pq={PqDimension}x{Centroids}");
            else if (Quantization == WeightQuantization.Cluster) parts.Add($"cluster={Centroids}");
            else if (Quantization != WeightQuantization.None) parts.Add(Name(Quantization));
            return string.Join(";", parts);
        }
    }
}
