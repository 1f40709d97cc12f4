using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Common;
using ModelGen.Ir;

namespace ModelGen.Plan
{
    /// <summary>
    /// Collects the plan while nodes are lowered: one buffer per value (created on first use), weights, steps and each
    /// group's scratch. Buffer placement (arena offsets) is decided afterwards from the steps, by the memory planner.
    /// </summary>
    public sealed class PlanBuilder
    {
        internal sealed class Entry
        {
            public int Id;
            public string Name = "";
            public DataType Type;
            public int[] Shape = Array.Empty<int>();
            public BufferKind Kind;
            public int Port = -1;
            public int AliasOf = -1;
            public int AliasStart;
            public int Weight = -1;
            public long Offset;
            public int Length => Shapes.Size(Shape);
        }

        private readonly List<Entry> _buffers = new();
        private readonly Dictionary<Value, int> _byValue = new();
        private readonly Dictionary<Value, (Value Target, int Start)> _pendingAliases = new();
        private readonly Dictionary<Tensor, int> _weightBuffers = new(TensorReferenceComparer.Instance);
        private readonly List<WeightData> _weights = new();
        private readonly List<Step> _steps = new();
        private readonly Dictionary<int, long> _groupScratch = new();
        private readonly List<PlanPort> _inputs = new(), _outputs = new();
        private readonly HashSet<string> _weightNames = new(StringComparer.Ordinal);
        private readonly List<WeightCompression> _compression = new();

        internal IReadOnlyList<Entry> Buffers => _buffers;
        internal IReadOnlyList<Step> Steps => _steps;
        internal IReadOnlyDictionary<int, long> GroupScratch => _groupScratch;

        /// <summary>Scratch bytes of the node being lowered.</summary>
        public long ScratchBytes { get; private set; }

        public void AddInput(Value v) => _inputs.Add(new PlanPort(v.Name, Port(v, BufferKind.Input, _inputs.Count), false));

        /// <summary>
        /// A graph output's port buffer. A value that already has storage (a graph input, a constant, a value listed
        /// twice) gets a separate port buffer that the planner fills with a copy at the end.
        /// </summary>
        public void AddOutput(Value v)
        {
            int id = _byValue.ContainsKey(v) || v.Constant is not null
                ? NewBuffer(v.Name, v.Type, v.Shape!, BufferKind.Output, port: _outputs.Count)
                : Port(v, BufferKind.Output, _outputs.Count);
            _outputs.Add(new PlanPort(v.Name, id, true) { Count = v.RowCount is null ? -1 : CountBufferOf(v.RowCount), CountAxis = v.RowCountAxis });
        }

        private int Port(Value v, BufferKind kind, int index)
        {
            int id = NewBuffer(v.Name, v.Type, v.Shape!, kind, port: index);
            _byValue[v] = id;
            return id;
        }

        /// <summary>The output buffer of a port, for the copies of outputs that no step wrote.</summary>
        public IReadOnlyList<PlanPort> Outputs => _outputs;

        /// <summary>Makes <paramref name="value"/> share <paramref name="target"/>'s storage from element <paramref name="start"/> on, once both are created.</summary>
        public void Alias(Value value, Value target, int start) => _pendingAliases[value] = (target, start);

        /// <summary>True when <paramref name="value"/> has no buffer yet and may still be aliased.</summary>
        public bool IsUnplaced(Value value) => !_byValue.ContainsKey(value) && !_pendingAliases.ContainsKey(value);

        public int BufferOf(Value v)
        {
            if (_byValue.TryGetValue(v, out var id)) return id;
            if (v.Constant is not null)
            {
                id = AddWeight(v.Constant, v.Name);
            }
            else if (_pendingAliases.TryGetValue(v, out var alias))
            {
                int target = BufferOf(alias.Target);
                id = NewBuffer(v.Name, v.Type, v.Shape!, _buffers[target].Kind == BufferKind.Weight ? BufferKind.Weight : BufferKind.Arena);
                _buffers[id].AliasOf = target;
                _buffers[id].AliasStart = alias.Start;
            }
            else
            {
                id = NewBuffer(v.Name, v.Type, v.Shape!, BufferKind.Arena);
            }
            _byValue[v] = id;
            return id;
        }

        /// <summary>The stack-local buffer of a run-time row count (<see cref="Value.RowCount"/>).</summary>
        public int CountBufferOf(Value count)
        {
            if (_byValue.TryGetValue(count, out var id)) return id;
            id = NewBuffer(count.Name, DataType.Int32, new[] { 1 }, BufferKind.Local);
            _byValue[count] = id;
            return id;
        }

        public int AddWeight(Tensor tensor, string nameHint)
        {
            if (_weightBuffers.TryGetValue(tensor, out var existing)) return existing;
            string name = nameHint;
            for (int i = 2; !_weightNames.Add(name); i++) name = nameHint + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var data = new WeightData(_weights.Count, name, tensor.Type, new EquatableArray<int>(tensor.Shape), TensorHash.Of(tensor)) { Tensor = tensor };
            _weights.Add(data);
            int id = NewBuffer(name, tensor.Type, tensor.Shape, BufferKind.Weight);
            _buffers[id].Weight = data.Id;
            _weightBuffers[tensor] = id;
            return id;
        }

        private int NewBuffer(string name, DataType type, int[] shape, BufferKind kind, int port = -1)
        {
            var e = new Entry { Id = _buffers.Count, Name = name, Type = type, Shape = shape, Kind = kind, Port = port };
            _buffers.Add(e);
            return e.Id;
        }

        public int Length(int buffer) => _buffers[buffer].Length;

        /// <summary>The buffer that owns <paramref name="id"/>'s storage, and the element where <paramref name="id"/> starts in it.</summary>
        internal (int Root, int Start) Root(int id)
        {
            int start = 0;
            while (_buffers[id].AliasOf >= 0) { start += _buffers[id].AliasStart; id = _buffers[id].AliasOf; }
            return (id, start);
        }

        public bool SameMemory(int a, int aStart, int b, int bStart)
        {
            var (ra, sa) = Root(a);
            var (rb, sb) = Root(b);
            return ra == rb && sa + aStart == sb + bStart;
        }

        /// <summary>Starts lowering one node (one step group).</summary>
        public LoweringContext Begin(Node node, StepOrigin origin, long scratchBytes)
        {
            ScratchBytes = scratchBytes;
            if (scratchBytes > 0) _groupScratch[origin.Group] = scratchBytes;
            return new LoweringContext(this, node, origin);
        }

        internal void AddStep(Step step) => _steps.Add(step);

        internal void AddCompression(WeightCompression compression) => _compression.Add(compression);

        /// <summary>The finished plan, with the placement the memory planner chose.</summary>
        internal ExecutionPlan Build(IReadOnlyDictionary<int, long> groupScratchOffsets, long arenaBytes, long unplannedBytes)
        {
            var buffers = _buffers.Select(e => new PlanBuffer(e.Id, e.Name, e.Type, new EquatableArray<int>(e.Shape), e.Kind)
            {
                Port = e.Port,
                Offset = e.Offset,
                AliasOf = e.AliasOf,
                AliasStart = e.AliasStart,
                Weight = e.Weight,
            });
            var steps = _steps.Select(s => groupScratchOffsets.TryGetValue(s.Origin.Group, out var offset) ? s with { ScratchOffset = offset } : s);
            return new ExecutionPlan(new EquatableArray<PlanPort>(_inputs), new EquatableArray<PlanPort>(_outputs),
                new EquatableArray<PlanBuffer>(buffers), new EquatableArray<WeightData>(_weights), new EquatableArray<Step>(steps),
                arenaBytes, unplannedBytes)
            {
                Compression = new EquatableArray<WeightCompression>(_compression),
            };
        }

        private sealed class TensorReferenceComparer : IEqualityComparer<Tensor>
        {
            public static readonly TensorReferenceComparer Instance = new();
            public bool Equals(Tensor? x, Tensor? y) => ReferenceEquals(x, y);
            public int GetHashCode(Tensor obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
        }
    }
}
