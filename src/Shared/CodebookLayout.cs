namespace ModelGen
{
    /// <summary>
    /// The index layout of codebook weights, compiled into both the generator (which encodes constant weights at build
    /// time) and the runtime (which decodes them): one definition, so they cannot drift. Output channel j of W [n, k]
    /// (its k reduction weights) is a row of <see cref="RowBytes"/> bytes: blocks of 16 bytes, each holding
    /// <see cref="BlockIndices"/> consecutive indices of <c>bits</c> bits; index r of a block lives in byte r % 16 at
    /// bit (r / 16)·bits. So one 16-byte load, widened to 16 lanes and shifted by s·bits, gives the indices of 16
    /// consecutive weights (slot s): the decode is a shift, a mask and a 16-entry table lookup per 16 weights.
    /// Positions past k hold index 0. For bits = 8 the byte is a signed code (two's complement).
    /// </summary>
    internal static class CodebookLayout
    {
        public const int BlockBytes = 16;

        public static bool IsValidBits(int bits) => bits == 1 || bits == 2 || bits == 4 || bits == 8;

        /// <summary>Indices per 16-byte block.</summary>
        public static int BlockIndices(int bits) => 8 * BlockBytes / bits;

        /// <summary>16-weight slots per block.</summary>
        public static int Slots(int bits) => 8 / bits;

        public static int RowBytes(int k, int bits) => (k + BlockIndices(bits) - 1) / BlockIndices(bits) * BlockBytes;

        /// <summary>Byte of the row that holds the index of reduction position p.</summary>
        public static int ByteOf(int p, int bits) => p / BlockIndices(bits) * BlockBytes + p % BlockIndices(bits) % 16;

        /// <summary>Bit position of that index within its byte.</summary>
        public static int ShiftOf(int p, int bits) => p % BlockIndices(bits) / 16 * bits;

        /// <summary>
        /// Floats per output channel in the codebook array: 2^bits values for 1, 2 and 4 bits; for 8 bits the pair
        /// (scale, center), the weight being scale·(code + center) with code a signed byte.
        /// </summary>
        public static int Entries(int bits) => bits == 8 ? 2 : 1 << bits;

        /// <summary>Rows up to which the kernel decodes inside its dot products; more rows decode panels into scratch.</summary>
        public const int DirectRows = 8;

        /// <summary>Floats of decoded GEMM panels per chunk of output channels (256 KB, so a chunk stays in L2).</summary>
        public const int ChunkFloats = 64 * 1024;

        /// <summary>Output channels decoded per chunk: a multiple of 16.</summary>
        public static int ChunkColumns(int n, int k)
        {
            int all = (n + 15) / 16 * 16;
            int columns = System.Math.Max(16, ChunkFloats / System.Math.Max(k, 1) / 16 * 16);
            return System.Math.Min(columns, all);
        }

        /// <summary>Scratch floats of the codebook GEMM for m rows: the chunk's panels and 16 decoded rows.</summary>
        public static int GemmScratchFloats(int m, int n, int k) => m <= DirectRows ? 0 : (ChunkColumns(n, k) + 16) * k;
    }
}
