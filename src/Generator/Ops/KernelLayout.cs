using System;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>Build-time decisions shared by the Conv, Gemm and MatMul lowerings: weight packing, block sizes, epilogues.</summary>
    public static class KernelLayout
    {
        /// <summary>Columns per packed B panel (the runtime's GemmLayout.PanelWidth: one definition, linked into both).</summary>
        public const int PanelWidth = GemmLayout.PanelWidth;

        /// <summary>Target floats of one im2col block (256 KB, so it stays in L2 next to the weights).</summary>
        public const int Im2ColBlockFloats = 64 * 1024;

        /// <summary>The runtime FusedActivation argument for a node's fused epilogue.</summary>
        public static Arg Activation(Node node) => Activation(Spec(node.FusedActivation));

        public static Arg Activation(ActivationSpec? a) => a is null
            ? Arg.None
            : Arg.New("FusedActivation", ("kind", Arg.Enum("ActivationKind", Kind(a))), ("alpha", a.Alpha), ("beta", a.Beta));

        public static ActivationSpec? Spec(Activation? a) => a is null ? null : new ActivationSpec(a.Kind, a.Alpha, a.Beta);

        /// <summary>The runtime ActivationKind member name for an activation.</summary>
        public static string Kind(ActivationSpec a) => a.Kind switch
        {
            "Relu" or "LeakyRelu" or "Clip" or "Sigmoid" or "HardSigmoid" or "HardSwish" or "Tanh" or "Silu" => a.Kind,
            _ => throw new InvalidOperationException($"unknown fused activation {a.Kind}"),
        };

        /// <summary>Packs row-major B[k, n] into panels exactly as the runtime's Kernels.PackB does (GemmLayout.PackedIndex).</summary>
        public static float[] PackB(float[] b, int k, int n, float scale = 1f)
        {
            var packed = new float[GemmLayout.PackedLength(k, n)];
            for (int r = 0; r < k; r++)
                for (int col = 0; col < n; col++)
                    packed[GemmLayout.PackedIndex(r, col, k)] = b[r * n + col] * scale;
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
    }
}
