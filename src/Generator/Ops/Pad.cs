using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Pad with modes constant, reflect, edge and wrap (opset 19). pads and value are attributes before opset 11;
    /// since then pads and constant_value are inputs (pads constant; the value may be a run-time scalar) and opset 18
    /// adds axes. Negative pads crop. The output is the (cropped) input copied into place, then the borders:
    /// filled with the value, or copied axis by axis, innermost first, from the part already written.
    /// </summary>
    public sealed class PadOp : OpDefinition
    {
        public override string OpType => "Pad";

        private sealed class PadLayout
        {
            public string Mode = "constant";
            public int[] In = null!, Out = null!, SrcStart = null!, DstStart = null!, Length = null!;
        }

        private static PadLayout Plan(Node node)
        {
            var x = node.Inputs[0]!;
            int rank = x.Rank;
            var layout = new PadLayout { Mode = node.Attributes.String("mode", "constant"), In = x.Shape! };
            Require(layout.Mode is "constant" or "reflect" or "edge" or "wrap", $"unknown mode '{layout.Mode}'");
            RequireSupported(layout.Mode != "wrap" || node.Opset >= 19, "mode 'wrap' needs opset 19");
            long[]? pads = node.Opset >= 11 ? OpInputs.ConstantLongs(node, 1, "pads") : node.Attributes.Ints(node.Opset >= 2 ? "pads" : "paddings");
            Require(pads is not null, "needs pads");
            int[] axes = node.Opset >= 18 ? OpInputs.Axes(node, 3, 18, rank) ?? Enumerable.Range(0, rank).ToArray() : Enumerable.Range(0, rank).ToArray();
            Require(pads!.Length == 2 * axes.Length, $"pads {OpInputs.Format(pads)} need {2 * axes.Length} values");
            var begin = new long[rank];
            var end = new long[rank];
            for (int i = 0; i < axes.Length; i++) { begin[axes[i]] = pads[i]; end[axes[i]] = pads[axes.Length + i]; }

            layout.Out = new int[rank];
            layout.SrcStart = new int[rank];
            layout.DstStart = new int[rank];
            layout.Length = new int[rank];
            for (int d = 0; d < rank; d++)
            {
                long n = x.Shape![d], o = n + begin[d] + end[d];
                Require(o >= 0, $"pads {OpInputs.Format(pads)} crop axis {d} of size {n} below zero");
                layout.Out[d] = checked((int)o);
                layout.SrcStart[d] = (int)Math.Min(n, Math.Max(0, -begin[d]));
                layout.DstStart[d] = (int)Math.Max(0, begin[d]);
                layout.Length[d] = (int)Math.Max(0, n - Math.Max(0, -begin[d]) - Math.Max(0, -end[d]));
                if (layout.Mode != "constant" && layout.Out[d] > layout.Length[d])
                    Require(layout.Length[d] > 0, $"mode '{layout.Mode}' cannot pad axis {d}, which has no elements to copy from");
            }
            return layout;
        }

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            var value = node.Input(2);
            if (node.Opset >= 11 && value is not null)
                Require(value.Type == x.Type && value.Length == 1, $"constant_value '{value.Name}' must be a one-element {DataTypes.OnnxName(x.Type)}");
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = Plan(node).Out;
        }

        private static MoveProgram Program(Node node)
        {
            var l = Plan(node);
            int rank = l.In.Length;
            var inStrides = Shapes.Strides(l.In);
            var outStrides = Shapes.Strides(l.Out);
            var program = new MoveProgram();
            int srcOffset = 0, dstOffset = 0;
            for (int d = 0; d < rank; d++) { srcOffset += l.SrcStart[d] * inStrides[d]; dstOffset += l.DstStart[d] * outStrides[d]; }
            if (l.Length.All(n => n > 0))
                program.Copy(0, new Region(srcOffset, dstOffset, l.Length, inStrides, outStrides));

            // Border slabs of axis d: axes before d over the copied part only, axes after d over everything.
            (int[] Shape, int Offset) Slab(int d, int from, int count)
            {
                var shape = new int[rank];
                int offset = 0;
                for (int k = 0; k < rank; k++)
                {
                    if (k < d) { shape[k] = l.Length[k]; offset += l.DstStart[k] * outStrides[k]; }
                    else if (k == d) { shape[k] = count; offset += from * outStrides[k]; }
                    else shape[k] = l.Out[k];
                }
                return (shape, offset);
            }

            if (l.Mode == "constant")
            {
                Tensor? constant = null;
                int valueInput = -1;
                if (node.Opset < 11) constant = Tensor.FromDoubles(node.Inputs[0]!.Type, new int[0], new double[] { node.Attributes.Float("value", 0f) });
                else if (node.Input(2) is { } v) { constant = v.Constant; valueInput = v.Constant is null ? 2 : -1; }
                constant ??= valueInput < 0 ? Tensor.FromDoubles(node.Inputs[0]!.Type, new int[0], new[] { 0.0 }) : null;
                for (int d = 0; d < rank; d++)
                {
                    var before = Slab(d, 0, l.DstStart[d]);
                    program.Fill(new Region(0, before.Offset, before.Shape, new int[rank], outStrides), constant, valueInput);
                    int after = l.DstStart[d] + l.Length[d];
                    var rest = Slab(d, after, l.Out[d] - after);
                    program.Fill(new Region(0, rest.Offset, rest.Shape, new int[rank], outStrides), constant, valueInput);
                }
                return program;
            }

            for (int d = rank - 1; d >= 0; d--)
            {
                int s = l.DstStart[d], n = l.Length[d];
                var positions = Enumerable.Range(0, s).Concat(Enumerable.Range(s + n, l.Out[d] - s - n)).ToList();
                foreach (var (first, source, count, delta) in Runs(positions, p => s + Source(l.Mode, p - s, n)))
                {
                    var dst = Slab(d, first, count);
                    var srcShape = Slab(d, source, count);
                    var srcStrides = (int[])outStrides.Clone();
                    srcStrides[d] = delta * outStrides[d];
                    program.Copy(CopyStep.Self, new Region(srcShape.Offset, dst.Offset, dst.Shape, srcStrides, outStrides));
                }
            }
            return program;
        }

        /// <summary>Where border position t (relative to the copied part's start; outside [0, n)) reads from.</summary>
        private static int Source(string mode, int t, int n)
        {
            switch (mode)
            {
                case "edge": return Math.Max(0, Math.Min(n - 1, t));
                case "wrap": return ((t % n) + n) % n;
                default:
                    if (n == 1) return 0;
                    int period = 2 * (n - 1), u = ((t % period) + period) % period;
                    return u >= n ? period - u : u;
            }
        }

        /// <summary>Groups consecutive positions whose sources step by a constant -1, 0 or +1 into runs.</summary>
        private static IEnumerable<(int First, int Source, int Count, int Delta)> Runs(List<int> positions, Func<int, int> source)
        {
            int i = 0;
            while (i < positions.Count)
            {
                int first = positions[i], src = source(first), count = 1, delta = 0;
                if (i + 1 < positions.Count && positions[i + 1] == first + 1)
                {
                    delta = source(first + 1) - src;
                    if (Math.Abs(delta) > 1) delta = 0;
                    else count = 2;
                }
                while (count >= 2 && i + count < positions.Count && positions[i + count] == first + count && source(first + count) == src + count * delta) count++;
                yield return (first, src, count, delta);
                i += count;
            }
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = Program(node).Fold(node, 0);
            return true;
        }

        /// <summary>A pad of outer axes only (e.g. channel padding) holds its input as one run: its producer can write it in place.</summary>
        public override IEnumerable<(int Input, int Start)> InPlaceInputs(Node node) => Program(node).WholeInputs(node).Where(i => i.Input == 0).ToList();

        public override void Lower(LoweringContext ctx) => Program(ctx.Node).Lower(ctx, 0);
    }
}
