using System;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// The Winograd F(2×2, 3×3) strategy for Conv: when it applies, the block size it runs with, and the weights
    /// transformed at build time into the layout the runtime's Kernels.ConvWinograd reads (16 row-major [M, C] matrices).
    /// </summary>
    internal static class ConvWinograd
    {
        private const int Positions = WinogradLayout.Positions;

        /// <summary>Target floats of one block's transformed input plus its products (1 MB), so they stay near L2.</summary>
        private const int BlockFloats = 256 * 1024;

        /// <summary>
        /// 3×3, stride 1, dilation 1, ungrouped 2-D convolutions with constant weights, at least 32 input and 32 output
        /// channels and 36 tiles: there the 16 products per 2×2 tile (instead of 36) outweigh the transforms. With fewer
        /// tiles the transformed weights (16/9 of the original) are streamed for too little work (ResNet18's 7×7 stage).
        /// </summary>
        public static bool Applies(Node node, int group, int channels, int outChannels, int[] kernel, SpatialGeometry g)
        {
            if (g.Rank != 2 || group != 1 || kernel.Length != 2 || kernel[0] != 3 || kernel[1] != 3) return false;
            if (g.Strides[0] != 1 || g.Strides[1] != 1 || g.Dilations[0] != 1 || g.Dilations[1] != 1) return false;
            if (g.PadBegin[0] < 0 || g.PadBegin[1] < 0) return false;
            if (node.Inputs[1]?.Constant is null) return false;
            int tiles = (g.Output[0] + 1) / 2 * ((g.Output[1] + 1) / 2);
            return channels >= 32 && outChannels >= 32 && tiles >= 36;
        }

        /// <summary>Rows of tiles transformed and multiplied at a time.</summary>
        public static int TileRowsPerBlock(int channels, int outChannels, int outHeight, int outWidth)
        {
            int tilesW = (outWidth + 1) / 2, tilesH = (outHeight + 1) / 2;
            int rows = BlockFloats / (Positions * (channels + outChannels) * tilesW);
            return Math.Max(1, Math.Min(rows, tilesH));
        }

        /// <summary>Scratch floats; mirrors Kernels.WinogradScratch.</summary>
        public static long ScratchFloats(int channels, int outChannels, int outWidth, int tileRowsPerBlock)
        {
            int tilesW = (outWidth + 1) / 2;
            long ld = KernelLayout.RoundUp(tileRowsPerBlock * tilesW, KernelLayout.PanelWidth);
            return 2L * (2 * tileRowsPerBlock + 2) * (tilesW + 1) + Positions * (long)(channels + outChannels) * ld;
        }

        /// <summary>
        /// The shared transform (src/Shared/WinogradLayout.cs), each of the 16 [M, C] matrices packed as by <see cref="PackA"/>:
        /// the layout the runtime's Kernels.ConvWinograd reads.
        /// </summary>
        public static float[] TransformWeights(float[] w, int outChannels, int channels)
        {
            var plain = WinogradLayout.TransformWeights(w, outChannels, channels);
            int mc = outChannels * channels, packed = PackedALength(outChannels, channels);
            var u = new float[Positions * packed];
            for (int xi = 0; xi < Positions; xi++)
                Array.Copy(PackA(plain, xi * mc, outChannels, channels), 0, u, xi * packed, packed);
            return u;
        }

        public static int PackedALength(int m, int k) => GemmLayout.PackedALength(m, k);

        /// <summary>Row-major A [m, k] starting at <paramref name="offset"/> in the packed-A layout of src/Shared/GemmLayout.cs.</summary>
        public static float[] PackA(float[] a, int offset, int m, int k)
        {
            var packed = new float[PackedALength(m, k)];
            for (int i = 0; i < m; i++)
                for (int p = 0; p < k; p++) packed[GemmLayout.PackedAIndex(i, p, k)] = a[offset + i * k + p];
            return packed;
        }
    }
}
