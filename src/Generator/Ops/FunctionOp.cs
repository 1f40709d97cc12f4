using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// An operator computed through others, as an ONNX function is: before shape inference each node is replaced by the
    /// nodes <see cref="Expand"/> writes (Passes/ExpandFunctions), which then infer, fold, fuse and lower like any node.
    /// ONNX Runtime's quantized contrib operators (QLinearAdd = DequantizeLinear, Add, QuantizeLinear) are defined this
    /// way, so the integer fusions that apply to QDQ graphs apply to them too.
    /// </summary>
    public abstract class FunctionOp : OpDefinition
    {
        /// <summary>Writes the body computing <paramref name="node"/>'s outputs from its inputs.</summary>
        public abstract void Expand(Node node, FunctionBody body);

        public sealed override void InferShapes(Node node) =>
            throw new InvalidOperationException($"{OpType} is expanded before shape inference");

        public sealed override void Lower(LoweringContext ctx) =>
            throw new InvalidOperationException($"{OpType} is expanded before lowering");

        /// <summary>Input <paramref name="i"/>, which must be present.</summary>
        protected static Value Required(Node node, int i, string name)
        {
            var v = node.Input(i);
            Require(v is not null, $"needs input {i} ({name})");
            return v!;
        }
    }

    /// <summary>Builds the nodes that replace one function node: each gets a name under the node's, in order.</summary>
    public sealed class FunctionBody
    {
        private readonly Graph _graph;
        private readonly string _name;
        private int _count;

        public FunctionBody(Graph graph, Node node) : this(graph, node.Name)
        {
        }

        /// <summary>Nodes and values named under <paramref name="name"/>.</summary>
        public FunctionBody(Graph graph, string name)
        {
            _graph = graph;
            _name = name;
        }

        public List<Node> Nodes { get; } = new();

        /// <summary>
        /// Adds a default-domain node; its outputs are new values unless <paramref name="outputs"/> names existing ones
        /// (the function's own outputs). Opset: <paramref name="opset"/>, or the model's default-domain opset but at least
        /// <paramref name="minOpset"/>.
        /// </summary>
        public Value[] Add(string opType, Value?[] inputs, IEnumerable<AttributeProto>? attributes = null, int outputCount = 1,
            Value[]? outputs = null, int minOpset = 13, int? opset = null)
        {
            string name = $"{_name}/{opType}{_count++}";
            outputs ??= Enumerable.Range(0, outputCount).Select(i => NewValue($"{name}:{i}")).ToArray();
            _graph.Opsets.TryGetValue("", out int modelOpset);
            var node = new Node(name, opType, "", opset ?? Math.Max(modelOpset, minOpset), inputs, outputs, new Attributes(attributes ?? Array.Empty<AttributeProto>()));
            Nodes.Add(node);
            return outputs;
        }

        /// <summary>A build-time constant value.</summary>
        public Value Constant(Tensor tensor, string label)
        {
            var v = NewValue($"{_name}/{label}");
            v.Type = tensor.Type;
            v.Shape = tensor.Shape;
            v.Constant = tensor;
            return v;
        }

        private Value NewValue(string name) => _graph.NewValue(name);

        public static AttributeProto Int(string name, long value) =>
            new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        public static AttributeProto Float(string name, float value) =>
            new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        public static AttributeProto Ints(string name, IEnumerable<long> values)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(values);
            return a;
        }

        public static AttributeProto String(string name, string value) =>
            new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
    }
}
