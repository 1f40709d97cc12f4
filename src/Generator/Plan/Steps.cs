using ModelGen.Common;
using ModelGen.Ir;

namespace ModelGen.Plan
{
    /// <summary>
    /// Where a step comes from: the ONNX nodes it computes (more than one when passes fused them) and a one-line
    /// description with shapes. Steps that share an origin form one group: the profiler times groups.
    /// </summary>
    public sealed record StepOrigin(int Group, EquatableArray<string> Nodes, EquatableArray<string> OpTypes, string Description);

    /// <summary>One statement of the program, in order. <see cref="ScratchOffset"/> is where the group's scratch starts in the arena.</summary>
    public abstract record Step(StepOrigin Origin)
    {
        public long ScratchOffset { get; init; }

        /// <summary>Set when the step belongs to an If branch whose condition is known only at run time: it runs only when the guard holds.</summary>
        public StepGuard? Guard { get; init; }
    }

    /// <summary>Run when element 0 of the bool buffer <see cref="Condition"/> is <see cref="WhenTrue"/>, and <see cref="Outer"/> holds.</summary>
    public sealed record StepGuard(int Condition, bool WhenTrue, StepGuard? Outer);

    /// <summary>A call of a runtime kernel, <c>Kernels.{Kernel}&lt;TypeArguments&gt;(name: value, ...)</c>.</summary>
    public sealed record KernelCall(StepOrigin Origin, string Kernel, EquatableArray<TypeArg> TypeArguments, EquatableArray<NamedArg> Arguments) : Step(Origin);

    /// <summary>Copies a span into another of the same length.</summary>
    public sealed record CopyCall(StepOrigin Origin, BufferArg Source, BufferArg Destination) : Step(Origin);

    /// <summary>Sets every element of a span to one value (a literal or an element of another buffer).</summary>
    public sealed record FillCall(StepOrigin Origin, BufferArg Destination, Arg Value) : Step(Origin);

    /// <summary>Sets one element.</summary>
    public sealed record SetElement(StepOrigin Origin, ElementArg Destination, Arg Value) : Step(Origin);

    /// <summary>
    /// A kernel call repeated <see cref="Count"/> times; in repetition i, argument <c>Offsets[k].Argument</c> (a buffer)
    /// starts <c>Offsets[k].Starts[i]</c> elements further. Batched matrix products use it.
    /// </summary>
    public sealed record RepeatedCall(StepOrigin Origin, int Count, KernelCall Body, EquatableArray<RepeatOffsets> Offsets) : Step(Origin);

    public sealed record RepeatOffsets(string Argument, EquatableArray<int> Starts);

    /// <summary>A Range written as a loop: <c>y[i] = start + i·delta</c>, accumulated in the element type as ONNX does.</summary>
    public sealed record RangeFill(StepOrigin Origin, BufferArg Destination, DataType Type, ScalarArg Start, ScalarArg Delta, int Count) : Step(Origin);

    /// <summary>A step with no code (a view that shares its input's buffer); kept so the program lists every node.</summary>
    public sealed record NoOp(StepOrigin Origin, string Reason) : Step(Origin);

    /// <summary>
    /// A layer whose weights the plan stores and computes in compressed form: which node, how (e.g. "sparse"), how many
    /// weights it had, how many it keeps, and the bytes before and after. Reported at build time (MG0302).
    /// </summary>
    public sealed record WeightCompression(string Node, string OpType, string Technique, long Weights, long Kept, long DenseBytes, long StoredBytes);

    /// <summary>The fused epilogue of a producer: an activation applied while the output is written.</summary>
    public sealed record ActivationSpec(string Kind, float Alpha = 0, float Beta = 0);

    /// <summary>
    /// A depthwise convolution (one filter per channel, 1-D or 2-D) emitted as its own method: every size a constant,
    /// taps in registers, bias and activation applied in registers. <see cref="Variant"/> says how rows are read.
    /// </summary>
    public sealed record DepthwiseConvCall(
        StepOrigin Origin, DepthwiseGeometry Geometry, ActivationSpec? Activation, DepthwiseVariant Variant,
        BufferArg X, BufferArg W, BufferArg? Bias, BufferArg Y, ScratchArg? Scratch) : Step(Origin);

    /// <summary>How a generated depthwise convolution reads its input.</summary>
    public enum DepthwiseVariant
    {
        /// <summary>Rows straight from the input: vectors in the interior, unrolled scalar edge columns.</summary>
        Direct,

        /// <summary>Each channel first copied with its zero padding (split into column phases for a stride) into scratch, then one output row at a time.</summary>
        PaddedRows,

        /// <summary>
        /// Each channel copied with its padding, split into row and column phases, so every tap of every output is at a
        /// constant offset from its flat position: the whole plane runs as one vector loop (rows and their few discarded
        /// columns together) into a staging row block, whose valid columns are then copied out. For planes whose rows are
        /// too narrow to fill vectors (7×7, 14×14, 25×5).
        /// </summary>
        Flat,
    }

    public sealed record DepthwiseGeometry(
        int Batch, int Channels, int Height, int Width, int OutHeight, int OutWidth, int KernelH, int KernelW,
        int StrideH, int StrideW, int DilationH, int DilationW, int PadTop, int PadLeft)
    {
        public int Taps => KernelH * KernelW;

        /// <summary>Rows of the padded plane (padded variant): every row a window reads.</summary>
        public int PaddedRows => System.Math.Max(Height + PadTop, (OutHeight - 1) * StrideH + (KernelH - 1) * DilationH + 1);

        /// <summary>Columns per phase row (padded variant): every input column and every column a tap of an output reads.</summary>
        public int PaddedRowLength
        {
            get
            {
                int wp = System.Math.Max(Width + PadLeft, (OutWidth - 1) * StrideW + (KernelW - 1) * DilationW + 1);
                return System.Math.Max((wp + StrideW - 1) / StrideW, OutWidth + (KernelW - 1) * DilationW / StrideW);
            }
        }

        /// <summary>Scratch floats of the padded variant: one padded, phase-split channel.</summary>
        public int PaddedScratchFloats => StrideW * PaddedRows * PaddedRowLength;

        /// <summary>Rows of each row phase (flat variant): every padded row, and every row a tap of an output reads.</summary>
        public int FlatRowsPerPhase => System.Math.Max((PaddedRows + StrideH - 1) / StrideH, OutHeight + (KernelH - 1) * DilationH / StrideH);

        /// <summary>Flat positions computed per channel (flat variant): all output rows at the phase row length, less the last row's discarded columns.</summary>
        public int FlatCount => (OutHeight - 1) * PaddedRowLength + OutWidth;

        /// <summary>Scratch floats of the flat variant: the phase planes of one channel, then its staging block.</summary>
        public int FlatScratchFloats => StrideH * StrideW * FlatRowsPerPhase * PaddedRowLength + FlatCount;
    }
}
