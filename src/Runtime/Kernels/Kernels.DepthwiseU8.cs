using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Runtime;

/// <summary>
/// 8-bit depthwise convolutions (group = channels = output channels, 1-D or 2-D): ConvInteger, QLinearConv and the
/// dynamically quantized form. The exact integer sums Σ(x − zx)(w − zw) are computed in float: every product is at most
/// 255·255 in magnitude and a window of up to 256 taps sums to less than 2²⁴, so every partial sum is an integer float
/// represents exactly, whatever the order; the float value is the int32 sum. Per image and channel, x − zx is written
/// once as floats into a plane padded with zeros (zero is x_zero_point − x_zero_point) and split by column modulo the
/// horizontal stride, so that every tap of a run of output pixels is one contiguous vector load (stride 1, 2, ...).
/// Output pixels are vectorised (Vector512/256/128, scalar tail); the weights (w − zw) are floats built at build time.
/// </summary>
public static partial class Kernels
{
    /// <summary>Largest kernel window the depthwise kernels take (keeps the float sums below 2²⁴).</summary>
    public const int DepthwiseU8MaxTaps = 256;

    /// <summary>Floats of scratch the depthwise kernels need for one channel (the split padded plane).</summary>
    public static long DepthwiseU8ScratchFloats(ConvGeometry g)
    {
        var (_, ph, pw) = PaddedExtent(g);
        int s = g.StrideW;
        return (long)ph * s * ((pw + s - 1) / s) + pw;
    }

    /// <summary>
    /// ONNX ConvInteger, depthwise: <paramref name="weights"/> are (w − w_zero_point) as floats, KernelH·KernelW a
    /// channel. Scratch: <see cref="DepthwiseU8ScratchFloats"/>.
    /// </summary>
    public static void DepthwiseConvInteger<TX>(ReadOnlySpan<TX> x, ReadOnlySpan<TX> xZeroPoint, ReadOnlySpan<float> weights, Span<int> y, int batch,
        ConvGeometry g, Span<float> scratch) where TX : unmanaged
    {
        int pixels = CheckDepthwise(x, xZeroPoint, weights, y.Length, batch, g, scratch.Length);
        var accumulator = MemoryMarshal.Cast<int, float>(y);
        int xz = Int8ZeroPointAt(xZeroPoint, 0), taps = g.KernelH * g.KernelW, plane = g.Height * g.Width;
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < g.Channels; c++)
            {
                int index = n * g.Channels + c;
                var acc = accumulator.Slice(index * pixels, pixels);
                DepthwiseChannelU8(x.Slice(index * plane, plane), xz, weights.Slice(c * taps, taps), g, scratch, acc);
                FloatsToInt32InPlace(acc);
            }
    }

    /// <summary>
    /// ONNX QLinearConv, depthwise (see <see cref="DepthwiseConvInteger{TX}"/>): the exact sum + bias, then
    /// <see cref="RequantizeDepthwiseSums{TY}"/> with the multiplier (x_scale·w_scale[m]/y_scale). Scratch:
    /// <see cref="DepthwiseU8ScratchFloats"/> + output pixels.
    /// </summary>
    public static void DepthwiseQLinearConv<TX, TY>(ReadOnlySpan<TX> x, ReadOnlySpan<TX> xZeroPoint, ReadOnlySpan<float> weights, ReadOnlySpan<int> bias,
        ReadOnlySpan<float> multiplier, ReadOnlySpan<TY> yZeroPoint, Span<TY> y, int batch, ConvGeometry g, Span<float> scratch)
        where TX : unmanaged where TY : unmanaged
    {
        CheckInt8<TY>(nameof(y));
        int pixels = g.OutDepth * g.OutHeight * g.OutWidth;
        if (scratch.Length < DepthwiseU8ScratchFloats(g) + pixels)
            throw new ArgumentException($"Expected at least {DepthwiseU8ScratchFloats(g) + pixels} floats of scratch.", nameof(scratch));
        CheckDepthwise(x, xZeroPoint, weights, y.Length, batch, g, scratch.Length - pixels);
        if (multiplier.Length != 1 && multiplier.Length != g.OutChannels) throw new ArgumentException($"Expected 1 or {g.OutChannels} multipliers.", nameof(multiplier));
        if (!bias.IsEmpty && bias.Length != g.OutChannels) throw new ArgumentException($"Expected a bias of {g.OutChannels} elements.", nameof(bias));
        var acc = scratch.Slice(scratch.Length - pixels, pixels);
        var work = scratch.Slice(0, scratch.Length - pixels);
        int xz = Int8ZeroPointAt(xZeroPoint, 0), yz = Int8ZeroPoint(yZeroPoint), taps = g.KernelH * g.KernelW, plane = g.Height * g.Width;
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < g.Channels; c++)
            {
                int index = n * g.Channels + c;
                DepthwiseChannelU8(x.Slice(index * plane, plane), xz, weights.Slice(c * taps, taps), g, work, acc);
                // The one requantizing loop of the depthwise kernels, straight from the float sums.
                RequantizeDepthwiseSums(acc, bias.IsEmpty ? 0 : bias[c], multiplier[multiplier.Length == 1 ? 0 : c], yz, y.Slice(index * pixels, pixels));
            }
    }

    /// <summary>
    /// The dynamically quantized depthwise convolution (see <see cref="DynamicConvU8S8"/> for x, scales, bias and the
    /// epilogue; <paramref name="weights"/> as for <see cref="DepthwiseConvInteger{TX}"/>). Scratch:
    /// <see cref="DynamicQuantizedScratchShorts"/>(x length, 0) + 2·<see cref="DepthwiseU8ScratchFloats"/>.
    /// </summary>
    public static void DynamicDepthwiseConvU8(ReadOnlySpan<float> x, ReadOnlySpan<byte> xQuantized, ReadOnlySpan<float> xScale, ReadOnlySpan<byte> xZeroPoint,
        ReadOnlySpan<float> weights, ReadOnlySpan<float> wScale, ReadOnlySpan<float> bias, Span<float> y, int batch, ConvGeometry g,
        FusedActivation activation, Span<short> scratch)
    {
        int channels = g.OutChannels, pixels = g.OutDepth * g.OutHeight * g.OutWidth;
        CheckScaleAndBias(wScale, bias, channels);
        var q = QuantizedActivation(x, xQuantized, xScale, xZeroPoint, 0, scratch, out float s, out byte zp, out var rest);
        var work = MemoryMarshal.Cast<short, float>(rest);
        CheckDepthwise(q, ReadOnlySpan<byte>.Empty, weights, y.Length, batch, g, work.Length);
        int taps = g.KernelH * g.KernelW, plane = g.Height * g.Width;
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
            {
                int index = n * channels + c;
                var acc = y.Slice(index * pixels, pixels);
                DepthwiseChannelU8(q.Slice(index * plane, plane), zp, weights.Slice(c * taps, taps), g, work, acc);
                // acc holds the exact integer sums as floats: (float)acc, as the chain's Cast computes it.
                float scale = s * wScale[wScale.Length == 1 ? 0 : c];
                if (bias.IsEmpty) RescaleFloatRun(acc, scale, 0f, false, activation);
                else RescaleFloatRun(acc, scale, bias[bias.Length == 1 ? 0 : c], true, activation);
            }
    }

    private static int CheckDepthwise<TX>(ReadOnlySpan<TX> x, ReadOnlySpan<TX> xZeroPoint, ReadOnlySpan<float> weights, int yLength, int batch,
        in ConvGeometry g, int scratchFloats) where TX : unmanaged
    {
        CheckInt8<TX>(nameof(x));
        if (g.Groups != g.Channels || g.OutChannels != g.Channels || g.Depth != 1 || g.KernelD != 1 || g.OutDepth != 1)
            throw new ArgumentException("Expected a 1-D or 2-D depthwise convolution (groups = channels = output channels).", nameof(g));
        int taps = g.KernelH * g.KernelW, pixels = g.OutHeight * g.OutWidth;
        if (taps > DepthwiseU8MaxTaps) throw new ArgumentException($"Expected at most {DepthwiseU8MaxTaps} kernel taps, got {taps}.", nameof(g));
        if (x.Length < batch * g.Channels * g.Height * g.Width) throw new ArgumentException($"Expected X of at least {batch * g.Channels * g.Height * g.Width} elements.", nameof(x));
        if (xZeroPoint.Length > 1) throw new ArgumentException("Expected a scalar x zero point.", nameof(xZeroPoint));
        if (weights.Length < g.Channels * taps) throw new ArgumentException($"Expected {g.Channels * taps} weights.", nameof(weights));
        if (yLength < batch * g.Channels * pixels) throw new ArgumentException($"Expected Y of at least {batch * g.Channels * pixels} elements.", "y");
        if (scratchFloats < DepthwiseU8ScratchFloats(g)) throw new ArgumentException($"Expected at least {DepthwiseU8ScratchFloats(g)} floats of scratch.", "scratch");
        return pixels;
    }

    /// <summary>One channel: acc[p] = Σ_taps (x − xz)·w, exact, as floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DepthwiseChannelU8<TX>(ReadOnlySpan<TX> x, int xz, ReadOnlySpan<float> w, in ConvGeometry g, Span<float> scratch, Span<float> acc)
        where TX : unmanaged
    {
        var (_, ph, pw) = PaddedExtent(g);
        int s = g.StrideW, cols = (pw + s - 1) / s, planeLength = ph * cols;
        var planes = scratch.Slice(0, s * planeLength);
        var row = scratch.Slice(s * planeLength, pw);
        planes.Clear();
        row.Clear();
        for (int h = 0; h < g.Height; h++)
        {
            int top = h + g.PadTop;
            var src = x.Slice(h * g.Width, g.Width);
            if (s == 1)
            {
                CenteredToFloat(src, xz, planes.Slice(top * cols + g.PadLeft, g.Width));
                continue;
            }
            CenteredToFloat(src, xz, row.Slice(g.PadLeft, g.Width));
            if (s == 2) Deinterleave(row, planes.Slice(top * cols, cols), planes.Slice(planeLength + top * cols, cols));
            else
                for (int col = 0; col < pw; col++) planes[col % s * planeLength + top * cols + col / s] = row[col];
        }

        int kh = g.KernelH, kw = g.KernelW, oh = g.OutHeight, ow = g.OutWidth;
        // Tap t reads plane offsets[t] + ox: its column's residue plane, row and column within.
        Span<int> offsets = stackalloc int[kh * kw];
        for (int oy = 0; oy < oh; oy++)
        {
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++)
                {
                    int col = kx * g.DilationW, r = oy * g.StrideH + ky * g.DilationH;
                    offsets[ky * kw + kx] = col % s * planeLength + r * cols + col / s;
                }
            DepthwiseRow(ref MemoryMarshal.GetReference(planes), offsets, w, ref MemoryMarshal.GetReference(acc.Slice(oy * ow, ow)), ow);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DepthwiseRow(ref float planes, ReadOnlySpan<int> offsets, ReadOnlySpan<float> w, ref float o, int ow)
    {
        int taps = offsets.Length, ox = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; ox <= ow - 16; ox += 16)
            {
                var sum = Vector512<float>.Zero;
                for (int t = 0; t < taps; t++) sum += Vector512.LoadUnsafe(ref planes, (nuint)(offsets[t] + ox)) * Vector512.Create(w[t]);
                sum.StoreUnsafe(ref o, (nuint)ox);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; ox <= ow - 8; ox += 8)
            {
                var sum = Vector256<float>.Zero;
                for (int t = 0; t < taps; t++) sum += Vector256.LoadUnsafe(ref planes, (nuint)(offsets[t] + ox)) * Vector256.Create(w[t]);
                sum.StoreUnsafe(ref o, (nuint)ox);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; ox <= ow - 4; ox += 4)
            {
                var sum = Vector128<float>.Zero;
                for (int t = 0; t < taps; t++) sum += Vector128.LoadUnsafe(ref planes, (nuint)(offsets[t] + ox)) * Vector128.Create(w[t]);
                sum.StoreUnsafe(ref o, (nuint)ox);
            }
        for (; ox < ow; ox++)
        {
            float sum = 0;
            for (int t = 0; t < taps; t++) sum += Unsafe.Add(ref planes, offsets[t] + ox) * w[t];
            Unsafe.Add(ref o, ox) = sum;
        }
    }

    /// <summary>The value of a scalar uint8 / int8 zero point (0 when absent).</summary>
    public static int Int8ZeroPoint<T>(ReadOnlySpan<T> zeroPoint) where T : unmanaged
    {
        CheckInt8<T>(nameof(zeroPoint));
        return zeroPoint.IsEmpty ? 0 : Int8Value(zeroPoint[0]);
    }

    /// <summary>
    /// The output stage of the generated depthwise QLinearConv (one channel): <paramref name="sums"/> are exact integer
    /// sums held in floats; y = saturate(round_half_even(float(int(sum) + bias) · multiplier) + zeroPoint), clamped
    /// before rounding exactly as <see cref="RequantizeInt32{TY}"/> does, so the bytes are the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RequantizeDepthwiseSums<TY>(ReadOnlySpan<float> sums, int bias, float multiplier, int zeroPoint, Span<TY> y) where TY : unmanaged
    {
        CheckInt8<TY>(nameof(y));
        int n = sums.Length, i = 0;
        if (y.Length < n) throw new ArgumentException($"Expected {n} outputs.", nameof(y));
        int qmin = typeof(TY) == typeof(byte) ? 0 : -128, qmax = typeof(TY) == typeof(byte) ? 255 : 127;
        float lo = qmin - zeroPoint, hi = qmax - zeroPoint;
        ref float s = ref MemoryMarshal.GetReference(sums);
        ref byte o = ref MemoryMarshal.GetReference(MemoryMarshal.AsBytes(y));
        // The sums are exact integers below 2²⁴ and v is clamped before it is rounded and converted: every value is finite
        // and in range, so the native (non-saturating, NaN-unaware) conversions and min/max give the same bytes and spare
        // the fix-up instructions of the portable ones.
        if (Vector512.IsHardwareAccelerated)
        {
            var vb = Vector512.Create(bias); var vm = Vector512.Create(multiplier);
            var vlo = Vector512.Create(lo); var vhi = Vector512.Create(hi); var vz = Vector512.Create(zeroPoint);
            for (; i <= n - 16; i += 16)
            {
                var v = Vector512.ConvertToSingle(Vector512.ConvertToInt32Native(Vector512.LoadUnsafe(ref s, (nuint)i)) + vb) * vm;
                var q = Vector512.ConvertToInt32Native(Vector512.Round(Vector512.MinNative(Vector512.MaxNative(v, vlo), vhi))) + vz;
                // In range after the clamp: narrowing (truncating) to bytes keeps the values.
                var shorts = Vector512.Narrow(q, q);
                Vector512.Narrow(shorts, shorts).AsByte().GetLower().GetLower().StoreUnsafe(ref o, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vb = Vector256.Create(bias); var vm = Vector256.Create(multiplier);
            var vlo = Vector256.Create(lo); var vhi = Vector256.Create(hi); var vz = Vector256.Create(zeroPoint);
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.ConvertToSingle(Vector256.ConvertToInt32Native(Vector256.LoadUnsafe(ref s, (nuint)i)) + vb) * vm;
                var q = Vector256.ConvertToInt32Native(Vector256.Round(Vector256.MinNative(Vector256.MaxNative(v, vlo), vhi))) + vz;
                var shorts = Vector256.Narrow(q, q);
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref o, i), Vector256.Narrow(shorts, shorts).AsUInt64().GetElement(0));
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var vb = Vector128.Create(bias); var vm = Vector128.Create(multiplier);
            var vlo = Vector128.Create(lo); var vhi = Vector128.Create(hi); var vz = Vector128.Create(zeroPoint);
            for (; i <= n - 4; i += 4)
            {
                var v = Vector128.ConvertToSingle(Vector128.ConvertToInt32Native(Vector128.LoadUnsafe(ref s, (nuint)i)) + vb) * vm;
                var q = Vector128.ConvertToInt32Native(Vector128.Round(Vector128.MinNative(Vector128.MaxNative(v, vlo), vhi))) + vz;
                var shorts = Vector128.Narrow(q, q);
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref o, i), Vector128.Narrow(shorts, shorts).AsUInt32().GetElement(0));
            }
        }
        for (; i < n; i++)
        {
            float v = (float)((int)Unsafe.Add(ref s, i) + bias) * multiplier;
            v = MathF.Min(MathF.Max(v, lo), hi);
            Unsafe.Add(ref o, i) = (byte)((int)MathF.Round(v, MidpointRounding.ToEven) + zeroPoint);
        }
    }

    /// <summary>dst[i] = (float)(x[i] − xz) for uint8 or int8 x (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CenteredToFloat<TX>(ReadOnlySpan<TX> x, int xz, Span<float> dst) where TX : unmanaged
    {
        CheckInt8<TX>(nameof(x));
        if (dst.Length < x.Length) throw new ArgumentException($"Expected at least {x.Length} floats.", nameof(dst));
        int n = x.Length, i = 0;
        ref byte src = ref MemoryMarshal.GetReference(MemoryMarshal.AsBytes(x));
        ref float d = ref MemoryMarshal.GetReference(dst);
        if (Vector256.IsHardwareAccelerated)
        {
            var z = Vector256.Create(xz);
            for (; i <= n - 32; i += 32)
            {
                var bytes = Vector256.LoadUnsafe(ref src, (nuint)i);
                Vector256<short> lo, hi;
                if (typeof(TX) == typeof(sbyte)) (lo, hi) = Vector256.Widen(bytes.AsSByte());
                else { var (ul, uh) = Vector256.Widen(bytes); lo = ul.AsInt16(); hi = uh.AsInt16(); }
                var (a, b) = Vector256.Widen(lo);
                var (c, e) = Vector256.Widen(hi);
                Vector256.ConvertToSingle(a - z).StoreUnsafe(ref d, (nuint)i);
                Vector256.ConvertToSingle(b - z).StoreUnsafe(ref d, (nuint)(i + 8));
                Vector256.ConvertToSingle(c - z).StoreUnsafe(ref d, (nuint)(i + 16));
                Vector256.ConvertToSingle(e - z).StoreUnsafe(ref d, (nuint)(i + 24));
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var z = Vector128.Create(xz);
            for (; i <= n - 16; i += 16)
            {
                var bytes = Vector128.LoadUnsafe(ref src, (nuint)i);
                Vector128<short> lo, hi;
                if (typeof(TX) == typeof(sbyte)) (lo, hi) = Vector128.Widen(bytes.AsSByte());
                else { var (ul, uh) = Vector128.Widen(bytes); lo = ul.AsInt16(); hi = uh.AsInt16(); }
                var (a, b) = Vector128.Widen(lo);
                var (c, e) = Vector128.Widen(hi);
                Vector128.ConvertToSingle(a - z).StoreUnsafe(ref d, (nuint)i);
                Vector128.ConvertToSingle(b - z).StoreUnsafe(ref d, (nuint)(i + 4));
                Vector128.ConvertToSingle(c - z).StoreUnsafe(ref d, (nuint)(i + 8));
                Vector128.ConvertToSingle(e - z).StoreUnsafe(ref d, (nuint)(i + 12));
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref d, i) = typeof(TX) == typeof(sbyte) ? (sbyte)Unsafe.Add(ref src, i) - xz : Unsafe.Add(ref src, i) - xz;
    }

    /// <summary>Even columns of <paramref name="row"/> to <paramref name="even"/>, odd ones to <paramref name="odd"/> (each ⌈n/2⌉ long).</summary>
    private static void Deinterleave(ReadOnlySpan<float> row, Span<float> even, Span<float> odd)
    {
        int n = row.Length, i = 0;
        ref float r = ref MemoryMarshal.GetReference(row);
        if (Sse.IsSupported)
            for (; i <= n - 8; i += 8)
            {
                var a = Vector128.LoadUnsafe(ref r, (nuint)i);
                var b = Vector128.LoadUnsafe(ref r, (nuint)(i + 4));
                Sse.Shuffle(a, b, 0b10_00_10_00).StoreUnsafe(ref MemoryMarshal.GetReference(even), (nuint)(i / 2));
                Sse.Shuffle(a, b, 0b11_01_11_01).StoreUnsafe(ref MemoryMarshal.GetReference(odd), (nuint)(i / 2));
            }
        for (; i < n; i++)
        {
            if ((i & 1) == 0) even[i >> 1] = row[i];
            else odd[i >> 1] = row[i];
        }
    }

    private static void FloatsToInt32InPlace(Span<float> values)
    {
        int i = 0, n = values.Length;
        ref float v = ref MemoryMarshal.GetReference(values);
        ref int o = ref Unsafe.As<float, int>(ref v);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.ConvertToInt32(Vector256.LoadUnsafe(ref v, (nuint)i)).StoreUnsafe(ref o, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref o, i) = (int)Unsafe.Add(ref v, i);
    }

    /// <summary>v = v · scale [+ bias], then the activation (v already the float of the integer sum).</summary>
    private static void RescaleFloatRun(Span<float> values, float scale, float bias, bool hasBias, FusedActivation activation)
    {
        int i = 0, n = values.Length;
        ref float v = ref MemoryMarshal.GetReference(values);
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale); var b = Vector256.Create(bias);
            for (; i <= n - 8; i += 8)
            {
                var r = Vector256.LoadUnsafe(ref v, (nuint)i) * s;
                if (hasBias) r += b;
                activation.Apply(r).StoreUnsafe(ref v, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float r = Unsafe.Add(ref v, i) * scale;
            if (hasBias) r += bias;
            Unsafe.Add(ref v, i) = activation.Apply(r);
        }
    }
}
