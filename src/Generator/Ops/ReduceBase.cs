using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Shared rule for ReduceSum, ReduceMean, ReduceMax and ReduceMin. The axes are an attribute before
    /// <see cref="AxesInputSince"/> (13 for ReduceSum, 18 for the others) and an optional input from then on, which must be
    /// constant; there, <c>noop_with_empty_axes</c> makes empty axes an identity instead of a full reduction. keepdims
    /// (default 1) keeps reduced axes as 1. At build time the input shape is simplified (size-1 axes dropped, neighbouring
    /// axes of the same kind merged) into groups; each reduced group is one kernel call on [outer, reduce, inner], the
    /// innermost group first, through a scratch buffer when there are several.
    /// </summary>
    public abstract class ReduceBase : OpDefinition
    {
        /// <summary>The float kernel, e.g. "ReduceSum" (called as Kernels.ReduceSum(x, y, outer, reduce, inner)).</summary>
        protected abstract string Kernel { get; }

        /// <summary>The runtime INumericAggregationOperator for the other numeric types (scalar Kernels.Reduce&lt;T, TOp&gt;), e.g. "SumAggregation".</summary>
        protected abstract string NumericAggregation { get; }

        /// <summary>The bool kernel where bool is allowed: "ReduceAny" (ReduceMax) or "ReduceAll" (ReduceMin).</summary>
        protected virtual string? BoolKernel => null;

        protected abstract int AxesInputSince { get; }

        /// <summary>The value of an empty reduction, and the combining step, for folding constants.</summary>
        protected abstract double Identity { get; }
        protected abstract double Combine(double accumulator, double x);
        protected virtual double Finish(double accumulator, int count) => accumulator;

        /// <summary>Integer folding (exact in 64 bits).</summary>
        protected abstract long IntegerIdentity { get; }
        protected abstract long IntegerCombine(long accumulator, long x);
        protected virtual long IntegerFinish(long accumulator, int count) => accumulator;

        /// <summary>
        /// <see cref="IntegerIdentity"/> for an element type: long.MinValue and long.MaxValue stand for -∞ and +∞ and
        /// become the type's lowest and highest value (ONNX: an empty ReduceMax is the type's minimum), in the long bits
        /// the tensor stores (uint64's maximum is -1). Truncating them instead gave 0 or -1 for int32 and narrower.
        /// </summary>
        private long IntegerIdentityOf(DataType type)
        {
            long identity = IntegerIdentity;
            if (identity != long.MinValue && identity != long.MaxValue) return identity;
            var (lowest, highest) = type switch
            {
                DataType.Int32 => (int.MinValue, int.MaxValue),
                DataType.Int16 => (short.MinValue, short.MaxValue),
                DataType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
                DataType.UInt64 => (0L, unchecked((long)ulong.MaxValue)),
                DataType.UInt32 => (0L, uint.MaxValue),
                DataType.UInt16 => (0L, ushort.MaxValue),
                DataType.UInt8 => (0L, byte.MaxValue),
                _ => (long.MinValue, long.MaxValue),
            };
            return identity == long.MinValue ? lowest : highest;
        }

        /// <summary>True for ReduceMean: several reduced groups are summed, then scaled once.</summary>
        protected virtual bool IsMean => false;

        /// <summary>Whether bool inputs are allowed (ReduceMax and ReduceMin from opset 20).</summary>
        protected virtual bool AllowsBool(Node node) => false;

        /// <summary>The reduced axes, normalized and sorted; null for the no-op case (empty axes with noop_with_empty_axes).</summary>
        public int[]? Axes(Node node)
        {
            int rank = node.Inputs[0]!.Rank;
            long[]? axes;
            bool noop = false;
            if (node.Opset >= AxesInputSince)
            {
                Require(!node.Attributes.Has("axes"), $"opset {node.Opset} takes axes as an input, not an attribute");
                var input = node.Input(1);
                axes = null;
                if (input is not null)
                {
                    Require(DataTypes.IsInteger(input.Type) && input.Rank <= 1, $"axes '{input.Name}' must be a 1-D int64 tensor");
                    RequireSupported(input.Constant is not null, $"axes input '{input.Name}' must be known at build time");
                    axes = input.Constant!.AsLongs();
                }
                noop = node.Attributes.Int("noop_with_empty_axes", 0) != 0;
            }
            else
            {
                Require(node.Input(1) is null, $"opset {node.Opset} takes axes as an attribute, not an input");
                axes = node.Attributes.Ints("axes");
            }
            if (axes is null || axes.Length == 0)
                return noop ? null : Enumerable.Range(0, rank).ToArray();
            var result = axes.Select(a =>
            {
                Require(a >= -rank && a < rank, $"axis {a} is out of range for rank {rank}");
                return (int)(a < 0 ? a + rank : a);
            }).ToArray();
            Require(result.Distinct().Count() == result.Length, "axes contain a duplicate");
            Array.Sort(result);
            return result;
        }

        private static bool KeepDims(Node node) => node.Attributes.Int("keepdims", 1) != 0;

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length >= 1 && node.Inputs[0] is not null, "expects an input");
            var x = node.Inputs[0]!;
            bool typeOk = BinaryFloatOp.IsNumeric(x.Type) || (x.Type == DataType.Bool && AllowsBool(node));
            RequireSupported(typeOk, $"input '{x.Name}' has element type {DataTypes.OnnxName(x.Type)}");
            long keepDims = node.Attributes.Int("keepdims", 1), noop = node.Attributes.Int("noop_with_empty_axes", 0);
            Require(keepDims is 0 or 1, $"keepdims is {keepDims}; it must be 0 or 1");
            Require(noop is 0 or 1, $"noop_with_empty_axes is {noop}; it must be 0 or 1");
            var axes = Axes(node);
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = axes is null ? x.Shape : OutputShape(x.Shape!, axes, KeepDims(node));
        }

        private static int[] OutputShape(int[] shape, int[] axes, bool keepDims)
        {
            var result = new List<int>();
            for (int d = 0; d < shape.Length; d++)
            {
                if (Array.IndexOf(axes, d) < 0) result.Add(shape[d]);
                else if (keepDims) result.Add(1);
            }
            return result.ToArray();
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            var output = node.Outputs[0];
            var axes = Axes(node);
            if (axes is null)
            {
                output.Constant = x.WithShape(output.Shape!);
                return true;
            }
            var shape = x.Shape;
            var kept = OutputShape(shape, axes, keepDims: true);
            int n = Shapes.Size(kept), total = x.Length;
            int count = axes.Aggregate(1, (c, a) => c * shape[a]);
            var outStrides = Shapes.Strides(kept);
            var inStrides = Shapes.Strides(shape);
            int Target(int i)
            {
                int t = 0;
                for (int d = 0; d < shape.Length; d++)
                    if (Array.IndexOf(axes, d) < 0) t += i / inStrides[d] % shape[d] * outStrides[d];
                return t;
            }
            if (Tensor.Family(x.Type) == 'l')
            {
                // Only an empty reduction needs the type's limit; otherwise the signed long stand-in keeps uint64 comparisons as they were.
                var acc = Enumerable.Repeat(count == 0 ? IntegerIdentityOf(x.Type) : IntegerIdentity, n).ToArray();
                for (int i = 0; i < total; i++) acc[Target(i)] = IntegerCombine(acc[Target(i)], x.GetLong(i));
                output.Constant = Tensor.FromLongs(output.Type, output.Shape!, acc.Select(a => BinaryFloatOp.Wrap(output.Type, IntegerFinish(a, count))).ToArray());
                return true;
            }
            var sums = Enumerable.Repeat(Identity, n).ToArray();
            for (int i = 0; i < total; i++) sums[Target(i)] = Combine(sums[Target(i)], x.GetDouble(i));
            output.Constant = Tensor.FromDoubles(output.Type, output.Shape!, sums.Select(a => Finish(a, count)).ToArray());
            return true;
        }

        /// <summary>The kernel calls: (outer, reduce, inner) per reduced group, innermost group first.</summary>
        public (int Outer, int Reduce, int Inner)[] Steps(Node node)
        {
            var axes = Axes(node) ?? Array.Empty<int>();
            var shape = node.Inputs[0]!.Shape!;
            // Groups of (size, reduced): size-1 axes dropped, neighbours of the same kind merged.
            var groups = new List<(int Size, bool Reduced)>();
            for (int d = 0; d < shape.Length; d++)
            {
                if (shape[d] == 1) continue;
                bool reduced = Array.IndexOf(axes, d) >= 0;
                if (groups.Count > 0 && groups[groups.Count - 1].Reduced == reduced)
                    groups[groups.Count - 1] = (groups[groups.Count - 1].Size * shape[d], reduced);
                else groups.Add((shape[d], reduced));
            }
            var steps = new List<(int, int, int)>();
            while (true)
            {
                int g = groups.FindLastIndex(x => x.Reduced);
                if (g < 0) break;
                int outer = 1, inner = 1;
                for (int i = 0; i < g; i++) outer *= groups[i].Size;
                for (int i = g + 1; i < groups.Count; i++) inner *= groups[i].Size;
                steps.Add((outer, groups[g].Size, inner));
                groups.RemoveAt(g);
                if (g > 0 && g < groups.Count && !groups[g - 1].Reduced && !groups[g].Reduced)
                {
                    groups[g - 1] = (groups[g - 1].Size * groups[g].Size, false);
                    groups.RemoveAt(g);
                }
            }
            return steps.ToArray();
        }

        public override long ScratchBytes(Node node)
        {
            if (node.Inputs[0]!.Length == 0) return 0;
            var steps = Steps(node);
            return steps.Length > 1 ? steps[0].Outer * (long)steps[0].Inner * DataTypes.Size(node.Inputs[0]!.Type) : 0;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var type = node.Inputs[0]!.Type;
            bool isFloat = type == DataType.Float;
            if (node.Inputs[0]!.Length == 0)
            {
                // An empty input: every output element (if any) is the empty reduction.
                if (node.Outputs[0].Length > 0 && type == DataType.Bool)
                    ctx.Fill(ctx.Output(0), BoolKernel == "ReduceAll");
                else if (node.Outputs[0].Length > 0)
                    ctx.Fill(ctx.Output(0), isFloat ? (float)Finish(Identity, 0) : new ScalarArg(type, Finish(Identity, 0), IntegerFinish(IntegerIdentityOf(type), 0)));
                return;
            }
            var steps = Steps(node);
            if (steps.Length == 0)
            {
                // Nothing to reduce (no axes with noop_with_empty_axes, or only size-1 axes): the data is unchanged.
                ctx.Copy(ctx.Input(0), ctx.Output(0));
                return;
            }
            bool sumThenScale = IsMean && (steps.Length > 1 || !isFloat);
            string kernel = sumThenScale ? "ReduceSum" : Kernel;
            string aggregation = sumThenScale ? "SumAggregation" : NumericAggregation;
            Arg source = ctx.Input(0);
            for (int s = 0; s < steps.Length; s++)
            {
                var (outer, reduce, inner) = steps[s];
                Arg target = s == steps.Length - 1 ? ctx.Output(0) : ctx.Scratch(type);
                var args = new (string, Arg)[] { ("x", source), ("destination", target), ("outer", outer), ("reduce", reduce), ("inner", inner) };
                if (isFloat) ctx.Call(kernel, args);
                else if (type == DataType.Bool) ctx.Call(BoolKernel!, args);
                else ctx.Call("Reduce", new TypeArg[] { type, TypeArg.Runtime("Operators." + aggregation) }, args);
                source = target;
            }
            if (sumThenScale)
            {
                long count = steps.Aggregate(1L, (c, s) => c * s.Reduce);
                if (isFloat) ctx.Call("Scale", ("x", ctx.Output(0)), ("destination", ctx.Output(0)), ("scale", count == 0 ? 0f : 1f / count));
                else ctx.Call("DivideByCount", new TypeArg[] { type }, ("y", ctx.Output(0)), ("count", count));
            }
        }
    }
}
