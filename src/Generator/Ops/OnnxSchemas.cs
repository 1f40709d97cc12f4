using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;

namespace ModelGen.Ops
{
    /// <summary>
    /// The attributes ONNX defines for each version of each default-domain operator (OnnxSchemas.g.cs, generated from ONNX's
    /// Changelog by tools/make_op_schemas.py). A node whose attribute is unknown to its operator version, has another type
    /// (a Softmax `axis` written as a string), or that lacks a required one is invalid: ONNX Runtime refuses such a model,
    /// and reading it with a default would compute something else without a word.
    /// </summary>
    public static partial class OnnxSchemas
    {
        private sealed record AttributeSchema(AttributeProto.Types.AttributeType Type, bool Required);

        /// <summary>Op type → its versions in ascending order, each with its attributes by name.</summary>
        private static readonly Lazy<Dictionary<string, List<(int Version, Dictionary<string, AttributeSchema>? Attributes)>>> Schemas = new(() =>
        {
            var result = new Dictionary<string, List<(int, Dictionary<string, AttributeSchema>?)>>(StringComparer.Ordinal);
            foreach (var (key, attributes) in Table)
            {
                int dash = key.LastIndexOf('-');
                string op = key.Substring(0, dash);
                int version = int.Parse(key.Substring(dash + 1), System.Globalization.CultureInfo.InvariantCulture);
                // "?": a deprecated version whose attributes ONNX's Changelog does not list (null: not checked).
                var byName = attributes == "?" ? null : new Dictionary<string, AttributeSchema>(StringComparer.Ordinal);
                if (byName is not null)
                foreach (var entry in attributes.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    int colon = entry.IndexOf(':');
                    bool required = entry.EndsWith("!", StringComparison.Ordinal);
                    string kind = entry.Substring(colon + 1).TrimEnd('!');
                    byName![entry.Substring(0, colon)] = new AttributeSchema((AttributeProto.Types.AttributeType)Enum.Parse(typeof(AttributeProto.Types.AttributeType), kind), required);
                }
                if (!result.TryGetValue(op, out var versions)) result[op] = versions = new List<(int, Dictionary<string, AttributeSchema>?)>();
                versions.Add((version, byName));
            }
            foreach (var versions in result.Values) versions.Sort((a, b) => a.Item1.CompareTo(b.Item1));
            return result;
        });

        /// <summary>What is wrong with the node's attributes for its operator version, or null (also for ops ONNX does not define).</summary>
        public static string? Check(Node node, IEnumerable<AttributeProto> attributes)
        {
            if (node.Domain.Length != 0 || !Schemas.Value.TryGetValue(node.OpType, out var versions)) return null;
            int at = versions.FindLastIndex(v => v.Version <= node.Opset);
            if (at < 0) return null;
            var (version, schema) = versions[at];
            if (schema is null) return null;
            string name = $"{node.OpType}-{version}";
            var given = new HashSet<string>(StringComparer.Ordinal);
            foreach (var a in attributes)
            {
                given.Add(a.Name);
                if (!string.IsNullOrEmpty(a.RefAttrName)) continue;
                if (!schema.TryGetValue(a.Name, out var expected))
                {
                    string known = schema.Count == 0 ? "none" : string.Join(", ", schema.Keys.OrderBy(k => k, StringComparer.Ordinal));
                    return $"attribute '{a.Name}' is not an attribute of {name} (its attributes: {known})";
                }
                // Type UNDEFINED: writers from before the field existed; the value's field then says what it is.
                if (a.Type != AttributeProto.Types.AttributeType.Undefined && a.Type != expected.Type)
                    return $"attribute '{a.Name}' is {Describe(a.Type)}; {name} defines it as {Describe(expected.Type)}";
            }
            foreach (var required in schema.Where(s => s.Value.Required && !given.Contains(s.Key)).Select(s => s.Key).OrderBy(k => k, StringComparer.Ordinal))
                return $"the required attribute '{required}' of {name} is missing";
            return null;
        }

        private static string Describe(AttributeProto.Types.AttributeType t) => t switch
        {
            AttributeProto.Types.AttributeType.Int => "an int",
            AttributeProto.Types.AttributeType.Float => "a float",
            AttributeProto.Types.AttributeType.String => "a string",
            AttributeProto.Types.AttributeType.Tensor => "a tensor",
            AttributeProto.Types.AttributeType.Graph => "a graph",
            AttributeProto.Types.AttributeType.Ints => "a list of ints",
            AttributeProto.Types.AttributeType.Floats => "a list of floats",
            AttributeProto.Types.AttributeType.Strings => "a list of strings",
            _ => t.ToString().ToLowerInvariant(),
        };
    }
}
