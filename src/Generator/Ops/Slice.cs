using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Slice with starts, ends and axes as attributes (before opset 10) or constant inputs with optional steps
    /// (since): negative indices count from the end, out-of-range ones (INT64_MAX, INT64_MIN) clamp, negative steps
    /// walk backwards. The result is one strided copy from the input.
    /// </summary>
    public sealed class SliceOp : OpDefinition
    {
        public override string OpType => "Slice";

        /// <summary>Per input axis: first element, step, count.</summary>
        private static (long Start, long Step, int Count)[] Plan(Node node)
        {
            var x = node.Inputs[0]!;
            int rank = x.Rank;
            long[]? starts, ends, axesRaw, steps = null;
            if (node.Opset >= 10)
            {
                starts = OpInputs.ConstantLongs(node, 1, "starts");
                ends = OpInputs.ConstantLongs(node, 2, "ends");
                axesRaw = OpInputs.ConstantLongs(node, 3, "axes");
                steps = OpInputs.ConstantLongs(node, 4, "steps");
            }
            else
            {
                starts = node.Attributes.Ints("starts");
                ends = node.Attributes.Ints("ends");
                axesRaw = node.Attributes.Ints("axes");
            }
            Require(starts is not null && ends is not null, "needs starts and ends");
            Require(starts!.Length == ends!.Length, $"starts {OpInputs.Format(starts)} and ends {OpInputs.Format(ends)} differ in length");
            axesRaw ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps ??= Enumerable.Repeat(1L, starts.Length).ToArray();
            Require(axesRaw.Length == starts.Length && steps.Length == starts.Length, "starts, ends, axes and steps differ in length");

            var plan = Enumerable.Range(0, rank).Select(d => (Start: 0L, Step: 1L, Count: x.Shape![d])).ToArray();
            var seen = new bool[rank];
            for (int i = 0; i < starts.Length; i++)
            {
                int axis = Shapes.NormalizeAxis(axesRaw[i], rank);
                Require(!seen[axis], $"axes {OpInputs.Format(axesRaw)} repeat axis {axis}");
                seen[axis] = true;
                long dim = x.Shape![axis], step = steps[i];
                Require(step != 0, "a step is 0");
                long start = starts[i], end = ends[i];
                if (start < 0) start += dim;
                if (end < 0) end += dim;
                if (step > 0)
                {
                    start = Math.Max(0, Math.Min(dim, start));
                    end = Math.Max(0, Math.Min(dim, end));
                }
                else
                {
                    start = Math.Max(0, Math.Min(dim - 1, start));
                    end = Math.Max(-1, Math.Min(dim - 1, end));
                }
                long span = step > 0 ? end - start : start - end, stride = Math.Abs(step);
                long count = span <= 0 ? 0 : (span + stride - 1) / stride;
                plan[axis] = (start, step, (int)count);
            }
            return plan;
        }

        public override void InferShapes(Node node)
        {
            var plan = Plan(node);
            node.Outputs[0].Type = node.Inputs[0]!.Type;
            node.Outputs[0].Shape = plan.Select(p => p.Count).ToArray();
        }

        private static MoveProgram Program(Node node)
        {
            var plan = Plan(node);
            var strides = Shapes.Strides(node.Inputs[0]!.Shape!);
            var shape = node.Outputs[0].Shape!;
            long offset = 0;
            for (int d = 0; d < plan.Length; d++) offset += plan[d].Start * strides[d];
            var srcStrides = plan.Select((p, d) => p.Count <= 1 ? 0 : checked((int)(p.Step * strides[d]))).ToArray();
            return new MoveProgram().Copy(0, new Region(shape.Contains(0) ? 0 : (int)offset, 0, shape, srcStrides, Shapes.Strides(shape)));
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = Program(node).Fold(node, 0);
            return true;
        }

        public override (int Input, int Start)? ViewOf(Node node, int output) => output == 0 ? Program(node).AsView(node.Outputs[0].Length) : null;

        public override void Lower(LoweringContext ctx) => Program(ctx.Node).Lower(ctx, 0);
    }
}
