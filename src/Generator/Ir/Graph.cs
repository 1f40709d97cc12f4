using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Ir
{
    /// <summary>A tensor flowing through the graph: a model input, a constant or a node output.</summary>
    public sealed class Value
    {
        public Value(string name) => Name = name;

        public string Name { get; }
        public DataType Type { get; set; }
        /// <summary>Concrete shape once inference has run; null before.</summary>
        public int[]? Shape { get; set; }
        public Tensor? Constant { get; set; }
        public bool IsGraphInput { get; set; }
        public bool IsGraphOutput { get; set; }
        public Node? Producer { get; set; }
        public List<Node> Consumers { get; } = new();
        /// <summary>
        /// Set when this constant is the folded output of a DequantizeLinear on constants: that node (its quantized input,
        /// scale and zero point), so <see cref="ModelGen.Passes.FuseQdq"/> can run the consumer on the integers.
        /// </summary>
        public Node? DequantizedFrom { get; set; }

        /// <summary>
        /// Set on a value whose length along <see cref="RowCountAxis"/> is only known at run time (NonZero,
        /// NonMaxSuppression, Unique): <see cref="Shape"/> is then a capacity fixed at build time, and this hidden int32 [1]
        /// value, written by the producing kernel, holds the actual length. The valid data is the dense tensor of the actual
        /// shape (Shape with the axis set to the count) from element 0; the producer fills the rest of the buffer with
        /// zeros. Ops that keep rows independent pass it on (<see cref="RowCounts"/>); others reject such inputs.
        /// </summary>
        public Value? RowCount { get; set; }

        /// <summary>The axis whose run-time length <see cref="RowCount"/> holds (0: leading rows).</summary>
        public int RowCountAxis { get; set; }

        public int Length => Shapes.Size(Shape!);
        public int Rank => Shape!.Length;

        public override string ToString() => $"{Name}:{Type}{(Shape is null ? "?" : Shapes.Format(Shape))}";
    }

    public sealed class Node
    {
        public Node(string name, string opType, string domain, int opset, Value?[] inputs, Value[] outputs, Attributes attributes)
        {
            Name = name;
            OpType = opType;
            Domain = domain;
            Opset = opset;
            Inputs = inputs;
            Outputs = outputs;
            Attributes = attributes;
        }

        public string Name { get; set; }
        public string OpType { get; set; }
        public string Domain { get; }
        public int Opset { get; }
        /// <summary>Inputs in ONNX order; null where an optional input is omitted.</summary>
        public Value?[] Inputs { get; set; }
        public Value[] Outputs { get; set; }
        public Attributes Attributes { get; }

        /// <summary>Fused epilogue set by passes (e.g. Relu after Conv).</summary>
        public Activation? FusedActivation { get; set; }

        /// <summary>
        /// Set by the residual fusion: the last input is a tensor of the output's shape that the kernel adds to its result
        /// before <see cref="FusedActivation"/> (a residual Add merged into the Conv before it).
        /// </summary>
        public bool FusedResidual { get; set; }

        /// <summary>The nodes passes merged into this one (name and op type), in order, for comments, reports and the profiler.</summary>
        public List<(string Name, string OpType)> Fused { get; } = new();

        /// <summary>
        /// Set by <see cref="ModelGen.Passes.FoldNhwcTranspose"/> on a Conv whose input X is channels-last [N, H, W, C]:
        /// an NHWC tensor whose Transpose to NCHW the Conv absorbed.
        /// </summary>
        public bool InputChannelsLast { get; set; }

        /// <summary>
        /// Set by <see cref="ModelGen.Passes.FuseSignIntoConv"/> on a Conv with ±α weights that read Sign(x): X is now x itself
        /// and the kernel binarizes it while packing bits (XNOR + popcount).
        /// </summary>
        public bool BinarizedInput { get; set; }

        /// <summary>
        /// Set on the nodes of an If branch whose condition is known only at run time: the node's steps run only when
        /// the guard holds. Null: always run.
        /// </summary>
        public BranchGuard? Guard { get; set; }

        /// <summary>
        /// For a node inlined from a subgraph (If, Loop, Scan): the names visible where it stood, which its own subgraphs
        /// may refer to. Null for nodes of the main graph, whose subgraphs see the graph's values by their names.
        /// </summary>
        public IReadOnlyDictionary<string, Value>? Scope { get; set; }

        public Value? Input(int i) => i < Inputs.Length ? Inputs[i] : null;

        public override string ToString() => $"{OpType} '{Name}'";
    }

    public sealed class Graph
    {
        public List<Node> Nodes { get; } = new();
        public List<Value> Inputs { get; } = new();
        public List<Value> Outputs { get; } = new();
        public Dictionary<string, Value> Values { get; } = new(System.StringComparer.Ordinal);
        public Dictionary<string, int> Opsets { get; } = new(System.StringComparer.Ordinal);

        /// <summary>
        /// Values of sequence type, which exist only at build time: the tensors each holds, in order (set by the sequence
        /// operators during shape inference).
        /// </summary>
        public Dictionary<Value, IReadOnlyList<Value>> Sequences { get; } = new();
        public string Name { get; set; } = "";
        public string DocString { get; set; } = "";

        /// <summary>A new value named <paramref name="name"/>, or <c>name_1</c>, <c>name_2</c>, ... when that is taken.</summary>
        public Value NewValue(string name)
        {
            string unique = name;
            for (int i = 1; Values.ContainsKey(unique); i++) unique = $"{name}_{i}";
            var v = new Value(unique);
            Values[unique] = v;
            return v;
        }

        /// <summary>Recomputes producer and consumer links after a pass rewired nodes.</summary>
        public void Relink()
        {
            foreach (var v in Values.Values) { v.Producer = null; v.Consumers.Clear(); }
            foreach (var n in Nodes)
            {
                foreach (var o in n.Outputs) o.Producer = n;
                foreach (var i in n.Inputs.Where(i => i is not null)) i!.Consumers.Add(n);
            }
        }
    }

    /// <summary>
    /// Run only when <see cref="Condition"/> (a bool tensor of one element) is <see cref="WhenTrue"/>, and
    /// <see cref="Outer"/> holds (a branch inside a branch).
    /// </summary>
    public sealed record BranchGuard(Value Condition, bool WhenTrue, BranchGuard? Outer);

    /// <summary>An elementwise activation fused into the epilogue of a Conv, Gemm or MatMul.</summary>
    public sealed record Activation(string Kind, float Alpha = 0, float Beta = 0);
}
