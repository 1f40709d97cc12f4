using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ModelGen.Common;
using ModelGen.Diagnostics;
using ModelGen.Ir;
using ModelGen.Ops;
using ModelGen.Plan;

namespace ModelGen.Planning
{
    /// <summary>
    /// Turns the optimized graph into an <see cref="ExecutionPlan"/>: decides which values share storage (views,
    /// outer-axis slices, Concat inputs written in place), lets each op lower its node into steps, then places every
    /// buffer in the arena.
    /// </summary>
    public static class Planner
    {
        public static ExecutionPlan? Build(Graph graph, OpRegistry registry, string modelFile, List<ModelDiagnostic> diagnostics, CancellationToken ct = default)
        {
            var builder = new PlanBuilder();
            foreach (var v in graph.Inputs) builder.AddInput(v);
            foreach (var v in graph.Outputs) builder.AddOutput(v);
            SharedStorage.Decide(graph, registry, builder);

            int group = 0;
            bool failed = false;
            foreach (var node in graph.Nodes)
            {
                ct.ThrowIfCancellationRequested();
                var def = registry.Find(node)!;
                var ctx = builder.Begin(node, Origin(node, group++), MemoryPlanner.Align(def.ScratchBytes(node)));
                try
                {
                    def.Lower(ctx);
                }
                catch (UnsupportedException e)
                {
                    // Some limits only show when code is chosen (e.g. an integer Add that could not be folded).
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.UnsupportedAttribute, modelFile, node.Name, node.OpType, e.Message));
                    failed = true;
                }
                catch (IrException e)
                {
                    diagnostics.Add(ModelDiagnostic.Create(DiagnosticDescriptors.InvalidGraph, modelFile, node.Name, node.OpType, e.Message));
                    failed = true;
                }
            }
            if (failed) return null;

            // Outputs that no step wrote: graph inputs, constants, or a value listed twice.
            var outputsOrigin = new StepOrigin(group, EquatableArray<string>.Empty, EquatableArray<string>.Empty, "graph outputs that are inputs, constants or repeated");
            for (int i = 0; i < graph.Outputs.Count; i++)
            {
                int port = builder.Outputs[i].Buffer;
                int source = builder.BufferOf(graph.Outputs[i]);
                if (source != port) builder.AddStep(new CopyCall(outputsOrigin, new BufferArg(source), new BufferArg(port)));
            }
            return MemoryPlanner.Place(builder);
        }

        private static StepOrigin Origin(Node node, int group)
        {
            var names = new List<string> { node.Name };
            var ops = new List<string> { node.OpType };
            foreach (var f in node.Fused) { names.Add(f.Name); ops.Add(f.OpType); }
            string ins = string.Join(", ", node.Inputs.Where(i => i is not null).Select(i => Shapes.Format(i!.Shape!)));
            string outs = string.Join(", ", node.Outputs.Select(o => Shapes.Format(o.Shape!)));
            string fused = string.Concat(node.Fused.Select(f => " + " + f.OpType));
            string text = $"{node.OpType}{fused} '{node.Name}': {ins} -> {outs}".Replace("\r", " ").Replace("\n", " ");
            return new StepOrigin(group, new EquatableArray<string>(names), new EquatableArray<string>(ops), text);
        }
    }

    /// <summary>Which values share storage with another, decided before lowering so producers write in the right place.</summary>
    internal static class SharedStorage
    {
        public static void Decide(Graph graph, OpRegistry registry, PlanBuilder builder)
        {
            // Concat inputs first: their producers then write straight into the Concat's output.
            foreach (var node in graph.Nodes)
            {
                var def = registry.Find(node)!;
                var output = node.Outputs[0];
                if (output.Constant is not null) continue;
                var slices = def.InPlaceInputs(node).ToList();
                foreach (var (input, start) in slices)
                {
                    var v = node.Inputs[input];
                    if (v is null || !builder.IsUnplaced(v) || !CanMove(v, registry) || node.Inputs.Count(i => i == v) != 1) continue;
                    builder.Alias(v, output, start);
                }
            }

            // Views: outputs that are their input, or a contiguous part of it.
            foreach (var node in graph.Nodes)
            {
                var def = registry.Find(node)!;
                for (int o = 0; o < node.Outputs.Length; o++)
                {
                    var v = node.Outputs[o];
                    if (v.Constant is not null || !builder.IsUnplaced(v) || v.IsGraphOutput) continue;
                    if (def.ViewOf(node, o) is not { } view) continue;
                    var source = node.Inputs[view.Input];
                    if (source is null || source.Constant is not null || source.Type != v.Type) continue;
                    builder.Alias(v, source, view.Start);
                }
            }
        }

        /// <summary>A value may be placed inside another buffer when nothing else decided where it lives.</summary>
        private static bool CanMove(Value v, OpRegistry registry) =>
            v.Producer is not null && v.Constant is null && !v.IsGraphInput && !v.IsGraphOutput
            && registry.Find(v.Producer)?.ViewOf(v.Producer, Array.IndexOf(v.Producer.Outputs, v)) is null;
    }
}
