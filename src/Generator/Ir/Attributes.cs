using System.Collections.Generic;
using System.Linq;
using ModelGen.Onnx.Proto;

namespace ModelGen.Ir
{
    /// <summary>Typed access to a node's attributes, with ONNX defaults supplied by the caller.</summary>
    public sealed class Attributes
    {
        private readonly Dictionary<string, AttributeProto> _byName;

        public Attributes(IEnumerable<AttributeProto> attributes) =>
            _byName = attributes.GroupBy(a => a.Name).ToDictionary(g => g.Key, g => g.Last(), System.StringComparer.Ordinal);

        public static Attributes Empty => new(System.Array.Empty<AttributeProto>());

        public bool Has(string name) => _byName.ContainsKey(name);

        public IEnumerable<string> Names => _byName.Keys.OrderBy(k => k, System.StringComparer.Ordinal);

        public long Int(string name, long fallback) => _byName.TryGetValue(name, out var a) ? a.I : fallback;

        public float Float(string name, float fallback) => _byName.TryGetValue(name, out var a) ? a.F : fallback;

        public string String(string name, string fallback) => _byName.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;

        public long[]? Ints(string name) => _byName.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;

        public float[]? Floats(string name) => _byName.TryGetValue(name, out var a) ? a.Floats.ToArray() : null;

        public TensorProto? Tensor(string name) => _byName.TryGetValue(name, out var a) ? a.T : null;

        public AttributeProto? Raw(string name) => _byName.TryGetValue(name, out var a) ? a : null;

        public void Set(AttributeProto attribute) => _byName[attribute.Name] = attribute;

        public bool Remove(string name) => _byName.Remove(name);

        /// <summary>Every attribute, by name in ordinal order.</summary>
        public IEnumerable<AttributeProto> All => _byName.OrderBy(p => p.Key, System.StringComparer.Ordinal).Select(p => p.Value);
    }
}
