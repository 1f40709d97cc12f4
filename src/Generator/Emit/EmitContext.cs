using System;
using System.Collections.Generic;
using ModelGen.Ir;
using ModelGen.Passes;

namespace ModelGen.Emit
{
    /// <summary>What an op's emitter sees: C# expressions for its inputs, outputs, weights and scratch.</summary>
    public sealed class EmitContext
    {
        private readonly ModelEmitter _emitter;

        internal EmitContext(ModelEmitter emitter, Node node, SourceWriter code)
        {
            _emitter = emitter;
            Node = node;
            Code = code;
        }

        public Node Node { get; }

        /// <summary>The body of Predict, where the node's statements go.</summary>
        public SourceWriter Code { get; }

        public const string Runtime = "global::ModelGen.Runtime";

        /// <summary>A ReadOnlySpan&lt;T&gt; expression for input <paramref name="index"/>.</summary>
        public string Input(int index)
        {
            var v = Node.Inputs[index] ?? throw new InvalidOperationException($"{Node} has no input {index}");
            return _emitter.Expression(v);
        }

        public bool HasInput(int index) => index < Node.Inputs.Length && Node.Inputs[index] is not null;

        /// <summary>A Span&lt;T&gt; expression for output <paramref name="index"/>.</summary>
        public string Output(int index) => _emitter.Expression(Node.Outputs[index]);

        /// <summary>True when the planner made output 0 share input 0's buffer, so a view op has nothing to do.</summary>
        public bool OutputIsAliasOfInput =>
            _emitter.Plan.Values.TryGetValue(Node.Outputs[0], out var s) && s.AliasOf is not null;

        /// <summary>A ReadOnlySpan&lt;T&gt; expression for build-time data the op derived (packed or folded weights).</summary>
        public string Weight(Tensor tensor, string nameHint) => _emitter.AddWeight(tensor, nameHint);

        /// <summary>A Span&lt;T&gt; over the node's planned scratch bytes, as elements of <paramref name="csharpType"/>.</summary>
        public string Scratch(string csharpType = "float")
        {
            if (!_emitter.Plan.Scratch.TryGetValue(Node, out var s)) throw new InvalidOperationException($"{Node} declared no scratch");
            return $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<byte, {csharpType}>(scratch.Slice({s.Offset}, {s.Bytes}))";
        }

        /// <summary>Adds a private static helper method to the class and returns its unique name.</summary>
        public string AddMethod(string nameHint, Action<SourceWriter, string> writeMethod) => _emitter.AddMethod(nameHint, writeMethod);

        public string CSharpType(Value v) => DataTypes.CSharpName(v.Type) ?? throw new InvalidOperationException($"no C# type for {v.Type}");
    }
}
