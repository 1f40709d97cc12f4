using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Ops;

namespace ModelGen.Passes
{
    /// <summary>Where a value lives while Predict runs.</summary>
    public enum StorageKind { Input, Output, Weight, Arena }

    public sealed class Storage
    {
        public StorageKind Kind { get; set; }
        /// <summary>Byte offset into the arena (Arena only).</summary>
        public long Offset { get; set; }
        public long Bytes { get; set; }
        /// <summary>For views: the value whose buffer this one shares.</summary>
        public Value? AliasOf { get; set; }
    }

    public sealed class MemoryPlan
    {
        public Dictionary<Value, Storage> Values { get; } = new();
        /// <summary>Per-node scratch: byte offset and size in the arena.</summary>
        public Dictionary<Node, (long Offset, long Bytes)> Scratch { get; } = new();
        public long ArenaBytes { get; set; }
        /// <summary>What the arena would need without reuse (sum of all buffers), for reports.</summary>
        public long UnplannedBytes { get; set; }
    }

    /// <summary>
    /// Liveness-based static memory planning: every intermediate gets an arena offset, buffers whose values are dead
    /// are reused (first fit), and views (Reshape, Flatten, ...) share their input's buffer.
    /// </summary>
    public static class MemoryPlanner
    {
        public const int Alignment = 64;

        public static MemoryPlan Plan(Graph graph, OpRegistry registry)
        {
            var plan = new MemoryPlan();
            foreach (var v in graph.Values.Values.Where(v => v.Constant is not null))
                plan.Values[v] = new Storage { Kind = StorageKind.Weight };
            foreach (var v in graph.Inputs)
                plan.Values[v] = new Storage { Kind = StorageKind.Input };
            foreach (var v in graph.Outputs.Where(v => !plan.Values.ContainsKey(v)))
                plan.Values[v] = new Storage { Kind = StorageKind.Output };

            // Resolve arena roots and aliases in node order.
            var root = new Dictionary<Value, Value>();
            var first = new Dictionary<Value, int>();
            var last = new Dictionary<Value, int>();
            for (int i = 0; i < graph.Nodes.Count; i++)
            {
                var node = graph.Nodes[i];
                var def = registry.Find(node);
                for (int o = 0; o < node.Outputs.Length; o++)
                {
                    var v = node.Outputs[o];
                    if (plan.Values.ContainsKey(v)) continue;
                    var src = node.Inputs.Length > 0 ? node.Inputs[0] : null;
                    if (o == 0 && def is { IsView: true } && src is not null && root.ContainsKey(src))
                    {
                        root[v] = root[src];
                        plan.Values[v] = new Storage { Kind = StorageKind.Arena, AliasOf = root[src] };
                    }
                    else
                    {
                        root[v] = v;
                        first[v] = i;
                        last[v] = i;
                        plan.Values[v] = new Storage { Kind = StorageKind.Arena, Bytes = Align((long)v.Length * DataTypes.Size(v.Type)) };
                    }
                }
                foreach (var input in node.Inputs)
                    if (input is not null && root.TryGetValue(input, out var r)) last[r] = Math.Max(last[r], i);
            }

            // Linear scan over nodes; intervals are [first, last] inclusive.
            var live = new List<(long Offset, long Bytes, int Last)>();
            long arena = 0, unplanned = 0;
            long Allocate(long bytes, int lastUse)
            {
                long offset = 0;
                foreach (var block in live.OrderBy(b => b.Offset))
                {
                    if (block.Offset - offset >= bytes) break;
                    offset = Math.Max(offset, block.Offset + block.Bytes);
                }
                live.Add((offset, bytes, lastUse));
                arena = Math.Max(arena, offset + bytes);
                unplanned += bytes;
                return offset;
            }

            for (int i = 0; i < graph.Nodes.Count; i++)
            {
                live.RemoveAll(b => b.Last < i);
                var node = graph.Nodes[i];
                foreach (var v in node.Outputs)
                {
                    if (!first.TryGetValue(v, out int f) || f != i) continue;
                    var storage = plan.Values[v];
                    if (storage.Bytes == 0) { storage.Offset = 0; continue; }
                    storage.Offset = Allocate(storage.Bytes, last[v]);
                }
                long scratch = Align(registry.Find(node)?.ScratchBytes(node) ?? 0);
                if (scratch > 0) plan.Scratch[node] = (Allocate(scratch, i), scratch);
            }
            foreach (var kv in plan.Values.Where(kv => kv.Value.AliasOf is not null).ToList())
            {
                var target = plan.Values[kv.Value.AliasOf!];
                kv.Value.Offset = target.Offset;
                kv.Value.Bytes = target.Bytes;
            }
            plan.ArenaBytes = arena;
            plan.UnplannedBytes = unplanned;
            return plan;
        }

        public static long Align(long bytes) => (bytes + Alignment - 1) / Alignment * Alignment;
    }
}
