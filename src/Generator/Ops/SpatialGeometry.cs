using System;
using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Per spatial axis: kernel, stride, dilation, leading and trailing pad and output size of a Conv or pooling node, from
    /// its kernel_shape / strides / dilations / pads / auto_pad / ceil_mode attributes. The formulas follow ONNX Runtime
    /// (the oracle), including its "legacy" SAME padding for pooling and the ceil_mode rule that the last window must
    /// start inside the input or its leading pad.
    /// </summary>
    public sealed class SpatialGeometry
    {
        public int Rank => Input.Length;
        public int[] Input { get; private set; } = Array.Empty<int>();
        public int[] Kernel { get; private set; } = Array.Empty<int>();
        public int[] Strides { get; private set; } = Array.Empty<int>();
        public int[] Dilations { get; private set; } = Array.Empty<int>();
        public int[] PadBegin { get; private set; } = Array.Empty<int>();
        public int[] PadEnd { get; private set; } = Array.Empty<int>();
        public int[] Output { get; private set; } = Array.Empty<int>();
        public string AutoPad { get; private set; } = "NOTSET";

        public int DilatedKernel(int axis) => Dilations[axis] * (Kernel[axis] - 1) + 1;

        public static SpatialGeometry ForConv(Node node, int[] input, int[] kernel) => Compute(node, input, kernel, pool: false, ceilMode: false);

        public static SpatialGeometry ForPool(Node node, int[] input, int[] kernel, bool ceilMode) => Compute(node, input, kernel, pool: true, ceilMode);

        private static SpatialGeometry Compute(Node node, int[] input, int[] kernel, bool pool, bool ceilMode)
        {
            int rank = input.Length;
            var g = new SpatialGeometry { Input = input, Kernel = kernel };
            g.Strides = Ints(node, "strides", rank, 1);
            g.Dilations = Ints(node, "dilations", rank, 1);
            var pads = Ints(node, "pads", 2 * rank, 0);
            Require(g.Strides.All(s => s > 0), $"strides {Format(g.Strides)} must be positive");
            Require(g.Dilations.All(d => d > 0), $"dilations {Format(g.Dilations)} must be positive");
            Require(kernel.All(k => k > 0), $"kernel_shape {Format(kernel)} must be positive");
            string autoPad = node.Attributes.String("auto_pad", "NOTSET");
            if (autoPad.Length == 0) autoPad = "NOTSET";
            Require(autoPad is "NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER", $"auto_pad '{autoPad}' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER");
            g.AutoPad = autoPad;
            g.PadBegin = new int[rank];
            g.PadEnd = new int[rank];
            g.Output = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                int s = g.Strides[i], k = kernel[i], dk = g.DilatedKernel(i), n = input[i];
                int head = pads[i], tail = pads[rank + i], output;
                switch (autoPad)
                {
                    case "VALID":
                        head = tail = 0;
                        output = pool ? PoolOutput(n, s, dk, 0, 0, ceilMode) : (n - dk) / s + 1;
                        break;
                    case "SAME_UPPER":
                    case "SAME_LOWER":
                    {
                        int target = (n + s - 1) / s;
                        int needed = (target - 1) * s + dk - n;
                        head = autoPad == "SAME_LOWER" ? (needed + 1) / 2 : needed / 2;
                        tail = needed - head;
                        output = pool ? PoolOutput(n, s, dk, head, tail, ceilMode) : (n + needed - dk) / s + 1;
                        break;
                    }
                    default:
                        Require(head >= 0 && tail >= 0, $"pads {Format(pads)} must not be negative");
                        output = pool ? PoolOutput(n, s, dk, head, tail, ceilMode) : (int)Math.Floor((double)(n + head + tail - dk) / s) + 1;
                        break;
                }
                Require(output > 0, $"axis {i}: input {n}, kernel {k} (dilated {dk}), stride {s} and pads {head}+{tail} leave no output");
                g.PadBegin[i] = head;
                g.PadEnd[i] = tail;
                g.Output[i] = output;
            }
            return g;
        }

        private static int PoolOutput(int n, int s, int dk, int head, int tail, bool ceilMode)
        {
            int numerator = n + head + tail - dk;
            int output = numerator / s + 1;
            if (ceilMode)
            {
                output = (int)Math.Ceiling((float)numerator / s) + 1;
                // The last window must start inside the input or its leading pad.
                if ((output - 1) * s >= n + head) output--;
            }
            return output;
        }

        private static int[] Ints(Node node, string name, int count, int fallback)
        {
            var values = node.Attributes.Ints(name);
            if (values is null || values.Length == 0) return Enumerable.Repeat(fallback, count).ToArray();
            Require(values.Length == count, $"{name} has {values.Length} values, {count} expected");
            return values.Select(v => checked((int)v)).ToArray();
        }

        public static string Format(int[] values) => "[" + string.Join(",", values) + "]";

        private static void Require(bool condition, string message)
        {
            if (!condition) throw new IrException(message);
        }
    }
}
