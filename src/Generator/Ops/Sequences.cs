using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// The sequence operators, evaluated at build time: a sequence is the list of tensor values it holds
    /// (<see cref="Graph.Sequences"/>), which is known whenever every position and count is, as in the models exporters
    /// write (a list appended to in an unrolled loop, then stacked: SequenceEmpty, SequenceInsert, ConcatFromSequence).
    /// Each node is replaced by what reads its tensors: SequenceAt by an Identity, ConcatFromSequence by a Concat or
    /// Stack, SplitToSequence by a Split. Sequences at the model's inputs or outputs are not supported.
    /// </summary>
    public abstract class SequenceOp : ControlFlowOp
    {
        public override string Summary => "evaluated at build time (a sequence is the list of tensors it holds)";

        protected static IReadOnlyList<Value> Sequence(Graph graph, Node node, int input)
        {
            var v = node.Input(input);
            Require(v is not null, $"needs input {input}, a sequence");
            return graph.Sequences.TryGetValue(v!, out var items)
                ? items
                : throw new IrException($"input '{v!.Name}' is a tensor where a sequence is expected");
        }

        /// <summary>A position input (negative counts from the end), which must be a constant; null when left out.</summary>
        protected static int? Position(Node node, int input, int count, bool insert)
        {
            var v = node.Input(input);
            if (v is null) return null;
            RequireSupported(v.Constant is not null, $"input '{v.Name}' must be known at build time: a sequence's positions are resolved at build time");
            long p = v.Constant!.GetLong(0);
            int limit = insert ? count : count - 1;
            Require(p >= -count && p <= limit, $"position {p} is outside a sequence of {count} tensors");
            return (int)(p < 0 ? p + count : p);
        }

        protected static List<Node> Define(Graph graph, Value output, IEnumerable<Value> items)
        {
            graph.Sequences[output] = items.ToList();
            return new List<Node>();
        }
    }

    public sealed class SequenceEmptyOp : SequenceOp
    {
        public override string OpType => "SequenceEmpty";

        public override List<Node> Inline(Graph graph, Node node) => Define(graph, node.Outputs[0], Array.Empty<Value>());
    }

    public sealed class SequenceConstructOp : SequenceOp
    {
        public override string OpType => "SequenceConstruct";

        public override List<Node> Inline(Graph graph, Node node)
        {
            Require(node.Inputs.Length > 0 && node.Inputs.All(i => i is not null && !graph.Sequences.ContainsKey(i)), "needs one or more tensors");
            return Define(graph, node.Outputs[0], node.Inputs.Select(i => i!));
        }
    }

    public sealed class SequenceInsertOp : SequenceOp
    {
        public override string OpType => "SequenceInsert";

        public override List<Node> Inline(Graph graph, Node node)
        {
            var items = Sequence(graph, node, 0).ToList();
            var tensor = node.Input(1);
            Require(tensor is not null && !graph.Sequences.ContainsKey(tensor), "needs the tensor to insert");
            items.Insert(Position(node, 2, items.Count, insert: true) ?? items.Count, tensor!);
            return Define(graph, node.Outputs[0], items);
        }
    }

    public sealed class SequenceEraseOp : SequenceOp
    {
        public override string OpType => "SequenceErase";

        public override List<Node> Inline(Graph graph, Node node)
        {
            var items = Sequence(graph, node, 0).ToList();
            Require(items.Count > 0, "erases from an empty sequence");
            items.RemoveAt(Position(node, 1, items.Count, insert: false) ?? items.Count - 1);
            return Define(graph, node.Outputs[0], items);
        }
    }

    public sealed class SequenceAtOp : SequenceOp
    {
        public override string OpType => "SequenceAt";

        public override List<Node> Inline(Graph graph, Node node)
        {
            var items = Sequence(graph, node, 0);
            Require(node.Input(1) is not null, "needs the position");
            var item = items[Position(node, 1, items.Count, insert: false)!.Value];
            return new List<Node> { Copy(graph, node, item, node.Outputs[0], "at") };
        }
    }

    public sealed class SequenceLengthOp : SequenceOp
    {
        public override string OpType => "SequenceLength";

        public override List<Node> Inline(Graph graph, Node node)
        {
            var output = node.Outputs[0];
            output.Type = DataType.Int64;
            output.Shape = Array.Empty<int>();
            output.Constant = Tensor.FromLongs(DataType.Int64, Array.Empty<int>(), new long[] { Sequence(graph, node, 0).Count });
            return new List<Node>();
        }
    }

    /// <summary>ConcatFromSequence: a Concat of the tensors, or with new_axis = 1 a Stack.</summary>
    public sealed class ConcatFromSequenceOp : SequenceOp
    {
        public override string OpType => "ConcatFromSequence";

        public override List<Node> Inline(Graph graph, Node node)
        {
            var items = Sequence(graph, node, 0);
            Require(node.Attributes.Has("axis"), "needs the axis attribute");
            RequireSupported(items.Count > 0, "concatenates an empty sequence, whose element shape is unknown");
            long axis = node.Attributes.Int("axis", 0);
            if (node.Attributes.Int("new_axis", 0) == 1) return new List<Node> { Stack(node, items, (int)axis, node.Outputs[0]) };
            graph.Opsets.TryGetValue("", out int opset);
            return new List<Node>
            {
                new(node.Name, "Concat", "", Math.Max(opset, 4), items.ToArray<Value?>(), node.Outputs, new Attributes(new[] { IntAttribute("axis", axis) })),
            };
        }
    }

    /// <summary>SplitToSequence: a Split into the sequence's tensors (size-1 parts squeezed unless keepdims, when no split is given).</summary>
    public sealed class SplitToSequenceOp : SequenceOp
    {
        public override string OpType => "SplitToSequence";

        public override List<Node> Inline(Graph graph, Node node)
        {
            var x = node.Input(0);
            Require(x is not null, "needs the input tensor");
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", 0), x!.Rank);
            int length = x.Shape![axis];
            var split = node.Input(1);
            long[] sizes;
            bool squeeze = false;
            if (split is null)
            {
                sizes = Enumerable.Repeat(1L, length).ToArray();
                squeeze = node.Attributes.Int("keepdims", 1) == 0;
            }
            else
            {
                RequireSupported(split.Constant is not null, $"input '{split.Name}' must be known at build time: it decides how many tensors the sequence holds");
                var given = Enumerable.Range(0, split.Length).Select(i => split.Constant!.GetLong(i)).ToArray();
                if (split.Rank == 0)
                {
                    long size = given[0];
                    Require(size > 0, $"split size {size} must be positive");
                    sizes = Enumerable.Range(0, (int)((length + size - 1) / size)).Select(i => Math.Min(size, length - i * size)).ToArray();
                }
                else
                {
                    Require(given.Sum() == length, $"split sizes add up to {given.Sum()}, not the axis length {length}");
                    sizes = given;
                }
            }

            var body = new FunctionBody(graph, node);
            var splitSizes = body.Constant(Tensor.FromLongs(DataType.Int64, new[] { sizes.Length }, sizes), "split");
            var parts = body.Add("Split", new Value?[] { x, splitSizes }, new[] { FunctionBody.Int("axis", axis) }, outputCount: sizes.Length, opset: 13);
            if (squeeze)
            {
                var axes = body.Constant(Tensor.FromLongs(DataType.Int64, new[] { 1 }, new long[] { axis }), "axes");
                parts = parts.Select(p => body.Add("Squeeze", new Value?[] { p, axes }, opset: 13)[0]).ToArray();
            }
            graph.Sequences[node.Outputs[0]] = parts;
            return body.Nodes;
        }
    }
}
