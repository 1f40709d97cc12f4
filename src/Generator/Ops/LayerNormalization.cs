using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// LayerNormalization (opset 17): x viewed as [rows, cols] with cols = prod(shape[axis..]) is normalized per row,
    /// then scaled and shifted by Scale and B (broadcast to shape[axis..]). The optional Mean and InvStdDev outputs have
    /// shape[..axis] followed by ones. Kernels.LayerNormalization makes one vectorized pass for Σx and Σx², one for
    /// the affine map. Statistics are computed in float (stash_type 1, the only value ModelGen supports).
    /// </summary>
    public sealed class LayerNormalizationOp : OpDefinition
    {
        public override string OpType => "LayerNormalization";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null, "needs X and Scale");
            RequireFloat(node, 0);
            RequireFloat(node, 1);
            if (node.Input(2) is not null) RequireFloat(node, 2);
            long stash = node.Attributes.Int("stash_type", 1);
            RequireSupported(stash == 1, $"stash_type {stash}: only 1 (float statistics) is supported");
            var (axis, rows, cols) = Normalization.Rows(node);
            var x = node.Inputs[0]!.Shape!;
            var normalized = x.Skip(axis).ToArray();
            for (int i = 1; i < 3; i++)
                if (node.Input(i) is { } p) Normalization.RequireBroadcastable(p, normalized);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = x;
            var statistics = x.Take(axis).Concat(Enumerable.Repeat(1, x.Length - axis)).ToArray();
            for (int o = 1; o < node.Outputs.Length && o < 3; o++)
            {
                node.Outputs[o].Type = DataType.Float;
                node.Outputs[o].Shape = statistics;
            }
            Require(node.Outputs.Length <= 3, "has at most 3 outputs (Y, Mean, InvStdDev)");
        }

        public override bool TryFold(Node node)
        {
            var (axis, rows, cols) = Normalization.Rows(node);
            var normalized = node.Inputs[0]!.Shape!.Skip(axis).ToArray();
            var scale = Normalization.Broadcast(node.Inputs[1]!.Constant!, normalized);
            var bias = node.Input(2) is { } b ? Normalization.Broadcast(b.Constant!, normalized) : null;
            var (y, mean, inv) = Normalization.Reference(node.Inputs[0]!.Constant!.AsFloats(), rows, cols, Normalization.Epsilon(node), true, scale, bias);
            node.Outputs[0].Constant = Tensor.FromFloats(node.Outputs[0].Shape!, y);
            if (node.Outputs.Length > 1) node.Outputs[1].Constant = Tensor.FromFloats(node.Outputs[1].Shape!, mean);
            if (node.Outputs.Length > 2) node.Outputs[2].Constant = Tensor.FromFloats(node.Outputs[2].Shape!, inv);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var (axis, rows, cols) = Normalization.Rows(node);
            var normalized = node.Inputs[0]!.Shape!.Skip(axis).ToArray();
            ctx.Call("LayerNormalization", ("x", ctx.Input(0)), ("scale", Normalization.Parameter(ctx, 1, normalized)),
                ("bias", node.Input(2) is null ? Arg.None : Normalization.Parameter(ctx, 2, normalized)), ("destination", ctx.Output(0)),
                ("mean", Normalization.UsedOutput(ctx, 1)), ("invStdDev", Normalization.UsedOutput(ctx, 2)),
                ("rows", rows), ("cols", cols), ("epsilon", Normalization.Epsilon(node)));
        }
    }

    /// <summary>Shared by the normalization ops: row views, parameter broadcasting and a double-precision reference for folding.</summary>
    internal static class Normalization
    {
        public static float Epsilon(Node node, float fallback = 1e-5f)
        {
            float epsilon = node.Attributes.Float("epsilon", fallback);
            if (!(epsilon >= 0) || float.IsInfinity(epsilon)) throw new IrException($"epsilon {epsilon.ToString(System.Globalization.CultureInfo.InvariantCulture)} must be a finite value ≥ 0");
            return epsilon;
        }

        /// <summary>(axis, rows, cols) of x viewed as [prod(shape[..axis]), prod(shape[axis..])], axis default -1.</summary>
        public static (int Axis, int Rows, int Cols) Rows(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            if (x.Length == 0) throw new IrException("X must have rank 1 or more");
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", -1), x.Length);
            return (axis, Shapes.Size(x.Take(axis).ToArray()), Shapes.Size(x.Skip(axis).ToArray()));
        }

        /// <summary>Requires <paramref name="p"/> to broadcast (numpy rules) to <paramref name="target"/> without growing it.</summary>
        public static void RequireBroadcastable(Value p, int[] target)
        {
            var shape = p.Shape!;
            bool ok = shape.Length <= target.Length;
            for (int i = 0; ok && i < shape.Length; i++)
            {
                int d = shape[shape.Length - 1 - i], t = target[target.Length - 1 - i];
                ok = d == t || d == 1;
            }
            if (!ok) throw new IrException($"'{p.Name}' {Shapes.Format(shape)} does not broadcast to the normalized shape {Shapes.Format(target)}");
            if (p.Length != Shapes.Size(target) && p.Constant is null)
                throw new UnsupportedException($"'{p.Name}' {Shapes.Format(shape)} is smaller than the normalized shape {Shapes.Format(target)}: a broadcast parameter must be known at build time");
        }

        /// <summary>A parameter broadcast to <paramref name="target"/> (numpy rules), as floats.</summary>
        public static float[] Broadcast(Tensor t, int[] target)
        {
            var values = t.AsFloats();
            if (values.Length == Shapes.Size(target)) return values;
            var shape = Enumerable.Repeat(1, target.Length - t.Shape.Length).Concat(t.Shape).ToArray();
            var strides = Shapes.Strides(shape);
            for (int i = 0; i < shape.Length; i++) if (shape[i] == 1) strides[i] = 0;
            var region = new Region(0, 0, target, strides, Shapes.Strides(target));
            var result = new float[Shapes.Size(target)];
            foreach (var (s, d) in region.Elements()) result[d] = values[s];
            return result;
        }

        /// <summary>Input <paramref name="index"/> as a buffer of the normalized shape's size (a derived weight when it broadcasts).</summary>
        public static BufferArg Parameter(LoweringContext ctx, int index, int[] target)
        {
            var v = ctx.Node.Inputs[index]!;
            if (v.Length == Shapes.Size(target)) return ctx.Input(index);
            return ctx.Weight(Tensor.FromFloats(target, Broadcast(v.Constant!, target)), v.Name + "_broadcast");
        }

        /// <summary>Output <paramref name="index"/> when something reads it, else none (the kernel skips it).</summary>
        public static Arg UsedOutput(LoweringContext ctx, int index)
        {
            if (ctx.Node.Outputs.Length <= index) return Arg.None;
            var v = ctx.Node.Outputs[index];
            return v.Consumers.Count == 0 && !v.IsGraphOutput ? Arg.None : ctx.Output(index);
        }

        /// <summary>Rows of x normalized in double: (x - mean)·invStd·scale + bias (mean 0 when not centered).</summary>
        public static (float[] Y, float[] Mean, float[] InvStdDev) Reference(float[] x, int rows, int cols, float epsilon, bool centered, float[] scale, float[]? bias)
        {
            var y = new float[x.Length];
            var mean = new float[rows];
            var inv = new float[rows];
            for (int r = 0; r < rows; r++)
            {
                double m = 0, q = 0;
                for (int c = 0; c < cols; c++) m += x[r * cols + c];
                m = centered && cols > 0 ? m / cols : 0;
                for (int c = 0; c < cols; c++) q += (x[r * cols + c] - m) * (x[r * cols + c] - m);
                double invStd = 1 / Math.Sqrt((cols > 0 ? q / cols : 0) + epsilon);
                mean[r] = (float)m;
                inv[r] = (float)invStd;
                for (int c = 0; c < cols; c++)
                    y[r * cols + c] = (float)((x[r * cols + c] - m) * invStd * scale[c] + (bias is null ? 0 : bias[c]));
            }
            return (y, mean, inv);
        }
    }
}
