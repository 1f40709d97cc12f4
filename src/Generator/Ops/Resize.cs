using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Resize (opsets 10 to 19+): modes nearest (any element type), linear and cubic (float), every coordinate
    /// transformation mode (tf_crop_and_resize with extrapolation), scales or sizes (constant), axes and
    /// keep_aspect_ratio_policy (opset 18). Index and weight tables are computed at build time with ONNX Runtime's float
    /// arithmetic and embedded, so run time is a gather (nearest, repeated rows copied) or separable passes, one per
    /// resized axis, of gather + weighted sum (linear, cubic). Antialias (opset 18, linear and cubic) widens the filter by
    /// the downsampling factor, as ONNX Runtime does (Pillow's scheme): each output then weighs a window of input samples.
    /// </summary>
    public sealed class ResizeOp : OpDefinition
    {
        public override string OpType => "Resize";

        public override void InferShapes(Node node) => ResizePlan.InferShapes(node, isResize: true);


        public override long ScratchBytes(Node node) => ResizePlan.Create(node, isResize: true).ScratchBytes;

        public override void Lower(LoweringContext ctx) => ResizePlan.Create(ctx.Node, isResize: true).Lower(ctx);
    }

    /// <summary>Everything Resize and Upsample decide at build time: output shape, per-axis scale and coordinate rules.</summary>
    internal sealed class ResizePlan
    {
        public string Mode = "nearest";
        public string Coordinates = "asymmetric";
        public string Nearest = "simple";
        public int[] In = null!, Out = null!;
        public float[] Scales = null!;
        public float[] Roi = null!;
        public float Extrapolation;
        public float CubicA = -0.75f;
        public bool ExcludeOutside;
        public bool Antialias;

        public bool Extrapolates => Coordinates == "tf_crop_and_resize";

        public static void InferShapes(Node node, bool isResize)
        {
            var plan = Create(node, isResize);
            node.Outputs[0].Type = node.Inputs[0]!.Type;
            node.Outputs[0].Shape = plan.Out;
        }

        public static ResizePlan Create(Node node, bool isResize)
        {
            var x = node.Inputs[0]!;
            int rank = x.Rank;
            int opset = node.Opset;
            var a = node.Attributes;
            var plan = new ResizePlan { In = x.Shape!, Mode = a.String("mode", "nearest") };
            if (plan.Mode == "bilinear" && !isResize) plan.Mode = "linear";
            Require(plan.Mode is "nearest" or "linear" or "cubic", $"unknown mode '{plan.Mode}'");
            Require(rank > 0, "cannot resize a scalar");
            RequireSupported(plan.Mode == "nearest" || x.Type == DataType.Float, $"{plan.Mode} Resize on {DataTypes.OnnxName(x.Type)} is not supported (float only)");
            if (isResize && opset >= 11)
            {
                plan.Coordinates = a.String("coordinate_transformation_mode", "half_pixel");
                if (plan.Mode == "nearest") plan.Nearest = a.String("nearest_mode", "round_prefer_floor");
            }
            Require(plan.Coordinates is "half_pixel" or "half_pixel_symmetric" or "pytorch_half_pixel" or "align_corners" or "asymmetric"
                or "tf_half_pixel_for_nn" or "tf_crop_and_resize", $"unknown coordinate_transformation_mode '{plan.Coordinates}'");
            Require(plan.Nearest is "simple" or "round_prefer_floor" or "round_prefer_ceil" or "floor" or "ceil", $"unknown nearest_mode '{plan.Nearest}'");
            plan.Antialias = isResize && opset >= 18 && a.Int("antialias", 0) != 0 && plan.Mode != "nearest";
            RequireSupported(!plan.Antialias || !plan.Extrapolates, "antialias with tf_crop_and_resize is not supported");
            plan.Extrapolation = a.Float("extrapolation_value", 0f);
            plan.CubicA = a.Float("cubic_coeff_a", -0.75f);
            plan.ExcludeOutside = a.Int("exclude_outside", 0) != 0;
            Require(!plan.ExcludeOutside || plan.Mode == "cubic" || plan.Antialias, "exclude_outside applies to cubic mode (or antialias) only");

            int[] axes = Enumerable.Range(0, rank).ToArray();
            if (opset >= 18 && a.Ints("axes") is { } rawAxes)
            {
                axes = rawAxes.Select(v => Shapes.NormalizeAxis(v, rank)).ToArray();
                Require(axes.Distinct().Count() == axes.Length, $"axes {OpInputs.Format(rawAxes)} repeat an axis");
            }

            // scales: attribute (Upsample 7-8), input 1 (Upsample 9, Resize 10), input 2 (Resize 11+); sizes: input 3.
            float[]? scales = null;
            long[]? sizes = null;
            if (!isResize && opset < 9)
            {
                scales = a.Floats("scales");
                Require(scales is not null, "needs the scales attribute");
            }
            else
            {
                var s = node.Input(isResize && opset >= 11 ? 2 : 1);
                if (s is not null)
                {
                    RequireSupported(s.Constant is not null, $"scales input '{s.Name}' must be known at build time");
                    if (s.Constant!.Length > 0) scales = s.Constant.AsFloats();
                }
                if (isResize && opset >= 11 && node.Input(3) is { } z)
                {
                    RequireSupported(z.Constant is not null, $"sizes input '{z.Name}' must be known at build time");
                    if (z.Constant!.Length > 0) sizes = z.Constant.AsLongs();
                }
            }
            Require((scales is null) != (sizes is null), scales is null ? "needs scales or sizes" : "has both scales and sizes");

            var fullScales = Enumerable.Repeat(1f, rank).ToArray();
            var outShape = (int[])plan.In.Clone();
            if (scales is not null)
            {
                Require(scales.Length == axes.Length, $"scales has {scales.Length} values for {axes.Length} axes");
                for (int i = 0; i < axes.Length; i++) fullScales[axes[i]] = scales[i];
                foreach (float s in fullScales)
                    Require(isResize ? s > 0 : s >= 1, $"scale {s} is invalid ({(isResize ? "must be positive" : "Upsample needs scales >= 1")})");
                // (int64)(scale · in) in float, as ONNX Runtime's kernel computes it. Its graph-level shape inference
                // multiplies in double, so the two disagree when the float product rounds up to an integer
                // (5 · 1.8f is 9 in float, 8.99999976 in double): such models fail in ONNX Runtime with bound outputs.
                for (int d = 0; d < rank; d++) outShape[d] = (int)(float)(fullScales[d] * (float)plan.In[d]);
            }
            else
            {
                Require(sizes!.Length == axes.Length, $"sizes has {sizes.Length} values for {axes.Length} axes");
                for (int i = 0; i < axes.Length; i++)
                {
                    Require(sizes[i] >= 0, $"size {sizes[i]} is negative");
                    outShape[axes[i]] = checked((int)sizes[i]);
                }
                for (int d = 0; d < rank; d++)
                {
                    Require(plan.In[d] != 0 || outShape[d] == 0, $"axis {d} has size 0 and cannot grow");
                    fullScales[d] = plan.In[d] == 0 ? 1f : (float)outShape[d] / (float)plan.In[d];
                }
                string policy = opset >= 18 ? a.String("keep_aspect_ratio_policy", "stretch") : "stretch";
                Require(policy is "stretch" or "not_larger" or "not_smaller", $"unknown keep_aspect_ratio_policy '{policy}'");
                if (policy != "stretch")
                {
                    float chosen = policy == "not_larger" ? axes.Min(d => fullScales[d]) : axes.Max(d => fullScales[d]);
                    for (int d = 0; d < rank; d++)
                    {
                        bool listed = axes.Contains(d);
                        fullScales[d] = listed ? chosen : 1f;
                        outShape[d] = listed ? (int)Math.Round((double)(float)(chosen * (float)plan.In[d]), MidpointRounding.AwayFromZero) : plan.In[d];
                    }
                }
            }
            plan.Scales = fullScales;
            plan.Out = outShape;

            plan.Roi = Enumerable.Repeat(0f, rank).Concat(Enumerable.Repeat(1f, rank)).ToArray();
            if (plan.Extrapolates)
            {
                var roi = node.Input(1);
                Require(roi is not null && roi.Length > 0, "tf_crop_and_resize needs roi");
                RequireSupported(roi!.Constant is not null, $"roi input '{roi.Name}' must be known at build time");
                var values = roi.Constant!.AsFloats();
                Require(values.Length == 2 * axes.Length, $"roi has {values.Length} values for {axes.Length} axes");
                for (int i = 0; i < axes.Length; i++) { plan.Roi[axes[i]] = values[i]; plan.Roi[rank + axes[i]] = values[axes.Length + i]; }
            }
            return plan;
        }

        private static void Require(bool condition, string message)
        {
            if (!condition) throw new IrException(message);
        }

        private static void RequireSupported(bool condition, string message)
        {
            if (!condition) throw new UnsupportedException(message);
        }

        /// <summary>Output coordinate to input coordinate, in float exactly as ONNX Runtime evaluates it.</summary>
        private float Original(int axis, int resized)
        {
            float x = resized, scale = Scales[axis], lengthResized = Out[axis], lengthOriginal = In[axis];
            switch (Coordinates)
            {
                case "asymmetric":
                    return x / scale;
                case "pytorch_half_pixel":
                    return lengthResized > 1 ? (float)((float)(x + 0.5f) / scale) - 0.5f : 0f;
                case "tf_half_pixel_for_nn":
                    return (float)(x + 0.5f) / scale;
                case "align_corners":
                    return lengthResized == 1 ? 0f : (float)(x * (float)(lengthOriginal - 1)) / (float)(lengthResized - 1);
                case "tf_crop_and_resize":
                {
                    float start = Roi[axis], end = Roi[In.Length + axis];
                    if (lengthResized > 1)
                    {
                        float first = start * (float)(lengthOriginal - 1);
                        float rest = (float)((float)(x * (float)(end - start)) * (float)(lengthOriginal - 1)) / (float)(lengthResized - 1);
                        return first + rest;
                    }
                    return (float)(0.5 * (float)(start + end) * (float)(lengthOriginal - 1));
                }
                case "half_pixel_symmetric":
                {
                    float outputWidth = scale * lengthOriginal;
                    float adjustment = lengthResized / outputWidth;
                    float center = lengthOriginal / 2;
                    float offset = center * (float)(1 - adjustment);
                    return (float)(offset + ((double)x + 0.5) / scale - 0.5);
                }
                default: // half_pixel
                    return (float)((float)(x + 0.5f) / scale) - 0.5f;
            }
        }

        private long NearestPixel(float x, bool downsample)
        {
            switch (Nearest)
            {
                case "simple": return downsample ? (long)Math.Ceiling(x) : (long)x;
                case "round_prefer_ceil": return (long)Math.Round(x, MidpointRounding.AwayFromZero);
                case "floor": return (long)Math.Floor(x);
                case "ceil": return (long)Math.Ceiling(x);
                default:
                    if (x == (float)(long)x + 0.5f) return (long)Math.Floor(x);
                    return (long)Math.Round(x, MidpointRounding.AwayFromZero);
            }
        }

        /// <summary>Nearest: input index per output index, or -1 outside the input (extrapolation).</summary>
        private int[] NearestTable(int axis)
        {
            var table = new int[Out[axis]];
            // ONNX Runtime maps scale-1 axes one to one (and copies a 1-D input whose size does not change).
            bool identity = Scales[axis] == 1f;
            for (int j = 0; j < table.Length; j++)
            {
                if (identity) { table[j] = j; continue; }
                float original = Original(axis, j);
                if (Extrapolates && (original < 0 || original > In[axis] - 1)) { table[j] = -1; continue; }
                long i = NearestPixel(original, Scales[axis] < 1);
                table[j] = (int)Math.Max(0, Math.Min(In[axis] - 1, i));
            }
            return table;
        }

        /// <summary>
        /// Linear (2 taps) or cubic (4 taps): for tap t and output index j, index[t·n + j] is the input index (-1 for all
        /// taps outside the input, with extrapolation) and weight[t·n + j] its weight, as ONNX Runtime computes them.
        /// </summary>
        private (int Taps, int[] Index, float[] Weight) Table(int axis)
        {
            if (Antialias) return AntialiasTable(axis);
            int n = Out[axis], length = In[axis], taps = Mode == "cubic" ? 4 : 2;
            var index = new int[taps * n];
            var weight = new float[taps * n];
            for (int j = 0; j < n; j++)
            {
                float original = Scales[axis] == 1f ? j : Original(axis, j);
                if (Extrapolates && (original < 0 || original > length - 1))
                {
                    for (int t = 0; t < taps; t++) index[t * n + j] = -1;
                    continue;
                }
                if (taps == 2)
                {
                    float clamped = Math.Max(0f, Math.Min(original, (float)(length - 1)));
                    int i1 = Math.Min((int)clamped, length - 1), i2 = Math.Min(i1 + 1, length - 1);
                    float w2 = Math.Abs(clamped - i1), w1 = Math.Abs(clamped - i2);
                    if (i1 == i2) w1 = w2 = 0.5f;
                    index[j] = i1; index[n + j] = i2;
                    weight[j] = w1; weight[n + j] = w2;
                    continue;
                }
                // Cubic (Keys): taps at floor(x) - 1 .. floor(x) + 2, clamped to the edge; with exclude_outside the
                // taps outside the input get weight 0 and the rest are renormalized.
                int start = (int)Math.Floor(original);
                var c = CubicCoefficients((float)(original - (float)Math.Floor(original)), CubicA);
                float sum = 1f;
                if (ExcludeOutside)
                {
                    sum = 0f;
                    for (int t = 0; t < 4; t++)
                    {
                        int at = start - 1 + t;
                        if (at < 0 || at >= length) c[t] = 0f;
                        sum += c[t];
                    }
                }
                for (int t = 0; t < 4; t++)
                {
                    index[t * n + j] = Math.Max(0, Math.Min(length - 1, start - 1 + t));
                    weight[t * n + j] = c[t] / sum;
                }
            }
            return (taps, index, weight);
        }

        /// <summary>
        /// Antialias taps of one axis in ONNX Runtime's float arithmetic: the filter (triangle of support 2, or Keys
        /// cubic of support 4) is stretched by 1/scale when downsampling; every output weighs a window of
        /// 2·ceil(support)+1 samples. Without exclude_outside the weights of samples past an edge go to the edge sample;
        /// either way they are normalized by the window's total. Unused window taps get weight 0.
        /// </summary>
        private (int Taps, int[] Index, float[] Weight) AntialiasTable(int axis)
        {
            int n = Out[axis], length = In[axis];
            float supportSize = Mode == "cubic" ? 4f : 2f;
            float scale = 1f / Scales[axis];
            float support = scale >= 1f ? supportSize * 0.5f * scale : supportSize * 0.5f;
            int window = checked((int)Math.Ceiling(support) * 2 + 1);
            float invScale = scale >= 1f ? 1f / scale : 1f;
            var index = new int[window * n];
            var weight = new float[window * n];
            var buffer = new float[window];
            for (int j = 0; j < n; j++)
            {
                float center = 0.5f + (scale == 1f ? j : Original(axis, j));
                long minReal = (long)Math.Floor(center - support + 0.5f), maxReal = (long)Math.Floor(center + support + 0.5f);
                maxReal = minReal + Math.Max(0, Math.Min(maxReal - minReal, window));
                long minCut = Math.Max(0, Math.Min(minReal, length)), maxCut = Math.Max(0, Math.Min(maxReal, length));
                long min = ExcludeOutside ? minCut : minReal, count = (ExcludeOutside ? maxCut : maxReal) - min;
                Array.Clear(buffer, 0, window);
                float total = 0f;
                for (long t = 0; t < count; t++)
                {
                    float w = AntialiasFilter((float)(t + min) - center + 0.5f, invScale);
                    buffer[t] = w;
                    total += w;
                }
                if (!ExcludeOutside && minCut < maxCut)
                {
                    // Fold the samples before 0 into sample 0 and those past the end into the last one.
                    long before = Math.Max(0, Math.Min(-min, count - 1));
                    for (long t = 0; t < before; t++) buffer[before] += buffer[t];
                    long after = Math.Max(0, Math.Min(count + min - length, count - 1));
                    for (long t = count - after; t < count; t++) buffer[count - after - 1] += buffer[t];
                    for (long t = 0; (before | after) > 0 && t < maxCut - minCut; t++) buffer[t] = buffer[t + before];
                }
                float inverse = total == 0f ? 1f : 1f / total;
                int used = (int)(maxCut - minCut);
                for (int t = 0; t < window; t++)
                {
                    index[t * n + j] = (int)Math.Min(minCut + Math.Min(t, Math.Max(used - 1, 0)), length - 1);
                    weight[t * n + j] = t < used ? buffer[t] * inverse : 0f;
                }
            }
            return (window, index, weight);
        }

        private float AntialiasFilter(float offset, float invScale)
        {
            float x = Math.Abs(offset * invScale);
            if (Mode != "cubic") return x < 1f ? 1f - x : 0f;
            float a = CubicA;
            if (x < 1f) return ((a + 2f) * x - (a + 3f)) * x * x + 1;
            if (x < 2f) return (((x - 5f) * x + 8f) * x - 4f) * a;
            return 0f;
        }

        private static float[] CubicCoefficients(float s, float a)
        {
            s = Math.Abs(s);
            float s1 = s + 1, s2 = 1 - s, s3 = 2 - s;
            return new[]
            {
                ((a * s1 - 5 * a) * s1 + 8 * a) * s1 - 4 * a,
                ((a + 2) * s - (a + 3)) * s * s + 1,
                ((a + 2) * s2 - (a + 3)) * s2 * s2 + 1,
                ((a * s3 - 5 * a) * s3 + 8 * a) * s3 - 4 * a,
            };
        }

        private bool IsNearestIdentity(int axis) => In[axis] == Out[axis] && NearestTable(axis).Select((v, j) => v == j).All(b => b);

        /// <summary>Linear and cubic passes, one per resized axis, ordered to minimize work (scalar gather passes cost more).</summary>
        private List<int> LinearOrder()
        {
            var axes = Enumerable.Range(0, In.Length).Where(d => !(Scales[d] == 1f)).ToList();
            if (axes.Count <= 1) return axes;
            List<int>? best = null;
            double bestCost = double.MaxValue;
            foreach (var order in Permutations(axes))
            {
                var shape = (int[])In.Clone();
                double cost = 0;
                foreach (int d in order)
                {
                    shape[d] = Out[d];
                    cost += (double)Shapes.Size(shape) * (d == In.Length - 1 ? 4 : 1);
                }
                if (cost < bestCost) { bestCost = cost; best = order; }
            }
            return best!;
        }

        private static IEnumerable<List<int>> Permutations(List<int> items)
        {
            if (items.Count <= 1) { yield return new List<int>(items); yield break; }
            for (int i = 0; i < items.Count; i++)
            {
                var rest = items.Where((_, k) => k != i).ToList();
                foreach (var p in Permutations(rest)) { p.Insert(0, items[i]); yield return p; }
            }
        }

        /// <summary>Intermediate results between linear passes live in scratch: two buffers of the largest one.</summary>
        public long ScratchBytes
        {
            get
            {
                if (Mode == "nearest") return 0;
                var order = LinearOrder();
                if (order.Count <= 1) return 0;
                var shape = (int[])In.Clone();
                long largest = 0;
                for (int p = 0; p < order.Count - 1; p++)
                {
                    shape[order[p]] = Out[order[p]];
                    largest = Math.Max(largest, Shapes.Size(shape));
                }
                return (order.Count > 2 ? 2 : 1) * largest * sizeof(float);
            }
        }

        public void Lower(LoweringContext ctx)
        {
            BufferArg x = ctx.Input(0), y = ctx.Output(0);
            int rank = In.Length;
            if (Shapes.Size(Out) == 0) return;
            if (Out.SequenceEqual(In)) { ctx.Copy(x, y); return; }
            if (Mode == "nearest") { LowerNearest(ctx, x, y); return; }

            var order = LinearOrder();
            if (order.Count == 0) { ctx.Copy(x, y); return; }
            var shape = (int[])In.Clone();
            long bufferLength = ScratchBytes / sizeof(float) / (order.Count > 2 ? 2 : 1);
            Arg source = x;
            for (int p = 0; p < order.Count; p++)
            {
                int d = order[p];
                int outer = shape.Take(d).Aggregate(1, (u, v) => u * v), inner = shape.Skip(d + 1).Aggregate(1, (u, v) => u * v);
                shape[d] = Out[d];
                Arg target = p == order.Count - 1 ? y : ctx.Scratch(DataType.Float, (p % 2) * bufferLength * sizeof(float), Shapes.Size(shape) * (long)sizeof(float));
                var (taps, index, weight) = Table(d);
                string hint = ctx.Node.Name + "_axis" + d;
                var indexWeight = ctx.Weight(Tensor.FromLongs(DataType.Int32, new[] { index.Length }, index.Select(v => (long)v).ToArray()), hint + "_index");
                var weightWeight = ctx.Weight(Tensor.FromFloats(new[] { weight.Length }, weight), hint + "_weight");
                var args = new List<(string, Arg)> { ("x", source), ("y", target), ("outer", outer), ("inLength", In[d]), ("outLength", Out[d]), ("inner", inner), ("taps", taps), ("index", indexWeight), ("weight", weightWeight) };
                if (Extrapolates) args.Add(("extrapolation", Extrapolation));
                ctx.Call("ResizeAxis", args.ToArray());
                source = target;
            }
        }

        private void LowerNearest(LoweringContext ctx, BufferArg x, BufferArg y)
        {
            int rank = In.Length;
            // Trailing axes that map one to one become contiguous inner blocks.
            int kept = rank, inner = 1;
            while (kept > 0 && IsNearestIdentity(kept - 1)) { kept--; inner *= In[kept]; }
            if (kept == 0) { ctx.Copy(x, y); return; }
            var strides = Shapes.Strides(In);
            int total = Shapes.Size(In);
            var offsets = new List<long>();
            bool extrapolate = false;
            for (int d = 0; d < kept; d++)
                foreach (int i in NearestTable(d))
                {
                    extrapolate |= i < 0;
                    offsets.Add(i < 0 ? -(long)total : (long)i * strides[d]);
                }
            var table = ctx.Weight(Tensor.FromLongs(DataType.Int32, new[] { offsets.Count }, offsets.ToArray()), ctx.Node.Name + "_offsets");
            var type = ctx.Node.Outputs[0].Type;
            var args = new List<(string, Arg)> { ("x", x), ("y", y), ("shape", Arg.Ints(Out.Take(kept))), ("offsets", table), ("inner", inner) };
            if (extrapolate)
            {
                args.Add(("extrapolate", true));
                args.Add(("extrapolationValue", ScalarArg.From(Tensor.FromDoubles(type, new int[0], new double[] { Extrapolation }), 0, type)));
            }
            ctx.Call("ResizeNearest", new TypeArg[] { type }, args.ToArray());
        }
    }
}
