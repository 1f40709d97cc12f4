using System;
using System.Globalization;
using ModelGen.Emit;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Build-time helpers shared by the Conv, Gemm and MatMul emitters (fused activations, packed weights).</summary>
    public static class KernelEmit
    {
        /// <summary>Columns per B panel; equals the runtime's Kernels.GemmPanelWidth.</summary>
        public const int PanelWidth = 16;

        /// <summary>Target floats of one im2col block (256 KB, so it stays in L2 next to the weights).</summary>
        public const int Im2ColBlockFloats = 64 * 1024;

        public static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

        public static string F(float value) => CSharpLiterals.Float(value);

        /// <summary>The runtime FusedActivation expression for a node's fused epilogue.</summary>
        public static string Activation(Node node)
        {
            var a = node.FusedActivation;
            if (a is null) return "default";
            return $"new {EmitContext.Runtime}.FusedActivation({EmitContext.Runtime}.ActivationKind.{Kind(a)}, {F(a.Alpha)}, {F(a.Beta)})";
        }

        /// <summary>The runtime ActivationKind member name for an IR activation.</summary>
        public static string Kind(Activation a) => a.Kind switch
        {
            "Relu" or "LeakyRelu" or "Clip" or "Sigmoid" or "HardSigmoid" or "HardSwish" or "Tanh" => a.Kind,
            _ => throw new InvalidOperationException($"unknown fused activation {a.Kind}"),
        };

        /// <summary>Scalar C# for the activation applied to <paramref name="x"/> (a float expression without side effects).</summary>
        public static string ApplyScalar(Activation? a, string x) => a?.Kind switch
        {
            null => x,
            "Relu" => $"global::System.MathF.Max({x}, 0f)",
            "Clip" => $"global::System.MathF.Min(global::System.MathF.Max({x}, {F(a.Alpha)}), {F(a.Beta)})",
            _ => $"act.Apply({x})",
        };

        /// <summary>Vector C# (<paramref name="vector"/> is e.g. "global::System.Runtime.Intrinsics.Vector512") for the activation.</summary>
        public static string ApplyVector(Activation? a, string vector, string x) => a?.Kind switch
        {
            null => x,
            "Relu" => $"{vector}.Max({x}, {vector}<float>.Zero)",
            "Clip" => $"{vector}.Min({vector}.Max({x}, {vector}.Create({F(a.Alpha)})), {vector}.Create({F(a.Beta)}))",
            _ => $"act.Apply({x})",
        };

        /// <summary>Packs row-major B[k, n] into 16-column panels exactly like the runtime's Kernels.PackB.</summary>
        public static float[] PackB(float[] b, int k, int n, float scale = 1f)
        {
            int panels = (n + PanelWidth - 1) / PanelWidth;
            var packed = new float[panels * PanelWidth * k];
            for (int p = 0; p < panels; p++)
                for (int r = 0; r < k; r++)
                    for (int j = 0; j < PanelWidth; j++)
                    {
                        int col = p * PanelWidth + j;
                        if (col < n) packed[(p * k + r) * PanelWidth + j] = b[r * n + col] * scale;
                    }
            return packed;
        }

        /// <summary>Output pixels per im2col block: a multiple of 16, at least 32 (or all pixels, rounded up).</summary>
        public static int ConvChunk(int kernelSize, int outputPixels)
        {
            int all = RoundUp(outputPixels, PanelWidth);
            int chunk = Math.Max(32, Im2ColBlockFloats / Math.Max(kernelSize, 1) / PanelWidth * PanelWidth);
            return Math.Min(chunk, all);
        }

        public static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

        public static string Ints(int[] values) => "new int[] { " + string.Join(", ", Array.ConvertAll(values, v => I(v))) + " }";
    }
}
