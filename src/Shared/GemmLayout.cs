namespace ModelGen
{
    /// <summary>
    /// The packed-B layout of the GEMM kernels, compiled into both the generator (which packs constant weights at build
    /// time) and the runtime (which packs at run time and reads packed panels): one definition, so they cannot drift.
    /// B[k, n] is stored as panels of <see cref="PanelWidth"/> columns; panel p holds rows 0..k-1 of its columns,
    /// zero-padded past n.
    /// </summary>
    internal static class GemmLayout
    {
        public const int PanelWidth = 16;

        public static int PackedLength(int k, int n) => (n + PanelWidth - 1) / PanelWidth * PanelWidth * k;

        public static int PackedIndex(int row, int column, int k) => ((column / PanelWidth) * k + row) * PanelWidth + column % PanelWidth;

        /// <summary>Rows per block of a packed A (weights read as one sequential stream per micro-kernel).</summary>
        public const int PackedARows = 8;

        /// <summary>Floats of A [m, k] packed: blocks of <see cref="PackedARows"/> rows, each k columns of 8 floats, zero-padded.</summary>
        public static int PackedALength(int m, int k) => (m + PackedARows - 1) / PackedARows * PackedARows * k;

        public static int PackedAIndex(int row, int column, int k) => row / PackedARows * PackedARows * k + column * PackedARows + row % PackedARows;
    }
}
