using ModelGen.Ir;
using ModelGen.Onnx.Proto;

namespace ModelGen.Ops
{
    /// <summary>Typed attribute reads that reject an attribute of the wrong type (an invalid model) instead of reading 0.</summary>
    internal static class AttributeChecks
    {
        public static long Int(Node node, string name, long fallback) =>
            Checked(node, name, AttributeProto.Types.AttributeType.Int) ? node.Attributes.Int(name, fallback) : fallback;

        public static float Float(Node node, string name, float fallback) =>
            Checked(node, name, AttributeProto.Types.AttributeType.Float) ? node.Attributes.Float(name, fallback) : fallback;

        public static string String(Node node, string name, string fallback) =>
            Checked(node, name, AttributeProto.Types.AttributeType.String) ? node.Attributes.String(name, fallback) : fallback;

        /// <summary>A 0/1 flag.</summary>
        public static bool Flag(Node node, string name)
        {
            long v = Int(node, name, 0);
            if (v is not (0 or 1)) throw new IrException($"attribute '{name}' is {v}; 0 or 1 expected");
            return v == 1;
        }

        /// <summary>True when the attribute is present (with the expected type).</summary>
        private static bool Checked(Node node, string name, AttributeProto.Types.AttributeType type)
        {
            var a = node.Attributes.Raw(name);
            if (a is null) return false;
            // Writers that leave the type undefined are tolerated as the type the op expects.
            if (a.Type != type && a.Type != AttributeProto.Types.AttributeType.Undefined)
                throw new IrException($"attribute '{name}' has type {a.Type}; {type} expected");
            return true;
        }
    }
}
