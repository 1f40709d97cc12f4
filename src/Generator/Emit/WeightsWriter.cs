using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using ModelGen.Configuration;
using ModelGen.Diagnostics;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Emit
{
    /// <summary>
    /// The weights blob: a 64-byte header, then every tensor the generated code reads, in the packed layout the kernels
    /// read, each at a 64-byte-aligned offset from the start of the payload. Header (little-endian):
    /// bytes 0-3 "MGWB", 4-7 format version, 8-15 payload length, 16-47 SHA-256 of the payload, 48-63 zero.
    /// <c>ModelGen.Runtime.WeightBlob</c> checks the header against the values compiled into the generated code.
    /// </summary>
    public static class WeightBlobFormat
    {
        public const string Magic = "MGWB";
        public const int Version = 1;
        public const int HeaderBytes = 64;

        /// <summary>Hash text for a blob whose model keeps its weights as literals (nothing to embed).</summary>
        public const string NoBlob = "none";
    }

    /// <summary>What <see cref="WeightsWriter"/> produced: the storage it chose and, for Resource, the blob and its hash.</summary>
    public sealed class WeightsOutput
    {
        public WeightsOutput(WeightStorage storage, long bytes, byte[]? blob, string? hash)
        {
            Storage = storage;
            Bytes = bytes;
            Blob = blob;
            Hash = hash;
        }

        /// <summary>Literals or Resource (Auto resolved).</summary>
        public WeightStorage Storage { get; }

        /// <summary>Bytes of tensor data (without padding or header).</summary>
        public long Bytes { get; }

        /// <summary>Header and payload (Resource only).</summary>
        public byte[]? Blob { get; }

        /// <summary>Lower-case hex SHA-256 of the payload (Resource only).</summary>
        public string? Hash { get; }
    }

    /// <summary>Writes the generated <c>Weights</c> class: ulong literals, or spans over the embedded weights blob.</summary>
    public static class WeightsWriter
    {
        public static long DataBytes(IReadOnlyList<(string Name, Tensor Tensor)> weights)
        {
            long total = 0;
            foreach (var (_, t) in weights) total += (long)t.Length * DataTypes.Size(t.Type);
            return total;
        }

        public static WeightStorage Resolve(WeightStorage requested, long bytes) =>
            requested != WeightStorage.Auto ? requested : bytes > ModelOptions.AutoResourceBytes ? WeightStorage.Resource : WeightStorage.Literals;

        public static WeightsOutput Write(SourceWriter w, IReadOnlyList<(string Name, Tensor Tensor)> weights, ModelOptions options, string resourceName)
        {
            long bytes = DataBytes(weights);
            var storage = Resolve(options.Weights, bytes);
            w.Line();
            w.Open("private static class Weights");
            WeightsOutput output;
            if (storage == WeightStorage.Resource)
            {
                var offsets = new long[weights.Count];
                long payload = 0;
                for (int i = 0; i < weights.Count; i++)
                {
                    offsets[i] = payload;
                    payload += ExecutionPlan.Align((long)weights[i].Tensor.Length * DataTypes.Size(weights[i].Tensor.Type));
                }
                if (WeightBlobFormat.HeaderBytes + payload > int.MaxValue)
                    throw new IrException($"the weights need {payload} bytes; one resource holds at most 2 GB");
                var blob = new byte[WeightBlobFormat.HeaderBytes + payload];
                for (int i = 0; i < weights.Count; i++)
                    WeightEncoder.Write(weights[i].Tensor, blob, WeightBlobFormat.HeaderBytes + (int)offsets[i]);
                string hash = WriteHeader(blob);

                w.Line("private static global::ModelGen.Runtime.WeightBlob? s_blob;");
                w.Line("/// <summary>Checked against the header on first use: a missing or mismatched resource throws, naming it.</summary>");
                w.Line($"private static global::ModelGen.Runtime.WeightBlob Blob => s_blob ??= global::ModelGen.Runtime.WeightBlob.FromResource(typeof({options.ClassName}).Assembly, {CSharpLiterals.String(resourceName)}, {payload.ToString(CultureInfo.InvariantCulture)}, \"{hash}\");");
                for (int i = 0; i < weights.Count; i++)
                {
                    var (name, tensor) = weights[i];
                    string type = DataTypes.StorageName(tensor.Type)!;
                    w.Line($"/// <summary>{DataTypes.OnnxName(tensor.Type)} {Shapes.Format(tensor.Shape)}</summary>");
                    w.Line($"public static global::System.ReadOnlySpan<{type}> {name} => Blob.Get<{type}>({offsets[i].ToString(CultureInfo.InvariantCulture)}, {tensor.Length.ToString(CultureInfo.InvariantCulture)});");
                }
                output = new WeightsOutput(storage, bytes, blob, hash);
            }
            else
            {
                var line = new StringBuilder();
                foreach (var (name, tensor) in weights)
                {
                    string type = DataTypes.StorageName(tensor.Type)!;
                    w.Line($"/// <summary>{DataTypes.OnnxName(tensor.Type)} {Shapes.Format(tensor.Shape)}</summary>");
                    w.Line($"public static global::System.ReadOnlySpan<{type}> {name} => global::System.Runtime.InteropServices.MemoryMarshal.Cast<ulong, {type}>({name}Data).Slice(0, {tensor.Length});");
                    var words = WeightEncoder.ToULongs(WeightEncoder.ToBytes(tensor));
                    if (words.Length == 0)
                    {
                        w.Line($"private static global::System.ReadOnlySpan<ulong> {name}Data => default;");
                        continue;
                    }
                    w.Line($"private static global::System.ReadOnlySpan<ulong> {name}Data => new ulong[]");
                    w.Line("{");
                    for (int i = 0; i < words.Length; i += 8)
                    {
                        line.Clear().Append("    ");
                        for (int j = i; j < Math.Min(i + 8, words.Length); j++)
                        {
                            if (j > i) line.Append(", ");
                            line.Append("0x").Append(words[j].ToString("X16", CultureInfo.InvariantCulture)).Append("UL");
                        }
                        w.Line(line.Append(',').ToString());
                    }
                    w.Line("};");
                }
                output = new WeightsOutput(storage, bytes, null, null);
            }
            w.Close();
            return output;
        }

        /// <summary>Fills in the header of a blob whose payload is written; returns the payload's hash.</summary>
        private static string WriteHeader(byte[] blob)
        {
            long payload = blob.Length - WeightBlobFormat.HeaderBytes;
            byte[] sha;
            using (var hasher = System.Security.Cryptography.SHA256.Create())
                sha = hasher.ComputeHash(blob, WeightBlobFormat.HeaderBytes, (int)payload);
            Encoding.ASCII.GetBytes(WeightBlobFormat.Magic, 0, 4, blob, 0);
            WriteLittleEndian(blob, 4, WeightBlobFormat.Version, 4);
            WriteLittleEndian(blob, 8, payload, 8);
            Buffer.BlockCopy(sha, 0, blob, 16, sha.Length);
            var hex = new StringBuilder(64);
            foreach (byte b in sha) hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return hex.ToString();
        }

        private static void WriteLittleEndian(byte[] target, int offset, long value, int size)
        {
            for (int i = 0; i < size; i++) target[offset + i] = (byte)(value >> (8 * i));
        }
    }
}
