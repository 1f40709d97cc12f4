using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// What MatMulInteger, ConvInteger, QLinearMatMul and QLinearConv share: uint8/int8 checks, zero points and scales,
    /// and the build-time twins of the runtime's integer GEMM layouts (Kernels.GemmInt8.cs): B packed in 16-column panels
    /// of int16 (B − zb) pairs along K, and A rows widened to int16 (A − za), K padded to even.
    /// </summary>
    internal static class QuantizedMatrix
    {
        public const int PanelWidth = 16;

        /// <summary>Rows of A widened per block by the runtime (Kernels.Int8RowBlock).</summary>
        public const int RowBlock = 64;

        public static bool IsInt8(DataType t) => t is DataType.UInt8 or DataType.Int8;

        public static int KPairs(int k) => (k + 1) / 2;

        public static int PackedBLength(int k, int n) => (n + PanelWidth - 1) / PanelWidth * PanelWidth * 2 * KPairs(k);

        /// <summary>Kernels.MatMulIntegerScratchShorts.</summary>
        public static long MatMulScratchShorts(int m, int n, int k, bool packedAtBuildTime, bool requantize) =>
            (packedAtBuildTime ? 0 : PackedBLength(k, n)) + (long)Math.Min(m, RowBlock) * 2 * KPairs(k) + (requantize ? 2L * Math.Min(m, RowBlock) * n : 0);

        /// <summary>Kernels.ConvIntegerScratchShorts.</summary>
        public static long ConvScratchShorts(QuantizedConv s, bool widenedAtBuildTime, bool requantize)
        {
            int k = s.K, pixels = s.Pixels;
            var g = s.G;
            // Each spatial axis of a channel padded with the zero point (Kernels.PaddedExtent): 1-D and 2-D have unit leading axes.
            long padded = 1;
            for (int i = 0; i < g.Rank; i++)
                padded *= Math.Max(g.Input[i] + g.PadBegin[i], (g.Output[i] - 1) * g.Strides[i] + (g.Kernel[i] - 1) * g.Dilations[i] + 1);
            return (requantize ? 2L * (s.M / s.Group) * pixels : 0) + (widenedAtBuildTime ? 0 : (long)s.M * 2 * KPairs(k)) + PackedBLength(k, pixels)
                + 8L * k + (long)(s.C / s.Group) * padded;
        }

        /// <summary>Input <paramref name="index"/> must be uint8 or int8.</summary>
        public static DataType RequireInt8(Node node, int index, string what)
        {
            var v = node.Inputs[index] ?? throw new IrException($"expects input {what}");
            if (!IsInt8(v.Type))
                throw new UnsupportedException($"{what} '{v.Name}' has element type {DataTypes.OnnxName(v.Type)}; uint8 and int8 are supported");
            return v.Type;
        }

        /// <summary>An optional zero point: absent, or of <paramref name="type"/> with 1 or <paramref name="count"/> elements.</summary>
        public static Value? ZeroPoint(Node node, int index, DataType type, int count, string what, string perWhat)
        {
            var z = node.Input(index);
            if (z is null) return null;
            if (z.Type != type) throw new IrException($"{what} '{z.Name}' is {DataTypes.OnnxName(z.Type)} but its data is {DataTypes.OnnxName(type)}");
            int size = Shapes.Size(z.Shape!);
            if (size != 1 && size != count)
                throw new UnsupportedException($"{what} '{z.Name}' {Shapes.Format(z.Shape!)} (one element, or {count} {perWhat}, are supported)");
            return z;
        }

        /// <summary>Zero point values (1 or n of them), or null for none.</summary>
        public static long[]? Values(Value? v) => v?.Constant?.AsLongs();

        /// <summary>A float scale input known at build time: 1 element or <paramref name="count"/> (per <paramref name="perWhat"/>).</summary>
        public static float[] Scale(Node node, int index, int count, string what, string perWhat)
        {
            var s = node.Inputs[index] ?? throw new IrException($"expects input {what}");
            if (s.Type != DataType.Float && s.Type != DataType.Float16)
                throw new UnsupportedException($"{what} '{s.Name}' has element type {DataTypes.OnnxName(s.Type)}; float and float16 scales are supported");
            int size = Shapes.Size(s.Shape!);
            if (size != 1 && size != count)
                throw new UnsupportedException($"{what} '{s.Name}' {Shapes.Format(s.Shape!)} (one element{(perWhat.Length > 0 ? $", or {count} {perWhat}," : "")} supported)");
            if (s.Constant is null) throw new UnsupportedException($"{what} input '{s.Name}' must be known at build time");
            return s.Constant.AsFloats();
        }

        /// <summary>
        /// The requantization multipliers as ONNX Runtime forms them, in single precision: (x_scale · w_scale[i]) / y_scale,
        /// left to right, each step rounded to float.
        /// </summary>
        public static float[] Multipliers(float xScale, float[] wScale, float yScale)
        {
            var m = new float[wScale.Length];
            for (int i = 0; i < m.Length; i++)
            {
                float product = xScale * wScale[i];
                m[i] = product / yScale;
            }
            return m;
        }

        /// <summary>Build-time twin of Kernels.PackInt8B on B [k, n] at <paramref name="offset"/> (row-major).</summary>
        public static long[] PackB(long[] b, int offset, int k, int n, long[]? zeroPoint)
        {
            int kPairs = KPairs(k), panel = kPairs * 2 * PanelWidth;
            var packed = new long[PackedBLength(k, n)];
            for (int j = 0; j < n; j++)
            {
                long zb = zeroPoint is null ? 0 : zeroPoint[zeroPoint.Length == 1 ? 0 : j];
                int baseIndex = j / PanelWidth * panel + (j % PanelWidth) * 2;
                for (int p = 0; p < k; p++)
                    packed[baseIndex + (p >> 1) * 2 * PanelWidth + (p & 1)] = b[offset + p * n + j] - zb;
            }
            return packed;
        }

        /// <summary>Build-time twin of Kernels.WidenInt8Rows: rows × k minus the per-row (or scalar) zero point, K padded to even.</summary>
        public static long[] WidenRows(long[] a, int rows, int k, long[]? zeroPoint)
        {
            int stride = 2 * KPairs(k);
            var wide = new long[rows * stride];
            for (int r = 0; r < rows; r++)
            {
                long z = zeroPoint is null ? 0 : zeroPoint[zeroPoint.Length == 1 ? 0 : r % zeroPoint.Length];
                for (int p = 0; p < k; p++) wide[r * stride + p] = a[r * k + p] - z;
            }
            return wide;
        }

        /// <summary>
        /// The uint8 × int8 quad path (Kernels.GemmU8S8.cs) applies: B constant, 2-D and int8 with zero point 0 (absent or
        /// all zeros), A's zero point absent or scalar.
        /// </summary>
        public static bool UsesQuads(Node node, int aZeroIndex, int bIndex, int bZeroIndex)
        {
            var b = node.Inputs[bIndex]!;
            if (b.Shape!.Length != 2 || !IsSignedQuadWeight(node, bIndex, bZeroIndex)) return false;
            var za = node.Input(aZeroIndex);
            return za is null || Shapes.Size(za.Shape!) == 1;
        }

        /// <summary>
        /// Constant weights the quad kernels take: int8 with zero point 0 (absent or all zeros), or uint8 with every zero
        /// point 128, which is the same int8 weight shifted (w − 128 with zero point 0, exactly). ONNX Runtime's
        /// ConvInteger takes only uint8 weights, so dynamically quantized convolutions arrive in the second form.
        /// </summary>
        public static bool IsSignedQuadWeight(Node node, int wIndex, int wZeroIndex)
        {
            var w = node.Inputs[wIndex]!;
            if (w.Constant is null || (w.Type != DataType.Int8 && w.Type != DataType.UInt8)) return false;
            long zero = QuadWeightShift(w);
            var z = node.Input(wZeroIndex);
            if (z is null) return zero == 0;
            return z.Constant is not null && z.Constant.AsLongs().All(v => v == zero);
        }

        /// <summary>What <see cref="IsSignedQuadWeight"/> subtracts from a weight value: 128 for uint8, 0 for int8.</summary>
        public static long QuadWeightShift(Value w) => w.Type == DataType.UInt8 ? 128 : 0;

        /// <summary>The constant weight as the int8 values the quad kernels multiply (see <see cref="IsSignedQuadWeight"/>).</summary>
        public static long[] SignedQuadValues(Value w)
        {
            var values = w.Constant!.AsLongs();
            long shift = QuadWeightShift(w);
            if (shift == 0) return values;
            var shifted = new long[values.Length];
            for (int i = 0; i < values.Length; i++) shifted[i] = values[i] - shift;
            return shifted;
        }

        /// <summary>Kernels.PackedQuadBLength.</summary>
        public static int PackedQuadLength(int k, int n) => (n + PanelWidth - 1) / PanelWidth * PanelWidth * 4 * ((k + 3) / 4);

        /// <summary>Kernels.MatMulU8S8ScratchShorts.</summary>
        public static long QuadScratchShorts(int m, int n, int k, bool requantize) =>
            (requantize ? 2L * Math.Min(m, RowBlock) * n : 0) + (long)Math.Min(m, RowBlock) * 2 * ((k + 3) / 4) + 2L * n;

        /// <summary>Build-time twin of the quad layout: 16-column panels of ⌈k/4⌉ blocks of 64 bytes (column j: B[4q..4q+3, j]).</summary>
        public static long[] PackQuads(long[] b, int k, int n)
        {
            int kQuads = (k + 3) / 4, panel = 64 * kQuads;
            var packed = new long[PackedQuadLength(k, n)];
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++)
                    packed[j / PanelWidth * panel + (p >> 2) * 64 + (j % PanelWidth) * 4 + (p & 3)] = b[p * n + j];
            return packed;
        }

        /// <summary>Σ_p B[p, j] per column.</summary>
        public static long[] ColumnSums(long[] b, int k, int n)
        {
            var sums = new long[n];
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++) sums[j] += b[p * n + j];
            return sums;
        }

        /// <summary>
        /// Lowers a matrix product on the quad path (<see cref="UsesQuads"/>): B is 2-D, so A's batches fold into rows and
        /// one call does it all. Reports the layer's weights, stored as one byte each (MG0302, "int8").
        /// </summary>
        public static void LowerQuads(LoweringContext ctx, MatMulDims d, int bIndex, string kernel, TypeArg[] types, params (string Name, Arg Value)[] extra)
        {
            var bv = ctx.Node.Inputs[bIndex]!;
            var values = SignedQuadValues(bv);
            var packed = ctx.Weight(Tensor.FromLongs(DataType.Int8, new[] { PackedQuadLength(d.K, d.N) }, PackQuads(values, d.K, d.N)), bv.Name + "_quads");
            var sums = ctx.Weight(Tensor.FromLongs(DataType.Int32, new[] { d.N }, ColumnSums(values, d.K, d.N)), bv.Name + "_column_sums");
            long weights = (long)d.K * d.N;
            ctx.ReportCompression("int8", weights, weights, 4 * weights, weights + 4L * d.N);
            var args = new (string, Arg)[] { ("a", ctx.Input(0)), ("packedB", packed), ("columnSums", sums) }
                .Concat(extra)
                .Concat(new (string, Arg)[] { ("m", d.M * d.Count), ("n", d.N), ("k", d.K), ("scratch", ctx.Scratch(DataType.Int16)) }).ToArray();
            ctx.Call(kernel, types, args);
        }

        public static BufferArg Int16Weight(LoweringContext ctx, long[] values, string name) =>
            ctx.Weight(Tensor.FromLongs(DataType.Int16, new[] { values.Length }, values), name);

        public static BufferArg FloatWeight(LoweringContext ctx, float[] values, string name) =>
            ctx.Weight(Tensor.FromFloats(new[] { values.Length }, values), name);

        public static Arg OptionalInput(LoweringContext ctx, int index) => ctx.HasInput(index) ? ctx.Input(index) : Arg.None;

        /// <summary>
        /// Batched matrix-product geometry with numpy semantics (as MatMul): 1-D operands promoted and their axis removed,
        /// batch axes broadcast.
        /// </summary>
        public sealed class MatMulDims
        {
            public int M, N, K;
            public int[] ABatch = Array.Empty<int>(), BBatch = Array.Empty<int>(), Batch = Array.Empty<int>();
            public int[] Output = Array.Empty<int>();
            public int Count => Shapes.Size(Batch);

            public static MatMulDims Of(int[] a, int[] b)
            {
                if (a.Length < 1 || b.Length < 1) throw new IrException("A and B must have at least one axis");
                var am = a.Length == 1 ? new[] { 1, a[0] } : a;
                var bm = b.Length == 1 ? new[] { b[0], 1 } : b;
                var d = new MatMulDims { M = am[am.Length - 2], K = am[am.Length - 1], N = bm[bm.Length - 1] };
                if (bm[bm.Length - 2] != d.K) throw new IrException($"inner dimensions differ: A {Shapes.Format(a)}, B {Shapes.Format(b)}");
                d.ABatch = am.Take(am.Length - 2).ToArray();
                d.BBatch = bm.Take(bm.Length - 2).ToArray();
                d.Batch = Shapes.Broadcast(d.ABatch, d.BBatch) ?? throw new IrException($"batch axes of A {Shapes.Format(a)} and B {Shapes.Format(b)} do not broadcast");
                var output = new List<int>(d.Batch);
                if (a.Length > 1) output.Add(d.M);
                if (b.Length > 1) output.Add(d.N);
                d.Output = output.ToArray();
                return d;
            }

            /// <summary>Element offsets of A, B and Y for every output batch, in order.</summary>
            public (int[] A, int[] B, int[] Y) Offsets()
            {
                int count = Count;
                var sa = BinaryFloatOp.BroadcastStrides(ABatch, Batch);
                var sb = BinaryFloatOp.BroadcastStrides(BBatch, Batch);
                var strides = Shapes.Strides(Batch);
                var a = new int[count]; var b = new int[count]; var y = new int[count];
                for (int i = 0; i < count; i++)
                {
                    int ia = 0, ib = 0, rem = i;
                    for (int d = 0; d < Batch.Length; d++)
                    {
                        int idx = rem / strides[d]; rem %= strides[d];
                        ia += idx * sa[d]; ib += idx * sb[d];
                    }
                    a[i] = ia * M * K; b[i] = ib * K * N; y[i] = i * M * N;
                }
                return (a, b, y);
            }
        }

        /// <summary>
        /// Lowers a batched integer matrix product: one call when every batch shares B and A's batches are contiguous
        /// (the batches fold into rows), else a repeated call moving A, B and Y. A constant B with a constant (or no) zero
        /// point is packed now; otherwise the kernel packs it into scratch on each run.
        /// </summary>
        public static void LowerMatMul(LoweringContext ctx, MatMulDims d, int aIndex, int aZeroIndex, int bIndex, int bZeroIndex, bool packB,
            Func<int, BufferArg, BufferArg, BufferArg, Arg, KernelCall> makeCall, string bName)
        {
            var node = ctx.Node;
            var (ao, bo, yo) = d.Offsets();
            int count = d.Count;
            bool fold = bo.All(o => o == bo[0]) && ao.Select((o, i) => o == i * d.M * d.K).All(x => x);
            int m = d.M;
            if (fold && count > 1)
            {
                m = d.M * count;
                ao = new[] { 0 }; bo = new[] { bo[0] }; count = 1;
            }
            BufferArg b;
            int[] bOffsets = bo;
            string movingB;
            if (packB)
            {
                var bv = node.Inputs[bIndex]!;
                var values = bv.Constant!.AsLongs();
                var zb = Values(node.Input(bZeroIndex));
                var distinct = bo.Distinct().ToList();
                int length = PackedBLength(d.K, d.N);
                var packed = new long[distinct.Count * length];
                for (int i = 0; i < distinct.Count; i++)
                    Array.Copy(PackB(values, distinct[i], d.K, d.N, zb), 0, packed, i * length, length);
                b = Int16Weight(ctx, packed, bv.Name + "_packed");
                bOffsets = bo.Select(o => distinct.IndexOf(o) * length).ToArray();
                movingB = "packedB";
            }
            else
            {
                b = ctx.Input(bIndex);
                movingB = bName;
            }
            var a = ctx.Input(aIndex);
            var y = ctx.Output(0);
            if (count == 1)
            {
                ctx.Add(makeCall(m, Slice(a, ao[0]), Slice(b, bOffsets[0]), y, ctx.Scratch(DataType.Int16)));
                return;
            }
            var offsets = new[]
            {
                new RepeatOffsets("a", new Common.EquatableArray<int>(ao)),
                new RepeatOffsets(movingB, new Common.EquatableArray<int>(bOffsets)),
                new RepeatOffsets("y", new Common.EquatableArray<int>(yo)),
            };
            ctx.Add(new RepeatedCall(ctx.Origin, count, makeCall(m, a, b, y, ctx.Scratch(DataType.Int16)), new Common.EquatableArray<RepeatOffsets>(offsets)));
        }

        private static BufferArg Slice(BufferArg span, int offset) => offset == 0 ? span : new BufferArg(span.Buffer, span.Start + offset);
    }
}
