using System;
using System.Linq;
using ModelGen.Common;
using ModelGen.Ir;

namespace ModelGen.Plan
{
    /// <summary>
    /// What an op sees while it lowers one node into plan steps: buffers for its inputs and outputs, weights it derives,
    /// its planned scratch, and methods that append steps. Ops never write C#.
    /// </summary>
    public sealed class LoweringContext
    {
        private readonly PlanBuilder _builder;

        internal LoweringContext(PlanBuilder builder, Node node, StepOrigin origin)
        {
            _builder = builder;
            Node = node;
            Origin = origin;
        }

        public Node Node { get; }

        public StepOrigin Origin { get; }

        public bool HasInput(int index) => index < Node.Inputs.Length && Node.Inputs[index] is not null;

        /// <summary>Input <paramref name="index"/>: a graph input, an arena buffer, or a weight for a constant.</summary>
        public BufferArg Input(int index)
        {
            var v = Node.Inputs[index] ?? throw new InvalidOperationException($"{Node} has no input {index}");
            return new BufferArg(_builder.BufferOf(v));
        }

        public BufferArg Output(int index) => new(_builder.BufferOf(Node.Outputs[index]));

        /// <summary>The int32 [1] buffer the kernel writes output <paramref name="index"/>'s run-time row count into (<see cref="Value.RowCount"/>).</summary>
        public BufferArg OutputCount(int index) =>
            new(_builder.CountBufferOf(Node.Outputs[index].RowCount ?? throw new InvalidOperationException($"{Node}: output {index} has no run-time row count")));

        /// <summary>True when output 0 shares input 0's storage, so a view op has nothing to do.</summary>
        public bool OutputIsAliasOfInput => SameMemory(Output(0), 0, Input(0), 0);

        /// <summary>True when element <paramref name="aStart"/> of <paramref name="a"/> and element <paramref name="bStart"/> of <paramref name="b"/> are the same memory.</summary>
        public bool SameMemory(BufferArg a, int aStart, BufferArg b, int bStart) => _builder.SameMemory(a.Buffer, a.Start + aStart, b.Buffer, b.Start + bStart);

        /// <summary>A weight for build-time data the op derived (packed, transposed or folded).</summary>
        public BufferArg Weight(Tensor tensor, string nameHint) => new(_builder.AddWeight(tensor, nameHint));

        /// <summary>The node's planned scratch (<c>OpDefinition.ScratchBytes</c>), or a part of it, viewed as <paramref name="type"/>.</summary>
        public ScratchArg Scratch(DataType type = DataType.Float, long offsetBytes = 0, long bytes = -1)
        {
            long total = _builder.ScratchBytes;
            if (total <= 0) throw new InvalidOperationException($"{Node} declared no scratch");
            if (bytes < 0) bytes = total - offsetBytes;
            if (offsetBytes < 0 || offsetBytes + bytes > total) throw new InvalidOperationException($"{Node}: scratch [{offsetBytes}, {offsetBytes + bytes}) exceeds the {total} bytes declared");
            return new ScratchArg(type, offsetBytes, bytes);
        }

        public void Call(string kernel, params (string Name, Arg Value)[] arguments) => Call(kernel, Array.Empty<TypeArg>(), arguments);

        public void Call(string kernel, TypeArg[] typeArguments, params (string Name, Arg Value)[] arguments) =>
            Add(MakeCall(kernel, typeArguments, arguments));

        public KernelCall MakeCall(string kernel, TypeArg[] typeArguments, params (string Name, Arg Value)[] arguments) =>
            new(Origin, kernel, new EquatableArray<TypeArg>(typeArguments),
                new EquatableArray<NamedArg>(arguments.Select(a => new NamedArg(a.Name, a.Value))));

        /// <summary>Records that this node's weights are stored compressed (reported at build time, listed by inspect).</summary>
        public void ReportCompression(string technique, long weights, long kept, long denseBytes, long storedBytes) =>
            _builder.AddCompression(new WeightCompression(Node.Name, Node.OpType, technique, weights, kept, denseBytes, storedBytes));

        public void Copy(BufferArg source, BufferArg destination) => Add(new CopyCall(Origin, source, destination));

        public void Fill(BufferArg destination, Arg value) => Add(new FillCall(Origin, destination, value));

        public void Set(ElementArg destination, Arg value) => Add(new SetElement(Origin, destination, value));

        /// <summary>Appends a step; it runs under the node's guard unless it carries its own.</summary>
        public void Add(Step step) => _builder.AddStep(step.Guard is null && Node.Guard is not null ? step with { Guard = GuardOf(Node.Guard) } : step);

        /// <summary>The plan form of a branch guard: its conditions' buffers.</summary>
        public StepGuard? GuardOf(BranchGuard? guard) =>
            guard is null ? null : new StepGuard(_builder.BufferOf(guard.Condition), guard.WhenTrue, GuardOf(guard.Outer));

        /// <summary>The element count of a buffer.</summary>
        public int Length(BufferArg arg) => arg.Length >= 0 ? arg.Length : _builder.Length(arg.Buffer);
    }
}
