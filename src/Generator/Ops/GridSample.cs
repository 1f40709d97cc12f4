using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// GridSample (16, 20, 22): samples X [N, C, (D,) H, W] at the normalized points of grid [N, (D_out,) H_out, W_out, r]
    /// with linear, nearest or cubic interpolation and zeros, border or reflection padding. 2-D and 3-D (volumetric)
    /// inputs; both the opset-16 names (bilinear, bicubic) and the opset-20 names (linear, cubic) are accepted.
    /// Kernels.GridSample computes each point's taps once and reuses them for every channel.
    /// </summary>
    public sealed class GridSampleOp : OpDefinition
    {
        public override string OpType => "GridSample";

        private const int Linear = 0, Nearest = 1, Cubic = 2;
        private const int Zeros = 0, Border = 1, Reflection = 2;

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null && node.Outputs.Length == 1, "expects inputs X and grid and one output");
            RequireFloat(node, 0);
            RequireFloat(node, 1);
            var x = node.Inputs[0]!.Shape!;
            var grid = node.Inputs[1]!.Shape!;
            RequireSupported(x.Length is 4 or 5, $"input X {Shapes.Format(x)} must be 4-D or 5-D (2-D or 3-D sampling)");
            Require(grid.Length == x.Length, $"grid {Shapes.Format(grid)} must have the rank of X {Shapes.Format(x)}");
            Require(grid[0] == x[0], $"grid batch {grid[0]} differs from X batch {x[0]}");
            Require(grid[grid.Length - 1] == x.Length - 2, $"grid {Shapes.Format(grid)} must end in {x.Length - 2} coordinates");
            Require(x.Skip(2).All(d => d >= 1), $"input X {Shapes.Format(x)} has an empty spatial axis");
            Settings(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = new[] { x[0], x[1] }.Concat(grid.Skip(1).Take(grid.Length - 2)).ToArray();
        }

        private static (int Mode, int Padding, bool AlignCorners) Settings(Node node)
        {
            string mode = AttributeChecks.String(node, "mode", "linear");
            string padding = AttributeChecks.String(node, "padding_mode", "zeros");
            int m = mode switch
            {
                "linear" or "bilinear" => Linear,
                "nearest" => Nearest,
                "cubic" or "bicubic" => Cubic,
                _ => throw new IrException($"mode '{mode}' must be linear (bilinear), nearest or cubic (bicubic)"),
            };
            int p = padding switch
            {
                "zeros" => Zeros,
                "border" => Border,
                "reflection" => Reflection,
                _ => throw new IrException($"padding_mode '{padding}' must be zeros, border or reflection"),
            };
            RequireSupported(m != Cubic || node.Inputs[0]!.Rank == 4, "cubic GridSample is defined for 2-D sampling only");
            return (m, p, AttributeChecks.Flag(node, "align_corners"));
        }

        private static (int Batch, int Channels, int Depth, int Height, int Width, int Points, int Rank) Dims(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            int rank = x.Length - 2;
            int depth = rank == 3 ? x[2] : 1;
            int points = Shapes.Size(node.Inputs[1]!.Shape!.Skip(1).Take(rank).ToArray());
            return (x[0], x[1], depth, x[x.Length - 2], x[x.Length - 1], points, rank);
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!.AsFloats();
            var grid = node.Inputs[1]!.Constant!.AsFloats();
            var (batch, channels, depth, height, width, points, rank) = Dims(node);
            var (mode, padding, align) = Settings(node);
            var sizes = new[] { depth, height, width };
            var strides = new[] { height * width, width, 1 };
            var y = new float[(long)batch * channels * points];
            var taps = new int[3][];
            var weights = new double[3][];
            long plane = (long)depth * height * width;
            for (int b = 0; b < batch; b++)
                for (int p = 0; p < points; p++)
                {
                    for (int axis = 0; axis < 3; axis++)
                    {
                        if (axis < 3 - rank) { taps[axis] = new[] { 0 }; weights[axis] = new[] { 1.0 }; continue; }
                        double g = grid[(b * points + p) * rank + (2 - axis)];
                        (taps[axis], weights[axis]) = AxisTaps(g, sizes[axis], strides[axis], mode, padding, align);
                    }
                    for (int c = 0; c < channels; c++)
                    {
                        long origin = (b * channels + c) * plane;
                        double sum = 0;
                        for (int i = 0; i < taps[0].Length; i++)
                            for (int j = 0; j < taps[1].Length; j++)
                                for (int k = 0; k < taps[2].Length; k++)
                                    if (taps[0][i] >= 0 && taps[1][j] >= 0 && taps[2][k] >= 0)
                                        sum += weights[0][i] * weights[1][j] * weights[2][k] * x[origin + taps[0][i] + taps[1][j] + taps[2][k]];
                        y[(b * channels + c) * points + p] = (float)sum;
                    }
                }
            node.Outputs[0].Constant = Tensor.FromFloats(node.Outputs[0].Shape!, y);
            return true;
        }

        /// <summary>Build-time twin of the runtime kernel's per-axis taps (offsets with stride, -1 for a zero tap).</summary>
        private static (int[] Taps, double[] Weights) AxisTaps(double normalized, int size, int stride, int mode, int padding, bool align)
        {
            double location = align ? (normalized + 1) / 2 * (size - 1) : ((normalized + 1) * size - 1) / 2;
            double low = align ? 0 : -0.5, high = align ? size - 1 : size - 0.5;
            if (mode == Nearest) location = Math.Round(location, MidpointRounding.ToEven); // as ONNX Runtime and the test data, 3-D too
            if (mode != Cubic && (location < low || location > high)) // cubic pads its taps only, as the kernel
            {
                if (padding == Border) location = Math.Min(Math.Max(location, 0), size - 1);
                else if (padding == Reflection) location = Reflect(location, low, high);
            }
            if (double.IsNaN(location) || double.IsInfinity(location)) location = -2.0 * size - 4;
            int Tap(long index)
            {
                if (padding == Zeros) return index >= 0 && index < size ? (int)index * stride : -1;
                if (padding == Reflection) index = (long)Reflect(index, low, high);
                return (int)Math.Min(Math.Max(index, 0), size - 1) * stride;
            }
            if (mode == Nearest) return (new[] { Tap((long)Math.Max(Math.Min(location, FarIndex), -FarIndex)) }, new[] { 1.0 });
            // In long from a bounded floor, as the kernel: an int conversion of a grid value around 1e9 saturates, which
            // made t huge and wrapped first + 1.
            double floor = Math.Floor(location);
            long first = (long)Math.Max(Math.Min(floor, FarIndex), -FarIndex);
            double t = location - floor;
            if (mode == Linear) return (new[] { Tap(first), Tap(first + 1) }, new[] { 1 - t, t });
            const double a = -0.75;
            double Far(double d) => ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
            double Near(double d) => ((a + 2) * d - (a + 3)) * d * d + 1;
            return (new[] { Tap(first - 1), Tap(first), Tap(first + 1), Tap(first + 2) }, new[] { Far(t + 1), Near(t), Near(1 - t), Far(2 - t) });
        }

        /// <summary>Beyond this a location is far outside any image (the kernel's bound).</summary>
        private const double FarIndex = 1L << 40;

        private static double Reflect(double v, double low, double high)
        {
            double range = high - low;
            if (range <= 0) return low;
            if (v >= low && v <= high) return v;
            double d = v < low ? low - v : v - high;
            int n = (int)(d / range);
            double r = d - n * range;
            return (v < low) == (n % 2 == 0) ? low + r : high - r;
        }

        public override void Lower(LoweringContext ctx)
        {
            var (batch, channels, depth, height, width, points, rank) = Dims(ctx.Node);
            var (mode, padding, align) = Settings(ctx.Node);
            ctx.Call("GridSample", ("x", ctx.Input(0)), ("grid", ctx.Input(1)), ("y", ctx.Output(0)), ("batch", batch), ("channels", channels),
                ("depth", depth), ("height", height), ("width", width), ("points", points), ("spatialRank", rank), ("mode", mode),
                ("padding", padding), ("alignCorners", align));
        }
    }
}
