using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx;
using ModelGen.Onnx.Proto;

namespace ModelGen.Ops
{
    /// <summary>
    /// Loop, unrolled at build time: inputs (M trip count, cond, v_initial…), body inputs (iteration, cond, v…), body
    /// outputs (cond, v…, scan outputs…). The trip count and the condition must be known at build time, after each
    /// iteration too (a condition the body computes from the iteration number or a constant folds). Each iteration is
    /// one copy of the body; the node left after it (<see cref="LoopIterationOp"/>) decides, once shape inference has
    /// folded that copy, whether another follows. The scan outputs are the per-iteration values stacked on a new axis 0.
    /// </summary>
    public sealed class LoopOp : ControlFlowOp
    {
        public override string OpType => "Loop";

        public override List<Node> Inline(Graph graph, Node node)
        {
            Require(node.Inputs.Length >= 2, "needs the inputs M and cond (either may be empty)");
            var tripCount = node.Inputs[0];
            var condition = node.Inputs[1];
            RequireSupported(tripCount is null || tripCount.Constant is not null,
                $"input '{tripCount?.Name}' must be known at build time: ModelGen unrolls a Loop, so its trip count must be fixed");
            RequireSupported(condition is null || condition.Constant is not null,
                $"input '{condition?.Name}' must be known at build time: ModelGen unrolls a Loop, so whether it runs must be known");
            return LoopIterationOp.Next(graph, node, 0, node.Inputs.Skip(2).Select(v => v!).ToList(), condition, new List<Value>[0]);
        }
    }

    /// <summary>
    /// The rest of an unrolled Loop after some iterations: inputs (M, cond after the last iteration, v…, then the scan
    /// pieces of every iteration so far, output by output), attribute <c>iteration</c> (how many ran). Internal: only
    /// <see cref="LoopOp"/> writes it.
    /// </summary>
    public sealed class LoopIterationOp : ControlFlowOp
    {
        public override string OpType => "LoopIteration";

        public override string Domain => InternalDomain;

        public override List<Node> Inline(Graph graph, Node node)
        {
            int iteration = (int)node.Attributes.Int("iteration", 0);
            var body = node.Attributes.Raw("body")!.G;
            int carried = body.Input.Count - 2, scans = body.Output.Count - 1 - carried;
            var condition = node.Inputs[1];
            var values = node.Inputs.Skip(2).Take(carried).Select(v => v!).ToList();
            var pieces = Enumerable.Range(0, scans).Select(k => node.Inputs.Skip(2 + carried + k * iteration).Take(iteration).Select(v => v!).ToList()).ToArray();
            return Next(graph, node, iteration, values, condition, pieces);
        }

        /// <summary>
        /// The nodes after <paramref name="iteration"/> iterations: the final outputs when the loop is over, otherwise one
        /// more copy of the body and the node that continues after it.
        /// </summary>
        internal static List<Node> Next(Graph graph, Node node, int iteration, List<Value> values, Value? condition, IReadOnlyList<List<Value>> pieces)
        {
            var bodyProto = node.Attributes.Raw("body")?.G;
            Require(bodyProto is not null, "needs the body attribute");
            int carried = bodyProto!.Input.Count - 2, scans = bodyProto.Output.Count - 1 - carried;
            Require(carried >= 0 && scans >= 0 && carried == values.Count, $"its body has {bodyProto.Input.Count} inputs and {bodyProto.Output.Count} outputs for {values.Count} loop-carried values");
            Require(node.Outputs.Length == carried + scans, $"has {node.Outputs.Length} outputs; its body gives {carried} loop-carried values and {scans} scan outputs");
            if (pieces.Count == 0) pieces = Enumerable.Range(0, scans).Select(_ => new List<Value>()).ToArray();

            var tripCount = node.Inputs[0];
            long? trips = tripCount?.Constant?.GetLong(0);
            if (condition is not null && condition.Constant is null)
                throw new UnsupportedException(
                    $"decides after iteration {iteration} whether to go on from '{condition.Name}', which is computed at run time; ModelGen unrolls loops whose trip count and condition are known at build time");
            bool going = (condition?.Constant?.GetLong(0) ?? 1) != 0 && (trips is null || iteration < trips);

            if (!going)
            {
                var result = new List<Node>();
                for (int k = 0; k < carried; k++) result.Add(Copy(graph, node, values[k], node.Outputs[k], $"final{k}"));
                for (int k = 0; k < scans; k++)
                {
                    RequireSupported(iteration > 0, $"runs no iteration, so its scan output '{node.Outputs[carried + k].Name}' is empty with a shape its body never computes");
                    result.Add(Stack(node, pieces[k], 0, node.Outputs[carried + k]));
                }
                return result;
            }

            RequireSupported(iteration < MaxIterations,
                trips is null
                    ? $"has no trip count and its condition stays true for {MaxIterations} iterations; ModelGen unrolls loops of at most {MaxIterations}"
                    : $"runs {trips} iterations; ModelGen unrolls loops of at most {MaxIterations}");
            string prefix = $"{node.Name}/{iteration}/";
            var arguments = new List<Value>
            {
                ScalarConstant(graph, prefix + "iteration", DataType.Int64, iteration),
                condition ?? ScalarConstant(graph, prefix + "cond", DataType.Bool, 1),
            };
            arguments.AddRange(values);
            var copy = SubgraphImporter.Inline(graph, node, "body", prefix, arguments, null, node.Guard);

            var next = new List<Value?> { tripCount, copy.Outputs[0] };
            next.AddRange(copy.Outputs.Skip(1).Take(carried));
            for (int k = 0; k < scans; k++) next.AddRange(pieces[k].Append(copy.Outputs[1 + carried + k]));
            var attributes = new Attributes(new[] { node.Attributes.Raw("body")!, IntAttribute("iteration", iteration + 1) });
            var rest = new Node(node.Name, "LoopIteration", InternalDomain, 1, next.ToArray(), node.Outputs, attributes) { Guard = node.Guard, Scope = node.Scope };
            return copy.Nodes.Append(rest).ToList();
        }
    }
}
