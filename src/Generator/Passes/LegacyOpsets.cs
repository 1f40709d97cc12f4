using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;
using ModelGen.Ops;

namespace ModelGen.Passes
{
    /// <summary>
    /// Brings a default-domain node of opset 1 to 6 (old PyTorch, Caffe2 and CNTK exports) to its opset-7 form, which every
    /// op in Ops/ implements, during shape inference (the rewrite of a legacy broadcast needs its inputs' ranks). Opset 7
    /// changed little: numpy broadcasting replaced the `broadcast`/`axis` attributes of the binary ops, and attributes that
    /// only mattered for training or in-place buffers (`consumed_inputs`, `is_test`) had gone. Ops whose old form means
    /// something else (Tile-1 with tiles/axis inputs) are refused.
    /// </summary>
    public static class LegacyOpsets
    {
        /// <summary>Binary ops that had the `broadcast` and `axis` attributes before opset 7.</summary>
        private static readonly HashSet<string> LegacyBroadcast = new(System.StringComparer.Ordinal)
        {
            "Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "Equal", "Greater", "Less",
        };

        /// <summary>The nodes replacing <paramref name="node"/>, or null when it is already opset 7 or later.</summary>
        public static List<Node>? Upgrade(Graph graph, Node node)
        {
            if (node.Domain.Length != 0 || node.Opset >= 7) return null;
            var attributes = new Attributes(node.Attributes.All);
            attributes.Remove("consumed_inputs");
            attributes.Remove("is_test");
            var inputs = node.Inputs.ToArray();
            var result = new List<Node>();
            switch (node.OpType)
            {
                case "Tile" when node.Opset < 6:
                    throw new UnsupportedException("Tile-1 (tiles and axis inputs) is not supported; opset 6 replaced it");
                case "Upsample":
                    throw new UnsupportedException($"Upsample-{node.Opset} (experimental) is not supported; use opset 7 or later");
                case var op when LegacyBroadcast.Contains(op):
                    bool broadcast = attributes.Int("broadcast", 0) != 0;
                    long axis = attributes.Int("axis", long.MinValue);
                    attributes.Remove("broadcast");
                    attributes.Remove("axis");
                    var a = inputs[0];
                    var b = inputs.Length > 1 ? inputs[1] : null;
                    if (broadcast && axis != long.MinValue && a?.Shape is { } sa && b?.Shape is { } sb && sb.Length < sa.Length)
                    {
                        // Old broadcasting aligned B's dimensions at `axis` of A (e.g. a [C] bias on [N, C, H, W] at axis 1);
                        // numpy aligns them at the end, so B gets trailing ones.
                        if (axis < 0) axis += sa.Length;
                        if (axis < 0 || axis + sb.Length > sa.Length)
                            throw new IrException($"axis {attributes.Int("axis", 0)} does not place B's {sb.Length} dimensions inside A's {sa.Length}");
                        int trailing = sa.Length - (int)axis - sb.Length;
                        if (trailing > 0) inputs[1] = AppendOnes(graph, node, result, b, sb, trailing);
                    }
                    break;
                case "Gemm":
                    attributes.Remove("broadcast");
                    break;
                case "PRelu" when inputs.Length > 1 && inputs[0]?.Shape is { Length: > 2 } sx && inputs[1]?.Shape is { Length: 1 } ss && ss[0] > 1 && ss[0] == sx[1]:
                    // PRelu-6 applied a 1-D slope per channel (axis 1); PRelu-7 broadcasts it from the end.
                    inputs[1] = AppendOnes(graph, node, result, inputs[1]!, ss, sx.Length - 2);
                    break;
                case "Cast" when node.Attributes.Raw("to") is { Type: AttributeProto.Types.AttributeType.String } to:
                    // Cast-1 named the type ("FLOAT"); Cast-6 numbers it.
                    var name = to.S.ToStringUtf8();
                    if (!System.Enum.TryParse<TensorProto.Types.DataType>(name, ignoreCase: true, out var type))
                        throw new IrException($"'to' names an unknown type '{name}'");
                    attributes.Set(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)type });
                    break;
                case "Concat" when !attributes.Has("axis"):
                    // Concat-1 defaulted to axis 1; Concat-4 made it required.
                    attributes.Set(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
                    break;
                case "Reshape" when attributes.Ints("shape") is { } shapeAttribute:
                    // Reshape-1 took the shape as an attribute; Reshape-5 as an input.
                    attributes.Remove("shape");
                    var target = graph.NewValue(node.Name + "/shape");
                    target.Type = DataType.Int64;
                    target.Shape = new[] { shapeAttribute.Length };
                    target.Constant = Tensor.FromLongs(DataType.Int64, new[] { shapeAttribute.Length }, shapeAttribute);
                    inputs = new[] { inputs[0], target };
                    break;
                case "Pad" when attributes.Ints("paddings") is { } paddings:
                    // Pad-1 called its pads `paddings` (same layout).
                    attributes.Remove("paddings");
                    var pads = new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints };
                    pads.Ints.AddRange(paddings);
                    attributes.Set(pads);
                    break;
            }
            result.Add(new Node(node.Name, node.OpType, node.Domain, 7, inputs, node.Outputs, attributes));
            return result;
        }

        /// <summary>A Reshape of <paramref name="v"/> (shape <paramref name="shape"/>) with <paramref name="ones"/> trailing ones.</summary>
        private static Value AppendOnes(Graph graph, Node node, List<Node> result, Value v, int[] shape, int ones)
        {
            var target = shape.Select(d => (long)d).Concat(Enumerable.Repeat(1L, ones)).ToArray();
            var shapeValue = graph.NewValue(node.Name + "/legacy_broadcast_shape");
            shapeValue.Type = DataType.Int64;
            shapeValue.Shape = new[] { target.Length };
            shapeValue.Constant = Tensor.FromLongs(DataType.Int64, new[] { target.Length }, target);
            var reshaped = graph.NewValue(node.Name + "/legacy_broadcast");
            result.Add(new Node(node.Name + "/legacy_broadcast", "Reshape", "", 7, new[] { v, shapeValue }, new[] { reshaped }, Attributes.Empty));
            return reshaped;
        }
    }
}
