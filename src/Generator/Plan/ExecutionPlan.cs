using System;
using System.Linq;
using ModelGen.Common;
using ModelGen.Ir;

namespace ModelGen.Plan
{
    /// <summary>Where a buffer lives while Predict runs.</summary>
    /// <remarks><see cref="Local"/>: a few ints on Predict's stack, alive for the whole call (run-time row counts).</remarks>
    public enum BufferKind { Input, Output, Arena, Weight, Local }

    /// <summary>
    /// A tensor of the program. Arena buffers have a byte <see cref="Offset"/> in the arena; a buffer with
    /// <see cref="AliasOf"/> ≥ 0 shares another buffer's storage from element <see cref="AliasStart"/> on (views, outer-axis
    /// slices, and the producers of a Concat that write straight into its output).
    /// </summary>
    public sealed record PlanBuffer(int Id, string Name, DataType Type, EquatableArray<int> Shape, BufferKind Kind)
    {
        public int Port { get; init; } = -1;
        public long Offset { get; init; }
        public int AliasOf { get; init; } = -1;
        public int AliasStart { get; init; }
        public int Weight { get; init; } = -1;

        public int Length => Shape.Aggregate(1, (a, b) => a * b);
        public long Bytes => (long)Length * DataTypes.Size(Type);
    }

    /// <summary>
    /// Build-time data the program reads: initializers, and tensors the compiler derived (packed, folded, transposed).
    /// Equality is by content hash, so comparing plans never compares megabytes of weights.
    /// </summary>
    public sealed record WeightData(int Id, string Name, DataType Type, EquatableArray<int> Shape, string Hash)
    {
        public Tensor Tensor { get; init; } = null!;

        public int Length => Shape.Aggregate(1, (a, b) => a * b);

        public bool Equals(WeightData? other) =>
            other is not null && Id == other.Id && Name == other.Name && Type == other.Type && Shape.Equals(other.Shape) && Hash == other.Hash;

        public override int GetHashCode() => (Id, Name, Type, Hash).GetHashCode();
    }

    /// <summary>A model input or output: its ONNX name and the buffer that holds it.</summary>
    /// <remarks>
    /// <see cref="Count"/>: for an output whose length along <see cref="CountAxis"/> is known only at run time, the
    /// <see cref="BufferKind.Local"/> buffer holding that length (Value.RowCount); -1 otherwise.
    /// </remarks>
    public sealed record PlanPort(string OnnxName, int Buffer, bool IsOutput)
    {
        public int Count { get; init; } = -1;
        public int CountAxis { get; init; }
    }

    /// <summary>
    /// The program one model compiles to: ports, buffers with their arena offsets, weights and the steps in order.
    /// Ops lower nodes into it, the planner places buffers, and only the emitter turns it into C#; the CLI reads it too.
    /// </summary>
    public sealed record ExecutionPlan(
        EquatableArray<PlanPort> Inputs,
        EquatableArray<PlanPort> Outputs,
        EquatableArray<PlanBuffer> Buffers,
        EquatableArray<WeightData> Weights,
        EquatableArray<Step> Steps,
        long ArenaBytes,
        long UnplannedBytes)
    {
        /// <summary>Arena blocks (buffers, scratch) start on 64-byte boundaries: a cache line, and a full Vector512.</summary>
        public const int Alignment = 64;

        /// <summary>The layers whose weights are stored and computed compressed (sparse rows, ...), in step order.</summary>
        public EquatableArray<WeightCompression> Compression { get; init; } = new(System.Array.Empty<WeightCompression>());

        public static long Align(long bytes) => (bytes + Alignment - 1) / Alignment * Alignment;

        public PlanBuffer Buffer(int id) => Buffers[id];

        /// <summary>The buffer that owns the storage of <paramref name="id"/>, and the element offset into it.</summary>
        public (PlanBuffer Root, int Start) Root(int id)
        {
            var b = Buffers[id];
            int start = 0;
            while (b.AliasOf >= 0)
            {
                start += b.AliasStart;
                b = Buffers[b.AliasOf];
            }
            return (b, start);
        }

        /// <summary>Step groups in order (one per lowered node or fused chain), for reports and the profiler.</summary>
        public int GroupCount => Steps.Count == 0 ? 0 : Steps.Max(s => s.Origin.Group) + 1;
    }
}
