using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Runtime;

/// <summary>
/// 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3): each 2×2 block of output pixels (a tile) comes
/// from a 4×4 window of input through 16 element-wise products in a transformed domain, 16 multiplies instead of 36.
/// Over all channels the products become 16 matrix products U[ξ] [M, C] · V[ξ] [C, tiles], one per transformed position
/// ξ, run by the register-blocked GEMM. U = G·g·Gᵀ is computed from the weights at build time
/// (<see cref="WinogradTransformWeights"/>); V = Bᵀ·d·B and the output Aᵀ·m·A are computed here, a block of tile rows at
/// a time so V and the products stay in cache.
/// </summary>
public static partial class Kernels
{
    /// <summary>Transformed positions of one F(2×2, 3×3) tile (4×4).</summary>
    public const int WinogradPositions = WinogradLayout.Positions;

    /// <summary>
    /// U[ξ, m, c] = (G·w[m, c]·Gᵀ)[ξ] for 3×3 weights w [M, C, 3, 3], with G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]],
    /// in the layout <see cref="ConvWinograd"/> reads: 16 [M, C] matrices packed by <see cref="PackA"/>, one after another
    /// (<see cref="WinogradWeightLength"/> floats).
    /// </summary>
    public static void WinogradTransformWeights(ReadOnlySpan<float> w, int outChannels, int channels, Span<float> u)
    {
        int mc = outChannels * channels;
        if (outChannels < 0 || channels < 0 || w.Length < mc * 9 || u.Length < WinogradWeightLength(outChannels, channels))
            throw new ArgumentException("Winograd weight transform: expected w of M·C·9 and u of WinogradWeightLength(M, C) floats.");
        // The transform generated code is built with (src/Shared/WinogradLayout.cs); a copy, as it runs once per model.
        var plain = WinogradLayout.TransformWeights(w.Slice(0, mc * 9).ToArray(), outChannels, channels);
        int packed = PackedALength(outChannels, channels);
        for (int xi = 0; xi < WinogradPositions; xi++)
            PackA(plain.AsSpan(xi * mc, mc), channels, outChannels, channels, u.Slice(xi * packed, packed));
    }

    /// <summary>Floats of the transformed weights: 16 packed [M, C] matrices.</summary>
    public static int WinogradWeightLength(int outChannels, int channels) => WinogradPositions * PackedALength(outChannels, channels);

    /// <summary>Tile columns (2 output columns each) and the padded row length of the column phases.</summary>
    private static int WinogradTilesW(int outWidth) => (outWidth + 1) / 2;

    /// <summary>Columns of V and of the products for a block of tile rows (a multiple of 16, so every GEMM panel is whole).</summary>
    private static int WinogradLd(int outWidth, int tileRowsPerBlock) => (tileRowsPerBlock * WinogradTilesW(outWidth) + GemmPanelWidth - 1) / GemmPanelWidth * GemmPanelWidth;

    /// <summary>Scratch floats <see cref="ConvWinograd"/> needs.</summary>
    public static int WinogradScratch(int channels, int outChannels, int outWidth, int tileRowsPerBlock)
    {
        int tilesW = WinogradTilesW(outWidth), ld = WinogradLd(outWidth, tileRowsPerBlock);
        return 2 * (2 * tileRowsPerBlock + 2) * (tilesW + 1) + WinogradPositions * (channels + outChannels) * ld;
    }

    /// <summary>
    /// y = act(conv(x, w) + bias) for a 3×3, stride-1, dilation-1, ungrouped 2-D convolution of <paramref name="batch"/>
    /// images x [C, H, W] into y [M, OH, OW] with leading pads (padTop, padLeft) (the trailing pads follow from OH and OW),
    /// from weights transformed by <see cref="WinogradTransformWeights"/>. <paramref name="tileRowsPerBlock"/> rows of
    /// tiles (2 output rows each) are transformed and multiplied at a time; scratch holds <see cref="WinogradScratch"/> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ConvWinograd(ReadOnlySpan<float> x, ReadOnlySpan<float> u, ReadOnlySpan<float> bias, Span<float> y, int batch,
        int channels, int height, int width, int outChannels, int outHeight, int outWidth, int padTop, int padLeft, int tileRowsPerBlock,
        FusedActivation activation, Span<float> scratch, ReadOnlySpan<float> residual = default)
    {
        if (!residual.IsEmpty)
        {
            // A fused residual Add: the convolution first, then y = act(y + residual) in one pass.
            int count = batch * outChannels * outHeight * outWidth;
            ConvWinograd(x, u, bias, y, batch, channels, height, width, outChannels, outHeight, outWidth, padTop, padLeft, tileRowsPerBlock, default, scratch);
            AddResidual(y.Slice(0, count), residual, activation);
            return;
        }
        int C = channels, M = outChannels, H = height, W = width, OH = outHeight, OW = outWidth;
        if (batch < 0 || C <= 0 || M <= 0 || H <= 0 || W <= 0 || OH <= 0 || OW <= 0 || tileRowsPerBlock <= 0 || padTop < 0 || padLeft < 0)
            throw new ArgumentException("Winograd convolution: expected positive sizes, tile rows and non-negative leading pads.");
        if (x.Length < batch * C * H * W || u.Length < WinogradWeightLength(M, C) || y.Length < batch * M * OH * OW)
            throw new ArgumentException("Winograd convolution operand too short.");
        if (!bias.IsEmpty && bias.Length < M) throw new ArgumentException("Winograd convolution bias too short.", nameof(bias));
        if (scratch.Length < WinogradScratch(C, M, OW, tileRowsPerBlock)) throw new ArgumentException("Winograd convolution scratch too short.", nameof(scratch));

        int tilesW = WinogradTilesW(OW), tilesH = (OH + 1) / 2, rl = tilesW + 1;
        int ld = WinogradLd(OW, tileRowsPerBlock);
        int planeFloats = 2 * (2 * tileRowsPerBlock + 2) * rl;
        var plane = scratch.Slice(0, planeFloats);
        var v = scratch.Slice(planeFloats, WinogradPositions * C * ld);
        var prod = scratch.Slice(planeFloats + WinogradPositions * C * ld, WinogradPositions * M * ld);
        var none = new GemmEpilogue(default, default, 1f, false, default);
        int packedU = PackedALength(M, C);
        for (int n = 0; n < batch; n++)
        {
            var xn = x.Slice(n * C * H * W, C * H * W);
            var yn = y.Slice(n * M * OH * OW, M * OH * OW);
            for (int ty0 = 0; ty0 < tilesH; ty0 += tileRowsPerBlock)
            {
                int count = Math.Min(tileRowsPerBlock, tilesH - ty0), tiles = count * tilesW;
                int rows = 2 * count + 2;
                for (int c = 0; c < C; c++)
                {
                    // Column phases of the block's padded rows: plane[p, r, j] = x[2·ty0 − padTop + r, 2j + p − padLeft].
                    PadPlane(xn.Slice(c * H * W, H * W), H, W, padTop - 2 * ty0, padLeft, 2, rows, rl, plane);
                    ref float vc = ref Unsafe.Add(ref MemoryMarshal.GetReference(v), c * ld);
                    WinogradInput(ref MemoryMarshal.GetReference(plane), rows, rl, count, tilesW, ref vc, (nint)C * ld);
                    // Columns past the block's tiles feed only discarded GEMM columns: keep them finite (and not denormal).
                    for (int xi = 0; xi < WinogradPositions; xi++) ZeroSmall(ref Unsafe.Add(ref vc, xi * C * ld + tiles), ld - tiles);
                }
                for (int xi = 0; xi < WinogradPositions; xi++)
                    GemmPanels(ref Unsafe.Add(ref MemoryMarshal.GetReference(u), xi * packedU), C, ref Unsafe.Add(ref MemoryMarshal.GetReference(v), xi * C * ld), ld,
                        GemmPanelWidth, ld / GemmPanelWidth, ref Unsafe.NullRef<float>(), M, ld, C, ref Unsafe.Add(ref MemoryMarshal.GetReference(prod), xi * M * ld), ld, none, packedA: true);
                for (int m = 0; m < M; m++)
                {
                    float b = bias.IsEmpty ? 0f : bias[m];
                    WinogradOutput(ref Unsafe.Add(ref MemoryMarshal.GetReference(prod), m * ld), (nint)M * ld, count, tilesW, b, activation,
                        ref Unsafe.Add(ref MemoryMarshal.GetReference(yn), m * OH * OW), 2 * ty0, OH, OW);
                }
            }
        }
    }

    /// <summary>Input transform of one channel's block with the widest vector that fits a tile row.</summary>
    private static void WinogradInput(ref float plane, int rows, int rl, int count, int tilesW, ref float v, nint posStride)
    {
        if (Vector512.IsHardwareAccelerated && tilesW >= 16) WinogradInput<W512>(ref plane, rows, rl, count, tilesW, ref v, posStride);
        else if (Vector256.IsHardwareAccelerated && tilesW >= 8) WinogradInput<W256>(ref plane, rows, rl, count, tilesW, ref v, posStride);
        else if (Vector128.IsHardwareAccelerated && tilesW >= 4) WinogradInput<W128>(ref plane, rows, rl, count, tilesW, ref v, posStride);
        else WinogradInput<W1>(ref plane, rows, rl, count, tilesW, ref v, posStride);
    }

    /// <summary>
    /// V[ξ, t] = (Bᵀ·d_t·B)[ξ] for the tiles t of <paramref name="count"/> tile rows, with Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0],
    /// [0, −1, 1, 0], [0, 1, 0, −1]]; d_t is read from the column phases (even columns d0, d2 at j, j + 1 of phase 0; odd
    /// columns d1, d3 of phase 1), so every load is unit-stride over the tiles of a row. The last vector of a row overlaps
    /// the one before it when the row is not a multiple of the width (it recomputes the same values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WinogradInput<TV>(ref float plane, int rows, int rl, int count, int tilesW, ref float v, nint posStride) where TV : struct, IWinogradVector<TV>
    {
        ref float odd = ref Unsafe.Add(ref plane, rows * rl);
        for (int t = 0; t < count; t++)
        {
            ref float vt = ref Unsafe.Add(ref v, t * tilesW);
            for (int tx = 0; ; tx += TV.Count)
            {
                if (tx > tilesW - TV.Count)
                {
                    if (tx >= tilesW) break;
                    tx = tilesW - TV.Count;
                }
                // Row transform of the 4 input rows of the tile row: h[i, 0..3].
                TV h00, h01, h02, h03, h10, h11, h12, h13, h20, h21, h22, h23, h30, h31, h32, h33;
                RowTransform<TV>(ref Unsafe.Add(ref plane, (2 * t + 0) * rl + tx), ref Unsafe.Add(ref odd, (2 * t + 0) * rl + tx), out h00, out h01, out h02, out h03);
                RowTransform<TV>(ref Unsafe.Add(ref plane, (2 * t + 1) * rl + tx), ref Unsafe.Add(ref odd, (2 * t + 1) * rl + tx), out h10, out h11, out h12, out h13);
                RowTransform<TV>(ref Unsafe.Add(ref plane, (2 * t + 2) * rl + tx), ref Unsafe.Add(ref odd, (2 * t + 2) * rl + tx), out h20, out h21, out h22, out h23);
                RowTransform<TV>(ref Unsafe.Add(ref plane, (2 * t + 3) * rl + tx), ref Unsafe.Add(ref odd, (2 * t + 3) * rl + tx), out h30, out h31, out h32, out h33);
                ref float o = ref Unsafe.Add(ref vt, tx);
                TV.Store(TV.Sub(h00, h20), ref Unsafe.Add(ref o, 0 * posStride));
                TV.Store(TV.Sub(h01, h21), ref Unsafe.Add(ref o, 1 * posStride));
                TV.Store(TV.Sub(h02, h22), ref Unsafe.Add(ref o, 2 * posStride));
                TV.Store(TV.Sub(h03, h23), ref Unsafe.Add(ref o, 3 * posStride));
                TV.Store(TV.Add(h10, h20), ref Unsafe.Add(ref o, 4 * posStride));
                TV.Store(TV.Add(h11, h21), ref Unsafe.Add(ref o, 5 * posStride));
                TV.Store(TV.Add(h12, h22), ref Unsafe.Add(ref o, 6 * posStride));
                TV.Store(TV.Add(h13, h23), ref Unsafe.Add(ref o, 7 * posStride));
                TV.Store(TV.Sub(h20, h10), ref Unsafe.Add(ref o, 8 * posStride));
                TV.Store(TV.Sub(h21, h11), ref Unsafe.Add(ref o, 9 * posStride));
                TV.Store(TV.Sub(h22, h12), ref Unsafe.Add(ref o, 10 * posStride));
                TV.Store(TV.Sub(h23, h13), ref Unsafe.Add(ref o, 11 * posStride));
                TV.Store(TV.Sub(h10, h30), ref Unsafe.Add(ref o, 12 * posStride));
                TV.Store(TV.Sub(h11, h31), ref Unsafe.Add(ref o, 13 * posStride));
                TV.Store(TV.Sub(h12, h32), ref Unsafe.Add(ref o, 14 * posStride));
                TV.Store(TV.Sub(h13, h33), ref Unsafe.Add(ref o, 15 * posStride));
            }
        }
    }

    /// <summary>d·B for one input row: d0..d3 are columns 2j..2j + 3 (even phase at j, j + 1; odd phase at j, j + 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowTransform<TV>(ref float even, ref float odd, out TV h0, out TV h1, out TV h2, out TV h3) where TV : struct, IWinogradVector<TV>
    {
        var d0 = TV.Load(ref even);
        var d1 = TV.Load(ref odd);
        var d2 = TV.Load(ref Unsafe.Add(ref even, 1));
        var d3 = TV.Load(ref Unsafe.Add(ref odd, 1));
        h0 = TV.Sub(d0, d2);
        h1 = TV.Add(d1, d2);
        h2 = TV.Sub(d2, d1);
        h3 = TV.Sub(d1, d3);
    }

    /// <summary>Output transform of one output channel's block with the widest vector that fits a tile row.</summary>
    private static void WinogradOutput(ref float prod, nint posStride, int count, int tilesW, float bias, in FusedActivation act, ref float y, int oy0, int OH, int OW)
    {
        if (Vector512.IsHardwareAccelerated && tilesW >= 16) WinogradOutput<W512>(ref prod, posStride, count, tilesW, bias, act, ref y, oy0, OH, OW);
        else if (Vector256.IsHardwareAccelerated && tilesW >= 8) WinogradOutput<W256>(ref prod, posStride, count, tilesW, bias, act, ref y, oy0, OH, OW);
        else if (Vector128.IsHardwareAccelerated && tilesW >= 4) WinogradOutput<W128>(ref prod, posStride, count, tilesW, bias, act, ref y, oy0, OH, OW);
        else WinogradOutput<W1>(ref prod, posStride, count, tilesW, bias, act, ref y, oy0, OH, OW);
    }

    /// <summary>
    /// y tile = act(Aᵀ·m·A + bias) with Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]], for the tiles of <paramref name="count"/> tile
    /// rows starting at output row <paramref name="oy0"/>. The 2×2 results of a vector of tiles are interleaved into the
    /// output rows through a small buffer; rows and columns past the output (odd sizes) are dropped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [SkipLocalsInit]
    private static void WinogradOutput<TV>(ref float prod, nint posStride, int count, int tilesW, float bias, in FusedActivation act, ref float y, int oy0, int OH, int OW)
        where TV : struct, IWinogradVector<TV>
    {
        Span<float> buffer = stackalloc float[4 * 16];
        ref float bf = ref MemoryMarshal.GetReference(buffer);
        var vb = TV.Broadcast(bias);
        for (int t = 0; t < count; t++)
        {
            ref float pt = ref Unsafe.Add(ref prod, t * tilesW);
            int oy = oy0 + 2 * t;
            bool second = oy + 1 < OH;
            ref float y0 = ref Unsafe.Add(ref y, oy * OW);
            ref float y1 = ref Unsafe.Add(ref y0, OW);
            for (int tx = 0; ; tx += TV.Count)
            {
                if (tx > tilesW - TV.Count)
                {
                    if (tx >= tilesW) break;
                    tx = tilesW - TV.Count;
                }
                ref float p = ref Unsafe.Add(ref pt, tx);
                // Column transform of each of the 4 rows: s[a, 0] = m[a,0] + m[a,1] + m[a,2], s[a, 1] = m[a,1] − m[a,2] − m[a,3].
                ColumnTransform<TV>(ref p, posStride, 0, out var s00, out var s01);
                ColumnTransform<TV>(ref p, posStride, 4, out var s10, out var s11);
                ColumnTransform<TV>(ref p, posStride, 8, out var s20, out var s21);
                ColumnTransform<TV>(ref p, posStride, 12, out var s30, out var s31);
                var r00 = TV.Add(TV.Add(TV.Add(s00, s10), s20), vb);
                var r01 = TV.Add(TV.Add(TV.Add(s01, s11), s21), vb);
                var r10 = TV.Add(TV.Sub(TV.Sub(s10, s20), s30), vb);
                var r11 = TV.Add(TV.Sub(TV.Sub(s11, s21), s31), vb);
                r00 = TV.Activate(r00, act); r01 = TV.Activate(r01, act);
                r10 = TV.Activate(r10, act); r11 = TV.Activate(r11, act);
                if (2 * (tx + TV.Count) <= OW)
                {
                    TV.StoreInterleaved(r00, r01, ref Unsafe.Add(ref y0, 2 * tx));
                    if (second) TV.StoreInterleaved(r10, r11, ref Unsafe.Add(ref y1, 2 * tx));
                    continue;
                }
                // The last vector of an odd-width row: its last tile has one real column.
                TV.Store(r00, ref Unsafe.Add(ref bf, 0));
                TV.Store(r01, ref Unsafe.Add(ref bf, 16));
                TV.Store(r10, ref Unsafe.Add(ref bf, 32));
                TV.Store(r11, ref Unsafe.Add(ref bf, 48));
                for (int i = 0; i < TV.Count; i++)
                {
                    int ox = 2 * (tx + i);
                    Unsafe.Add(ref y0, ox) = Unsafe.Add(ref bf, i);
                    if (second) Unsafe.Add(ref y1, ox) = Unsafe.Add(ref bf, 32 + i);
                    if (ox + 1 >= OW) continue;
                    Unsafe.Add(ref y0, ox + 1) = Unsafe.Add(ref bf, 16 + i);
                    if (second) Unsafe.Add(ref y1, ox + 1) = Unsafe.Add(ref bf, 48 + i);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ColumnTransform<TV>(ref float p, nint posStride, int first, out TV s0, out TV s1) where TV : struct, IWinogradVector<TV>
    {
        var m0 = TV.Load(ref Unsafe.Add(ref p, (first + 0) * posStride));
        var m1 = TV.Load(ref Unsafe.Add(ref p, (first + 1) * posStride));
        var m2 = TV.Load(ref Unsafe.Add(ref p, (first + 2) * posStride));
        var m3 = TV.Load(ref Unsafe.Add(ref p, (first + 3) * posStride));
        s0 = TV.Add(TV.Add(m0, m1), m2);
        s1 = TV.Sub(TV.Sub(m1, m2), m3);
    }

    /// <summary>The few vector operations the Winograd transforms need, so they are written once for every width.</summary>
    private interface IWinogradVector<TSelf> where TSelf : struct, IWinogradVector<TSelf>
    {
        static abstract int Count { get; }
        static abstract TSelf Load(ref float source);
        static abstract void Store(TSelf value, ref float destination);
        static abstract TSelf Broadcast(float value);
        static abstract TSelf Add(TSelf a, TSelf b);
        static abstract TSelf Sub(TSelf a, TSelf b);
        static abstract TSelf Activate(TSelf value, in FusedActivation activation);

        /// <summary>destination[2i] = even[i], destination[2i + 1] = odd[i] for i &lt; Count.</summary>
        static abstract void StoreInterleaved(TSelf even, TSelf odd, ref float destination);
    }

    /// <summary>The interleaving store without a shuffle instruction.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private static void StoreInterleavedScalar<TV>(TV even, TV odd, ref float destination) where TV : struct, IWinogradVector<TV>
    {
        Span<float> buffer = stackalloc float[32];
        ref float b = ref MemoryMarshal.GetReference(buffer);
        TV.Store(even, ref b);
        TV.Store(odd, ref Unsafe.Add(ref b, 16));
        for (int i = 0; i < TV.Count; i++)
        {
            Unsafe.Add(ref destination, 2 * i) = Unsafe.Add(ref b, i);
            Unsafe.Add(ref destination, 2 * i + 1) = Unsafe.Add(ref b, 16 + i);
        }
    }

    private readonly struct W512 : IWinogradVector<W512>
    {
        private readonly Vector512<float> _v;
        private W512(Vector512<float> v) => _v = v;
        public static int Count => 16;
        public static W512 Load(ref float source) => new(Vector512.LoadUnsafe(ref source));
        public static void Store(W512 value, ref float destination) => value._v.StoreUnsafe(ref destination);
        public static W512 Broadcast(float value) => new(Vector512.Create(value));
        public static W512 Add(W512 a, W512 b) => new(a._v + b._v);
        public static W512 Sub(W512 a, W512 b) => new(a._v - b._v);
        public static W512 Activate(W512 value, in FusedActivation activation) => new(activation.Apply(value._v));

        public static void StoreInterleaved(W512 even, W512 odd, ref float destination)
        {
            if (!Avx512F.IsSupported)
            {
                StoreInterleavedScalar(even, odd, ref destination);
                return;
            }
            var low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            var high = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
            Avx512F.PermuteVar16x32x2(even._v, low, odd._v).StoreUnsafe(ref destination);
            Avx512F.PermuteVar16x32x2(even._v, high, odd._v).StoreUnsafe(ref destination, 16);
        }
    }

    private readonly struct W256 : IWinogradVector<W256>
    {
        private readonly Vector256<float> _v;
        private W256(Vector256<float> v) => _v = v;
        public static int Count => 8;
        public static W256 Load(ref float source) => new(Vector256.LoadUnsafe(ref source));
        public static void Store(W256 value, ref float destination) => value._v.StoreUnsafe(ref destination);
        public static W256 Broadcast(float value) => new(Vector256.Create(value));
        public static W256 Add(W256 a, W256 b) => new(a._v + b._v);
        public static W256 Sub(W256 a, W256 b) => new(a._v - b._v);
        public static W256 Activate(W256 value, in FusedActivation activation) => new(activation.Apply(value._v));

        public static void StoreInterleaved(W256 even, W256 odd, ref float destination)
        {
            if (!Avx.IsSupported)
            {
                StoreInterleavedScalar(even, odd, ref destination);
                return;
            }
            // Unpack works per 128-bit lane: [e0 o0 e1 o1 | e4 o4 e5 o5] and [e2 o2 e3 o3 | e6 o6 e7 o7], then join the lanes.
            var a = Avx.UnpackLow(even._v, odd._v);
            var b = Avx.UnpackHigh(even._v, odd._v);
            Avx.Permute2x128(a, b, 0x20).StoreUnsafe(ref destination);
            Avx.Permute2x128(a, b, 0x31).StoreUnsafe(ref destination, 8);
        }
    }

    private readonly struct W128 : IWinogradVector<W128>
    {
        private readonly Vector128<float> _v;
        private W128(Vector128<float> v) => _v = v;
        public static int Count => 4;
        public static W128 Load(ref float source) => new(Vector128.LoadUnsafe(ref source));
        public static void Store(W128 value, ref float destination) => value._v.StoreUnsafe(ref destination);
        public static W128 Broadcast(float value) => new(Vector128.Create(value));
        public static W128 Add(W128 a, W128 b) => new(a._v + b._v);
        public static W128 Sub(W128 a, W128 b) => new(a._v - b._v);
        public static W128 Activate(W128 value, in FusedActivation activation) => new(activation.Apply(value._v));

        public static void StoreInterleaved(W128 even, W128 odd, ref float destination)
        {
            if (Sse.IsSupported)
            {
                Sse.UnpackLow(even._v, odd._v).StoreUnsafe(ref destination);
                Sse.UnpackHigh(even._v, odd._v).StoreUnsafe(ref destination, 4);
            }
            else if (AdvSimd.Arm64.IsSupported)
            {
                AdvSimd.Arm64.ZipLow(even._v, odd._v).StoreUnsafe(ref destination);
                AdvSimd.Arm64.ZipHigh(even._v, odd._v).StoreUnsafe(ref destination, 4);
            }
            else StoreInterleavedScalar(even, odd, ref destination);
        }
    }

    /// <summary>One lane: the scalar path (no SIMD hardware, or tile rows narrower than four tiles).</summary>
    private readonly struct W1 : IWinogradVector<W1>
    {
        private readonly float _v;
        private W1(float v) => _v = v;
        public static int Count => 1;
        public static W1 Load(ref float source) => new(source);
        public static void Store(W1 value, ref float destination) => destination = value._v;
        public static W1 Broadcast(float value) => new(value);
        public static W1 Add(W1 a, W1 b) => new(a._v + b._v);
        public static W1 Sub(W1 a, W1 b) => new(a._v - b._v);
        public static W1 Activate(W1 value, in FusedActivation activation) => new(activation.Apply(value._v));

        public static void StoreInterleaved(W1 even, W1 odd, ref float destination)
        {
            destination = even._v;
            Unsafe.Add(ref destination, 1) = odd._v;
        }
    }
}
