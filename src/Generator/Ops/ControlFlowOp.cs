using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx;
using ModelGen.Onnx.Proto;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// An operator with subgraphs (If, Loop, Scan). Shape inference replaces each node, when it reaches it, by the nodes
    /// of its subgraphs (<see cref="Inline"/>): an If by the branch its condition selects, a Loop or Scan by one copy of
    /// its body per iteration. Those nodes then infer, fold, fuse and lower like any other, so a branch or a loop body
    /// gets the same kernels, fusions and memory planning as the main graph, and no interpreter runs subgraphs.
    /// </summary>
    public abstract class ControlFlowOp : OpDefinition
    {
        /// <summary>The domain of the helper operators control flow leaves in the graph (ModelGen's own, no model's).</summary>
        public const string InternalDomain = DynamicQuantizedOp.InternalDomain;

        /// <summary>Most copies of a loop body ModelGen writes: beyond, the program would be larger than the loop is worth.</summary>
        public const int MaxIterations = 4096;

        /// <summary>
        /// The nodes replacing <paramref name="node"/>, whose inputs all have shapes (and constants where known). They
        /// write the node's outputs; shape inference visits them next. Throws as <see cref="OpDefinition.InferShapes"/> does.
        /// </summary>
        public abstract List<Node> Inline(Graph graph, Node node);

        /// <summary>How the operator runs, for the README's operator table.</summary>
        public virtual string Summary => "replaced by its subgraphs at build time (a branch, or one body per iteration)";

        public sealed override void InferShapes(Node node) =>
            throw new InvalidOperationException($"{OpType} is replaced by its subgraphs during shape inference");

        public sealed override void Lower(LoweringContext ctx) =>
            throw new InvalidOperationException($"{OpType} is replaced by its subgraphs during shape inference");

        /// <summary>A scalar constant.</summary>
        protected static Value ScalarConstant(Graph graph, string name, DataType type, long value)
        {
            var v = graph.NewValue(name);
            v.Type = type;
            v.Shape = Array.Empty<int>();
            v.Constant = Tensor.FromLongs(type, Array.Empty<int>(), new[] { value });
            return v;
        }

        /// <summary>A node stacking <paramref name="pieces"/> (equal shapes) along a new axis <paramref name="axis"/> into <paramref name="output"/>.</summary>
        protected static Node Stack(Node owner, IReadOnlyList<Value> pieces, int axis, Value output) =>
            new($"{owner.Name}/stack({output.Name})", "Stack", InternalDomain, 1, pieces.ToArray(), new[] { output }, new Attributes(new[] { IntAttribute("axis", axis) }));

        /// <summary>An Identity from <paramref name="source"/> to <paramref name="output"/>.</summary>
        protected static Node Copy(Graph graph, Node owner, Value source, Value output, string label)
        {
            graph.Opsets.TryGetValue("", out int opset);
            return new Node($"{owner.Name}/{label}", "Identity", "", Math.Max(opset, 1), new Value?[] { source }, new[] { output }, Attributes.Empty);
        }

        /// <summary>A constant int attribute, or the default.</summary>
        protected static long[] Ints(Node node, string name, int count, long fallback) =>
            node.Attributes.Ints(name) is { Length: > 0 } given ? given : Enumerable.Repeat(fallback, count).ToArray();

        protected static AttributeProto IntAttribute(string name, long value) => FunctionBody.Int(name, value);
    }
}
