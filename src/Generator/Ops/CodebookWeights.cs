using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Weights with few distinct values per output channel (binary ±α, int4/int8 weight-only quantization folded from a
    /// constant DequantizeLinear, clustered weights) stored as indices plus per-channel codebooks and computed from them
    /// (Kernels.CodebookGemm, Kernels.CodebookDecode). Detection runs on the folded float weight W [n, k] (n output
    /// channels, k reduction positions), bitwise, so it is lossless by construction: at most 2, 4 or 16 distinct values in
    /// every channel give 1-, 2- or 4-bit indices into tables of floats; otherwise, values that are all integer multiples
    /// (r·s, computed in float, |r| spanning at most 256 values) of one per-channel scale s give signed 8-bit codes with a
    /// scale and a center. Only layers of at least <see cref="MinWeights"/> weights that store at most half the float
    /// bytes are taken, and the cheapest exact form wins.
    /// </summary>
    public static class CodebookWeights
    {
        /// <summary>Smaller layers stay float (their weights sit in L1/L2 anyway).</summary>
        public const long MinWeights = 8192;

        /// <summary>W as indices and codebooks in the runtime's layout (CodebookLayout).</summary>
        public sealed class Encoding
        {
            public Encoding(int bits, byte[] codes, float[] codebooks, bool binary)
            {
                Bits = bits;
                Codes = codes;
                Codebooks = codebooks;
                Binary = binary;
            }

            public int Bits { get; }
            public byte[] Codes { get; }
            public float[] Codebooks { get; }

            /// <summary>Every channel's values are {−α, +α} (a binary-weight network).</summary>
            public bool Binary { get; }

            public long StoredBytes => Codes.Length + 4L * Codebooks.Length;

            public string Technique => Binary ? "bwn" : $"codebook {Bits}-bit";
        }

        [StructLayout(LayoutKind.Explicit)]
        private struct FloatBits
        {
            [FieldOffset(0)] public float Float;
            [FieldOffset(0)] public int Int;
        }

        private static int Bits(float f) => new FloatBits { Float = f }.Int;

        private static float FromBits(int i) => new FloatBits { Int = i }.Float;

        /// <summary>Encodings by weight array (detection walks every weight; the lowering asks more than once).</summary>
        private static readonly ConditionalWeakTable<float[], Box> Cache = new();

        private sealed class Box
        {
            public Box(int n, int k, Encoding? encoding) { N = n; K = k; Value = encoding; }
            public int N { get; }
            public int K { get; }
            public Encoding? Value { get; }
        }

        /// <summary>The cheapest exact codebook form of row-major W [n, k], or null when none pays.</summary>
        public static Encoding? TryEncode(float[] w, int n, int k)
        {
            lock (Cache)
                if (Cache.TryGetValue(w, out var box) && box.N == n && box.K == k) return box.Value;
            var encoding = Encode(w, n, k);
            // Models compile concurrently (one generator run per model): replace under the lock.
            lock (Cache)
            {
                Cache.Remove(w);
                Cache.Add(w, new Box(n, k, encoding));
            }
            return encoding;
        }

        private static Encoding? Encode(float[] w, int n, int k)
        {
            if ((long)n * k < MinWeights || w.Length < (long)n * k) return null;
            var distinct = new float[n][];
            int most = 0;
            var set = new HashSet<int>();
            for (int j = 0; j < n; j++)
            {
                set.Clear();
                for (int p = 0; p < k; p++)
                {
                    float v = w[j * k + p];
                    if (float.IsNaN(v) || float.IsInfinity(v)) return null;
                    if (set.Add(Bits(v)) && set.Count > 256) return null;
                }
                // Ordered by value, then by bits (−0 before +0): deterministic.
                distinct[j] = set.Select(FromBits).OrderBy(v => v).ThenBy(Bits).ToArray();
                most = Math.Max(most, set.Count);
            }
            Encoding? encoding = most <= 16 ? TableEncoding(w, n, k, distinct, most <= 2 ? 1 : most <= 4 ? 2 : 4) : ScaledEncoding(w, n, k, distinct);
            return encoding is not null && 2 * encoding.StoredBytes <= 4L * n * k ? encoding : null;
        }

        private static Encoding TableEncoding(float[] w, int n, int k, float[][] distinct, int bits)
        {
            int entries = 1 << bits, rowBytes = CodebookLayout.RowBytes(k, bits);
            var codes = new byte[(long)n * rowBytes];
            var books = new float[n * entries];
            bool binary = bits == 1;
            for (int j = 0; j < n; j++)
            {
                var values = distinct[j];
                Array.Copy(values, 0, books, j * entries, values.Length);
                if (values.Length == 2 ? values[0] != -values[1] : values.Length != 1 || values[0] == 0f) binary = false;
                var index = new Dictionary<int, int>();
                for (int e = 0; e < values.Length; e++) index[Bits(values[e])] = e;
                for (int p = 0; p < k; p++)
                {
                    int e = index[Bits(w[j * k + p])];
                    codes[j * rowBytes + CodebookLayout.ByteOf(p, bits)] |= (byte)(e << CodebookLayout.ShiftOf(p, bits));
                }
            }
            return new Encoding(bits, codes, books, binary);
        }

        /// <summary>Signed 8-bit codes when every channel's values are r·s for integers r (as a folded DequantizeLinear makes them).</summary>
        private static Encoding? ScaledEncoding(float[] w, int n, int k, float[][] distinct)
        {
            int rowBytes = CodebookLayout.RowBytes(k, 8);
            var codes = new byte[(long)n * rowBytes];
            var books = new float[2 * n];
            for (int j = 0; j < n; j++)
            {
                if (FindScale(distinct[j]) is not { } found) return null;
                books[2 * j] = found.Scale;
                books[2 * j + 1] = found.Center;
                for (int p = 0; p < k; p++)
                {
                    float v = w[j * k + p];
                    int r = (int)Math.Round(v / (double)found.Scale);
                    codes[j * rowBytes + CodebookLayout.ByteOf(p, 8)] = unchecked((byte)(sbyte)(r - found.Center));
                }
            }
            return new Encoding(8, codes, books, false);
        }

        /// <summary>
        /// A scale s and center c with every value exactly s·(code + c) in float, code a signed byte. Candidates: the
        /// largest magnitude divided by its multiple of the smallest step between values, and the smallest magnitudes
        /// divided by 1 to 4, each with its neighbouring floats, each checked on every value.
        /// </summary>
        private static (float Scale, int Center)? FindScale(float[] values)
        {
            var magnitudes = values.Where(v => v != 0f).Select(Math.Abs).Distinct().OrderBy(v => v).ToArray();
            if (magnitudes.Length == 0) return (1f, 0);
            var bases = new List<double>();
            double step = magnitudes[0];
            for (int i = 1; i < values.Length; i++)
                if (values[i] - (double)values[i - 1] > 0) step = Math.Min(step, values[i] - (double)values[i - 1]);
            double largest = magnitudes[magnitudes.Length - 1];
            double multiple = Math.Round(largest / step);
            if (multiple >= 1 && multiple <= 255) bases.Add(largest / multiple);
            foreach (var m in magnitudes.Take(3))
                for (int divisor = 1; divisor <= 4; divisor++) bases.Add(m / (double)divisor);
            foreach (var b in bases)
            {
                float baseScale = (float)b;
                for (int ulp = -3; ulp <= 3; ulp++)
                {
                    float s = FromBits(Bits(baseScale) + ulp);
                    if (!(s > 0f) || float.IsInfinity(s)) continue;
                    if (Check(values, s) is { } center) return (s, center);
                }
            }
            return null;
        }

        private static int? Check(float[] values, float s)
        {
            int min = int.MaxValue, max = int.MinValue;
            foreach (var v in values)
            {
                double q = Math.Round(v / (double)s);
                if (Math.Abs(q) > 255) return null;
                int r = (int)q;
                if ((float)r * s != v) return null;
                min = Math.Min(min, r);
                max = Math.Max(max, r);
            }
            if (max - min > 255) return null;
            int center = min >= -128 && max <= 127 ? 0 : min + 128;
            // The kernel decodes s·((float)code + center): the same float product as s·r when code + center = r exactly.
            foreach (var v in values)
            {
                int r = (int)Math.Round(v / (double)s);
                if (s * ((float)(r - center) + center) != v) return null;
            }
            return center;
        }

        // ---- Gemm and MatMul: Y [m, n] = A [m, k] · Wᵀ ----

        /// <summary>Gemm with a constant B, run-time A (not transposed) and no C or a row of C: the weights as a codebook.</summary>
        public static Encoding? ForGemm(Node node)
        {
            // Gemm.Lower asks SparseGemm first: pruned weights go to the sparse kernels.
            var av = node.Inputs[0]; var bv = node.Inputs[1];
            if (av is null || bv?.Constant is null || av.Constant is not null || av.Rank != 2 || bv.Rank != 2) return null;
            if (node.Attributes.Int("transA", 0) != 0) return null;
            float beta = node.Attributes.Float("beta", 1f);
            var c = node.Input(2);
            if (c is not null && beta != 0 && (c.Constant is null || (c.Rank == 2 ? c.Shape![0] : 1) != 1)) return null;
            bool tb = node.Attributes.Int("transB", 0) != 0;
            int n = tb ? bv.Shape![0] : bv.Shape![1], k = tb ? bv.Shape![1] : bv.Shape![0];
            float alpha = node.Attributes.Float("alpha", 1f);
            var b = bv.Constant.AsFloats();
            if (!tb || alpha != 1f) return TryEncode(Channels(b, k, n, tb, alpha), n, k);
            return TryEncode(b, n, k);
        }

        /// <summary>MatMul with a constant 2-D B [k, n] (n &gt; 1) and a run-time float A.</summary>
        public static Encoding? ForMatMul(Node node)
        {
            // MatMul.Lower asks SparseGemm first, as Gemm does.
            var av = node.Inputs[0]; var bv = node.Inputs[1];
            if (av is null || bv?.Constant is null || av.Constant is not null || av.Type != DataType.Float || bv.Rank != 2 || av.Rank < 1) return null;
            int k = bv.Shape![0], n = bv.Shape[1];
            if (n <= 1) return null;
            return TryEncode(Channels(bv.Constant.AsFloats(), k, n, false, 1f), n, k);
        }

        /// <summary>W [n, k] from B ([k, n], or [n, k] when transposed), times alpha. Cached per B so detection runs once.</summary>
        private static float[] Channels(float[] b, int k, int n, bool transposed, float alpha)
        {
            lock (TransposedCache)
                if (TransposedCache.TryGetValue(b, out var cached) && cached.Alpha == alpha && cached.K == k && cached.FromTransposed == transposed) return cached.W;
            var w = new float[b.Length];
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++)
                    w[j * k + p] = (transposed ? b[j * k + p] : b[p * n + j]) * alpha;
            lock (TransposedCache)
            {
                TransposedCache.Remove(b);
                TransposedCache.Add(b, new Transposed(w, alpha, k, transposed));
            }
            return w;
        }

        private sealed class Transposed
        {
            public Transposed(float[] w, float alpha, int k, bool fromTransposed) { W = w; Alpha = alpha; K = k; FromTransposed = fromTransposed; }
            public float[] W { get; }
            public float Alpha { get; }
            public int K { get; }
            public bool FromTransposed { get; }
        }

        private static readonly ConditionalWeakTable<float[], Transposed> TransposedCache = new();

        public static long GemmScratchBytes(Node node)
        {
            var a = node.Inputs[0]!.Shape!; var b = node.Inputs[1]!.Shape!;
            bool tb = node.OpType == "Gemm" && node.Attributes.Int("transB", 0) != 0;
            int n = tb ? b[0] : b[1], k = tb ? b[1] : b[0];
            int m = Shapes.Size(a) / Math.Max(k, 1);
            return 4L * CodebookLayout.GemmScratchFloats(m, n, k);
        }

        /// <summary>Gemm: Y = act(A·W'ᵀ + beta·C) with C a row (or absent); alpha is in the codebooks.</summary>
        public static void LowerGemm(LoweringContext ctx, Encoding e)
        {
            var node = ctx.Node;
            var bv = node.Inputs[1]!;
            bool tb = node.Attributes.Int("transB", 0) != 0;
            int m = node.Inputs[0]!.Shape![0], k = node.Inputs[0]!.Shape![1], n = tb ? bv.Shape![0] : bv.Shape![1];
            Arg colBias = Arg.None;
            var c = node.Input(2);
            float beta = node.Attributes.Float("beta", 1f);
            if (c is not null && beta != 0)
            {
                var data = c.Constant!.AsFloats();
                int cCols = c.Rank == 0 ? 1 : c.Shape![c.Rank - 1];
                colBias = ctx.Weight(Tensor.FromFloats(new[] { n }, Enumerable.Range(0, n).Select(j => beta * data[cCols == 1 ? 0 : j]).ToArray()), c.Name + "_bias");
            }
            Lower(ctx, e, ctx.Input(0), m, n, k, ctx.Output(0), colBias, bv.Name);
        }

        /// <summary>MatMul: every row of A (batch axes folded into rows) times Wᵀ.</summary>
        public static void LowerMatMul(LoweringContext ctx, Encoding e)
        {
            var node = ctx.Node;
            var bv = node.Inputs[1]!;
            int k = bv.Shape![0], n = bv.Shape[1];
            int m = Shapes.Size(node.Inputs[0]!.Shape!) / Math.Max(k, 1);
            Lower(ctx, e, ctx.Input(0), m, n, k, ctx.Output(0), Arg.None, bv.Name);
        }

        /// <summary>One CodebookGemm step (also a 1×1 convolution of a 1×1 image), reported as compressed.</summary>
        internal static void Lower(LoweringContext ctx, Encoding e, BufferArg a, int m, int n, int k, BufferArg y, Arg colBias, string name)
        {
            var (codes, books) = Weights(ctx, e, name, n, k);
            Arg scratch = CodebookLayout.GemmScratchFloats(m, n, k) > 0 ? ctx.Scratch() : Arg.None;
            ctx.Call("CodebookGemm", ("a", a), ("lda", k), ("codes", codes), ("codebooks", books), ("bits", e.Bits), ("c", y), ("ldc", n),
                ("m", m), ("n", n), ("k", k), ("colBias", colBias), ("activation", KernelLayout.Activation(ctx.Node)), ("scratch", scratch));
        }

        /// <summary>The indices and codebooks as weights of the model, and the MG0302 report of the layer.</summary>
        internal static (BufferArg Codes, BufferArg Codebooks) Weights(LoweringContext ctx, Encoding e, string name, int n, int k)
        {
            long weights = (long)n * k;
            ctx.ReportCompression(e.Technique, weights, weights, 4 * weights, e.StoredBytes);
            var codes = ctx.Weight(new Tensor(DataType.UInt8, new[] { e.Codes.Length }, longs: e.Codes.Select(b => (long)b).ToArray()), name + "_codes");
            var books = ctx.Weight(Tensor.FromFloats(new[] { e.Codebooks.Length }, e.Codebooks), name + "_codebooks");
            return (codes, books);
        }
    }
}
