using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;

namespace ModelGen.Planning
{
    /// <summary>
    /// Static memory planning on the plan's steps: every arena buffer lives from the first to the last step group that
    /// touches it (or any buffer placed inside it), each group's scratch lives for that group only, and blocks are
    /// placed first fit, so dead buffers are reused.
    /// </summary>
    public static class MemoryPlanner
    {
        public static long Align(long bytes) => ExecutionPlan.Align(bytes);

        internal static ExecutionPlan Place(PlanBuilder builder)
        {
            var buffers = builder.Buffers;

            // Live interval of every arena root, in step groups.
            var first = new Dictionary<int, int>();
            var last = new Dictionary<int, int>();
            foreach (var step in builder.Steps)
            {
                foreach (int b in PlanWalker.Buffers(step))
                {
                    int r = builder.Root(b).Root;
                    if (buffers[r].Kind != BufferKind.Arena) continue;
                    int g = step.Origin.Group;
                    first[r] = first.TryGetValue(r, out int f) ? Math.Min(f, g) : g;
                    last[r] = last.TryGetValue(r, out int l) ? Math.Max(l, g) : g;
                }
            }

            int groups = builder.Steps.Count == 0 ? 0 : builder.Steps.Max(s => s.Origin.Group) + 1;
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

            var startsAt = first.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => g.Select(kv => kv.Key).OrderBy(id => id).ToList());
            var scratchOffsets = new Dictionary<int, long>();
            for (int g = 0; g < groups; g++)
            {
                live.RemoveAll(b => b.Last < g);
                if (startsAt.TryGetValue(g, out var starting))
                    foreach (int r in starting)
                    {
                        long bytes = Align((long)buffers[r].Length * Ir.DataTypes.Size(buffers[r].Type));
                        buffers[r].Offset = bytes == 0 ? 0 : Allocate(bytes, last[r]);
                    }
                if (builder.GroupScratch.TryGetValue(g, out long scratch) && scratch > 0)
                    scratchOffsets[g] = Allocate(scratch, g);
            }
            return builder.Build(scratchOffsets, arena, unplanned);
        }
    }
}
