using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// A box of elements moved with strides: for every index i of <see cref="Shape"/>,
    /// dst[DstOffset + Σ i·DstStrides] = src[SrcOffset + Σ i·SrcStrides]. Strides may be 0 (broadcast) or negative (reversed).
    /// </summary>
    internal sealed class Region
    {
        public Region(int srcOffset, int dstOffset, int[] shape, int[] srcStrides, int[] dstStrides)
        {
            SrcOffset = srcOffset;
            DstOffset = dstOffset;
            Shape = shape;
            SrcStrides = srcStrides;
            DstStrides = dstStrides;
        }

        public int SrcOffset { get; }
        public int DstOffset { get; }
        public int[] Shape { get; }
        public int[] SrcStrides { get; }
        public int[] DstStrides { get; }
        public int Count => Shapes.Size(Shape);

        /// <summary>Drops unit axes and merges neighbours that are contiguous in both source and destination.</summary>
        public Region Simplify()
        {
            if (Count == 0) return this;
            var dims = new List<(int N, int S, int D)>();
            for (int k = 0; k < Shape.Length; k++)
                if (Shape[k] != 1) dims.Add((Shape[k], SrcStrides[k], DstStrides[k]));
            var merged = new List<(int N, int S, int D)>();
            if (dims.Count > 0)
            {
                var cur = dims[dims.Count - 1];
                for (int k = dims.Count - 2; k >= 0; k--)
                {
                    var outer = dims[k];
                    if (outer.S == cur.S * cur.N && outer.D == cur.D * cur.N) cur = (outer.N * cur.N, cur.S, cur.D);
                    else { merged.Insert(0, cur); cur = outer; }
                }
                merged.Insert(0, cur);
            }
            return new Region(SrcOffset, DstOffset, merged.Select(d => d.N).ToArray(), merged.Select(d => d.S).ToArray(), merged.Select(d => d.D).ToArray());
        }

        /// <summary>Source and destination element offsets of every element, in iteration order.</summary>
        public IEnumerable<(int Src, int Dst)> Elements()
        {
            int n = Count, rank = Shape.Length;
            var index = new int[rank];
            int s = SrcOffset, d = DstOffset;
            for (int e = 0; e < n; e++)
            {
                yield return (s, d);
                for (int k = rank - 1; k >= 0; k--)
                {
                    index[k]++; s += SrcStrides[k]; d += DstStrides[k];
                    if (index[k] < Shape[k]) break;
                    s -= SrcStrides[k] * Shape[k]; d -= DstStrides[k] * Shape[k];
                    index[k] = 0;
                }
            }
        }

        /// <summary>The region over a whole tensor of <paramref name="shape"/> (both sides contiguous).</summary>
        public static Region Whole(int[] shape)
        {
            var strides = Shapes.Strides(shape);
            return new Region(0, 0, shape, strides, strides);
        }
    }

    /// <summary>One step of a <see cref="MoveProgram"/>.</summary>
    internal abstract class MoveStep
    {
        protected MoveStep(Region region) => Region = region;
        public Region Region { get; }
    }

    /// <summary>Copies a region from input <see cref="Source"/> (or, with <see cref="Self"/>, from the output itself).</summary>
    internal sealed class CopyStep : MoveStep
    {
        public const int Self = -1;
        public CopyStep(int source, Region region) : base(region) => Source = source;
        public int Source { get; }
    }

    /// <summary>Fills a region (destination side only) with a scalar: a build-time constant or element 0 of an input.</summary>
    internal sealed class FillStep : MoveStep
    {
        public FillStep(Region region, Tensor? constant, int valueInput = -1) : base(region)
        {
            Constant = constant;
            ValueInput = valueInput;
        }

        public Tensor? Constant { get; }
        public int ValueInput { get; }
    }

    /// <summary>
    /// How one output of a data-movement op (Concat, Split, Slice, Pad, Expand, ...) is assembled from its inputs,
    /// computed at build time. The same program folds constants and emits code, so both paths agree.
    /// </summary>
    internal sealed class MoveProgram
    {
        public List<MoveStep> Steps { get; } = new();

        public MoveProgram Copy(int source, Region region)
        {
            if (region.Count > 0) Steps.Add(new CopyStep(source, region.Simplify()));
            return this;
        }

        public MoveProgram Fill(Region region, Tensor? constant, int valueInput = -1)
        {
            if (region.Count > 0) Steps.Add(new FillStep(region.Simplify(), constant, valueInput));
            return this;
        }

        /// <summary>Runs the program on constant inputs.</summary>
        public Tensor Fold(Node node, int output)
        {
            var o = node.Outputs[output];
            var inputs = node.Inputs.Select(i => i?.Constant).ToArray();
            switch (Tensor.Family(o.Type))
            {
                case 'f':
                {
                    var dst = new float[o.Length];
                    Run(dst, inputs.Select(t => t?.AsFloats()).ToArray(), t => t.AsFloats()[0]);
                    return new Tensor(o.Type, o.Shape!, floats: dst);
                }
                case 'd':
                {
                    var dst = new double[o.Length];
                    Run(dst, inputs.Select(t => t is null ? null : t.Doubles ?? Enumerable.Range(0, t.Length).Select(t.GetDouble).ToArray()).ToArray(), t => t.GetDouble(0));
                    return new Tensor(o.Type, o.Shape!, doubles: dst);
                }
                default:
                {
                    var dst = new long[o.Length];
                    Run(dst, inputs.Select(t => t?.AsLongs()).ToArray(), t => t.GetLong(0));
                    return new Tensor(o.Type, o.Shape!, longs: dst);
                }
            }

            void Run<T>(T[] dst, T[]?[] sources, Func<Tensor, T> scalar)
            {
                foreach (var step in Steps)
                {
                    if (step is FillStep fill)
                    {
                        T value = scalar(fill.Constant ?? inputs[fill.ValueInput]!);
                        foreach (var (_, d) in fill.Region.Elements()) dst[d] = value;
                    }
                    else
                    {
                        var copy = (CopyStep)step;
                        var src = copy.Source == CopyStep.Self ? dst : sources[copy.Source]!;
                        foreach (var (s, d) in copy.Region.Elements()) dst[d] = src[s];
                    }
                }
            }
        }

        /// <summary>Lowers the steps that assemble output <paramref name="output"/>.</summary>
        public void Lower(LoweringContext ctx, int output)
        {
            var o = ctx.Node.Outputs[output];
            var dst = ctx.Output(output);
            foreach (var step in Steps)
            {
                var r = step.Region;
                if (step is FillStep fill)
                {
                    Arg value = fill.Constant is not null ? ScalarArg.From(fill.Constant, 0, o.Type) : new ElementArg(ctx.Input(fill.ValueInput).Buffer, 0);
                    if (r.Shape.Length == 0) ctx.Set(new ElementArg(dst.Buffer, r.DstOffset), value);
                    else if (r.Shape.Length == 1 && r.DstStrides[0] == 1) ctx.Fill(Part(ctx, dst, r.DstOffset, r.Count), value);
                    else ctx.Call("FillStrided", new TypeArg[] { o.Type }, ("destination", dst), ("offset", r.DstOffset), ("shape", Arg.Ints(r.Shape)), ("strides", Arg.Ints(r.DstStrides)), ("value", value));
                    continue;
                }
                var copy = (CopyStep)step;
                if (copy.Source != CopyStep.Self && Uniform(ctx.Node.Inputs[copy.Source]!.Constant) is { } constant)
                {
                    // A constant of one repeated value (zeros from ConstantOfShape, channel padding): fill, no weight.
                    var fillRegion = new Region(0, r.DstOffset, r.Shape, new int[r.Shape.Length], r.DstStrides);
                    if (fillRegion.Shape.Length == 0) ctx.Set(new ElementArg(dst.Buffer, r.DstOffset), ScalarArg.From(constant, 0, o.Type));
                    else if (fillRegion.Shape.Length == 1 && r.DstStrides[0] == 1) ctx.Fill(Part(ctx, dst, r.DstOffset, r.Count), ScalarArg.From(constant, 0, o.Type));
                    else ctx.Call("FillStrided", new TypeArg[] { o.Type }, ("destination", dst), ("offset", r.DstOffset), ("shape", Arg.Ints(r.Shape)), ("strides", Arg.Ints(r.DstStrides)), ("value", ScalarArg.From(constant, 0, o.Type)));
                    continue;
                }
                var src = copy.Source == CopyStep.Self ? dst : ctx.Input(copy.Source);
                LowerCopy(ctx, src, dst, o.Type, r);
            }
        }

        /// <summary>A constant whose elements are all one value (compared bitwise), else null.</summary>
        private static Tensor? Uniform(Tensor? t)
        {
            if (t is null || t.Length < 2) return null;
            for (int i = 1; i < t.Length; i++)
                if (BitConverter.DoubleToInt64Bits(t.GetDouble(i)) != BitConverter.DoubleToInt64Bits(t.GetDouble(0)) || t.GetLong(i) != t.GetLong(0)) return null;
            return t;
        }

        /// <summary>When the output is one contiguous run of one input (an outer-axis Split or Slice), that input and the run's start.</summary>
        public (int Input, int Start)? AsView(int outputLength)
        {
            if (Steps.Count != 1 || Steps[0] is not CopyStep c || c.Source == CopyStep.Self) return null;
            var r = c.Region;
            if (r.Count != outputLength || r.DstOffset != 0 || !IsContiguous(r)) return null;
            return (c.Source, r.SrcOffset);
        }

        /// <summary>Inputs copied whole into one contiguous run of the output (Concat on an outer axis), with the run's start.</summary>
        public IEnumerable<(int Input, int Start)> WholeInputs(Node node) =>
            Steps.OfType<CopyStep>()
                .Where(c => c.Source != CopyStep.Self && IsContiguous(c.Region) && c.Region.SrcOffset == 0 && c.Region.Count == node.Inputs[c.Source]!.Length)
                .Select(c => (c.Source, c.Region.DstOffset));

        private static bool IsContiguous(Region r) => r.Shape.Length == 0 || (r.Shape.Length == 1 && r.SrcStrides[0] == 1 && r.DstStrides[0] == 1);

        private static BufferArg Part(LoweringContext ctx, BufferArg buffer, int start, int count) =>
            start == 0 && count == ctx.Length(buffer) ? buffer : buffer.Slice(start, count);

        /// <summary>Up to this many contiguous runs are separate copies instead of a kernel call.</summary>
        public const int MaxUnrolledRuns = 4;

        /// <summary>Lowers one strided copy to the cheapest step: nothing (already in place), an element, a span copy, a fill, or the kernel.</summary>
        public static void LowerCopy(LoweringContext ctx, BufferArg src, BufferArg dst, DataType type, Region r)
        {
            if (r.Count == 0) return;
            if (IsContiguous(r) && ctx.SameMemory(src, r.SrcOffset, dst, r.DstOffset)) return;
            if (r.Shape.Length == 0)
            {
                ctx.Set(new ElementArg(dst.Buffer, r.DstOffset), new ElementArg(src.Buffer, r.SrcOffset));
            }
            else if (r.Shape.Length == 1 && r.SrcStrides[0] == 1 && r.DstStrides[0] == 1)
            {
                ctx.Copy(Part(ctx, src, r.SrcOffset, r.Count), Part(ctx, dst, r.DstOffset, r.Count));
            }
            else if (r.Shape.Length == 1 && r.SrcStrides[0] == 0 && r.DstStrides[0] == 1)
            {
                ctx.Fill(Part(ctx, dst, r.DstOffset, r.Count), new ElementArg(src.Buffer, r.SrcOffset));
            }
            else if (r.Shape.Length > 1 && r.SrcStrides[r.Shape.Length - 1] == 1 && r.DstStrides[r.Shape.Length - 1] == 1
                && r.Count / r.Shape[r.Shape.Length - 1] <= MaxUnrolledRuns)
            {
                // A few contiguous runs: one copy each, offsets computed here.
                int inner = r.Shape[r.Shape.Length - 1];
                var outer = new Region(r.SrcOffset, r.DstOffset, r.Shape.Take(r.Shape.Length - 1).ToArray(),
                    r.SrcStrides.Take(r.Shape.Length - 1).ToArray(), r.DstStrides.Take(r.Shape.Length - 1).ToArray());
                foreach (var (s, d) in outer.Elements())
                    ctx.Copy(src.Slice(s, inner), dst.Slice(d, inner));
            }
            else
            {
                ctx.Call("CopyStrided", new TypeArg[] { type }, ("source", src), ("srcOffset", r.SrcOffset), ("destination", dst), ("dstOffset", r.DstOffset),
                    ("shape", Arg.Ints(r.Shape)), ("srcStrides", Arg.Ints(r.SrcStrides)), ("dstStrides", Arg.Ints(r.DstStrides)));
            }
        }
    }

    /// <summary>Attribute-or-input helpers shared by the shape ops (attributes that became inputs across opsets).</summary>
    internal static class OpInputs
    {
        /// <summary>A constant int64 input's values, or null when the input is omitted. Throws when it is not constant.</summary>
        public static long[]? ConstantLongs(Node node, int index, string what)
        {
            var v = node.Input(index);
            if (v is null) return null;
            if (v.Constant is null) throw new UnsupportedException($"{what} input '{v.Name}' must be known at build time");
            return v.Constant.AsLongs();
        }

        /// <summary>Axes from an attribute (older opsets) or a constant input (newer), normalized to [0, rank).</summary>
        public static int[]? Axes(Node node, int inputIndex, int sinceOpset, int rank, string name = "axes")
        {
            long[]? raw = node.Opset >= sinceOpset ? ConstantLongs(node, inputIndex, name) : node.Attributes.Ints(name);
            if (raw is null) return null;
            var axes = raw.Select(a => Shapes.NormalizeAxis(a, rank)).ToArray();
            if (axes.Distinct().Count() != axes.Length) throw new IrException($"{name} {Format(raw)} repeat an axis");
            return axes;
        }

        public static string Format(IEnumerable<long> values) => "[" + string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";
    }
}
