namespace ModelGen
{
    /// <summary>
    /// The Winograd F(2×2, 3×3) weight transform, compiled into both the generator (which transforms constant weights at
    /// build time) and the runtime (Kernels.WinogradTransformWeights): U[ξ, m, c] = (G·w[m, c]·Gᵀ)[ξ] with
    /// G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]], as 16 row-major [M, C] matrices one after another.
    /// </summary>
    internal static class WinogradLayout
    {
        /// <summary>Transformed positions of one tile (4×4).</summary>
        public const int Positions = 16;

        /// <summary>w [M, C, 3, 3] (row-major) into u [16, M, C].</summary>
        public static float[] TransformWeights(float[] w, int outChannels, int channels)
        {
            int mc = outChannels * channels;
            var u = new float[Positions * mc];
            var t = new float[12];
            for (int i = 0; i < mc; i++)
            {
                int o = i * 9;
                // t = G·g (4×3), then G·g·Gᵀ (4×4).
                for (int col = 0; col < 3; col++)
                {
                    float g0 = w[o + col], g1 = w[o + 3 + col], g2 = w[o + 6 + col];
                    t[col] = g0;
                    t[3 + col] = 0.5f * (g0 + g1 + g2);
                    t[6 + col] = 0.5f * (g0 - g1 + g2);
                    t[9 + col] = g2;
                }
                for (int r = 0; r < 4; r++)
                {
                    float a0 = t[r * 3], a1 = t[r * 3 + 1], a2 = t[r * 3 + 2];
                    u[(r * 4 + 0) * mc + i] = a0;
                    u[(r * 4 + 1) * mc + i] = 0.5f * (a0 + a1 + a2);
                    u[(r * 4 + 2) * mc + i] = 0.5f * (a0 - a1 + a2);
                    u[(r * 4 + 3) * mc + i] = a2;
                }
            }
            return u;
        }
    }
}
