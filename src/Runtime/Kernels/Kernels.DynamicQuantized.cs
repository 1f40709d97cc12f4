using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Runtime;

/// <summary>
/// Dynamically quantized layers in one step (ONNX Runtime's quantize_dynamic form, fused by the generator's
/// FuseDynamicQuantization pass): DynamicQuantizeLinear of the float activation (skipped when the caller passes it already
/// quantized), the exact uint8 × int8 product on the quad kernels (<see cref="ConvIntegerU8S8{TX}"/>,
/// <see cref="MatMulIntegerU8S8{TA}"/>) written as int32 into the float output, then in place
/// y = (float)acc · (x_scale · w_scale[c]) [+ bias[c]] and the fused activation.
/// <para>
/// The epilogue is the unfused chain's arithmetic in the same order, float32, one rounding per step and no FMA
/// (Cast int32→float, Mul by the scale product, itself one float multiplication, Add), so the outputs are those of
/// Cast → Mul → Add bit for bit, and ONNX Runtime's.
/// </para>
/// </summary>
public static partial class Kernels
{
    /// <summary>
    /// Shorts of scratch the dynamic kernels use before the integer kernel's own: the quantized activation
    /// (<paramref name="quantizedLength"/> bytes, 0 when it comes quantized, rounded up to 64 bytes) and
    /// <paramref name="channels"/> floats for the per-column scales of a matrix product (0 for a convolution).
    /// </summary>
    public static long DynamicQuantizedScratchShorts(int quantizedLength, int channels) => 32L * ((quantizedLength + 63) / 64) + 2L * channels;

    /// <summary>
    /// A dynamically quantized convolution: <paramref name="x"/> float (quantized here as DynamicQuantizeLinear does) or,
    /// when it is empty, <paramref name="xQuantized"/> with its <paramref name="xScale"/> and <paramref name="xZeroPoint"/>;
    /// weights as for <see cref="ConvIntegerU8S8{TX}"/>; <paramref name="wScale"/> one or OutChannels floats;
    /// <paramref name="bias"/> empty, one or OutChannels floats. Scratch: <see cref="DynamicQuantizedScratchShorts"/>(x
    /// length, 0) + <see cref="ConvU8S8ScratchShorts"/>(g, false).
    /// </summary>
    public static void DynamicConvU8S8(ReadOnlySpan<float> x, ReadOnlySpan<byte> xQuantized, ReadOnlySpan<float> xScale, ReadOnlySpan<byte> xZeroPoint,
        ReadOnlySpan<sbyte> quadW, ReadOnlySpan<int> rowSums, ReadOnlySpan<float> wScale, ReadOnlySpan<float> bias, Span<float> y, int batch,
        ConvGeometry g, FusedActivation activation, Span<short> scratch)
    {
        int channels = g.OutChannels, pixels = g.OutDepth * g.OutHeight * g.OutWidth;
        CheckScaleAndBias(wScale, bias, channels);
        int outLength = batch * channels * pixels;
        if (y.Length < outLength) throw new ArgumentException($"Expected Y of at least {outLength} elements.", nameof(y));
        var q = QuantizedActivation(x, xQuantized, xScale, xZeroPoint, 0, scratch, out float s, out byte zp, out var rest);
        ConvIntegerU8S8(q, MemoryMarshal.CreateReadOnlySpan(ref zp, 1), quadW, rowSums, MemoryMarshal.Cast<float, int>(y), batch, g, rest);
        for (int n = 0; n < batch; n++)
            for (int m = 0; m < channels; m++)
            {
                float scale = s * wScale[wScale.Length == 1 ? 0 : m];
                ref float row = ref y[(n * channels + m) * pixels];
                if (bias.IsEmpty) RescaleRun(ref row, pixels, scale, 0f, false, activation);
                else RescaleRun(ref row, pixels, scale, bias[bias.Length == 1 ? 0 : m], true, activation);
            }
    }

    /// <summary>
    /// A dynamically quantized matrix product [m, k] · [k, n]: <paramref name="a"/> float (quantized here) or
    /// <paramref name="aQuantized"/> with its scale and zero point; B as for <see cref="MatMulIntegerU8S8{TA}"/>;
    /// <paramref name="wScale"/> one or n floats (per column); <paramref name="bias"/> empty, one or n floats. Scratch:
    /// <see cref="DynamicQuantizedScratchShorts"/>(a length, n) + <see cref="MatMulU8S8ScratchShorts"/>(m, n, k, false).
    /// </summary>
    public static void DynamicMatMulU8S8(ReadOnlySpan<float> a, ReadOnlySpan<byte> aQuantized, ReadOnlySpan<float> aScale, ReadOnlySpan<byte> aZeroPoint,
        ReadOnlySpan<sbyte> packedB, ReadOnlySpan<int> columnSums, ReadOnlySpan<float> wScale, ReadOnlySpan<float> bias, Span<float> y, int m, int n, int k,
        FusedActivation activation, Span<short> scratch)
    {
        CheckScaleAndBias(wScale, bias, n);
        if (y.Length < m * n) throw new ArgumentException($"Expected Y of at least {m * n} elements.", nameof(y));
        var q = QuantizedActivation(a, aQuantized, aScale, aZeroPoint, n, scratch, out float s, out byte zp, out var rest);
        var scales = MemoryMarshal.Cast<short, float>(scratch.Slice((int)DynamicQuantizedScratchShorts(a.Length, 0), 2 * n));
        for (int j = 0; j < n; j++) scales[j] = s * wScale[wScale.Length == 1 ? 0 : j];
        MatMulIntegerU8S8(q, MemoryMarshal.CreateReadOnlySpan(ref zp, 1), packedB, columnSums, MemoryMarshal.Cast<float, int>(y), m, n, k, rest);
        for (int i = 0; i < m; i++)
        {
            var row = y.Slice(i * n, n);
            if (wScale.Length == 1 && bias.Length <= 1)
                RescaleRun(ref MemoryMarshal.GetReference(row), n, scales[0], bias.IsEmpty ? 0f : bias[0], !bias.IsEmpty, activation);
            else RescaleColumns(row, scales, bias, activation);
        }
    }

    private static void CheckScaleAndBias(ReadOnlySpan<float> wScale, ReadOnlySpan<float> bias, int channels)
    {
        if (wScale.Length != 1 && wScale.Length != channels) throw new ArgumentException($"Expected 1 or {channels} weight scales, got {wScale.Length}.", nameof(wScale));
        if (bias.Length > 1 && bias.Length != channels) throw new ArgumentException($"Expected no bias, 1 or {channels} elements, got {bias.Length}.", nameof(bias));
    }

    /// <summary>The uint8 activation, its scale and zero point (computed here from a float input), and the scratch left.</summary>
    private static ReadOnlySpan<byte> QuantizedActivation(ReadOnlySpan<float> x, ReadOnlySpan<byte> xQuantized, ReadOnlySpan<float> xScale,
        ReadOnlySpan<byte> xZeroPoint, int channels, Span<short> scratch, out float scale, out byte zeroPoint, out Span<short> rest)
    {
        long prefix = DynamicQuantizedScratchShorts(x.Length, channels);
        if (scratch.Length < prefix) throw new ArgumentException($"Expected at least {prefix} shorts of scratch before the integer kernel's.", nameof(scratch));
        rest = scratch.Slice((int)prefix);
        if (x.IsEmpty)
        {
            if (xQuantized.IsEmpty || xScale.Length != 1 || xZeroPoint.Length != 1)
                throw new ArgumentException("Expected a float input, or a quantized one with one scale and one zero point.", nameof(xQuantized));
            scale = xScale[0];
            zeroPoint = xZeroPoint[0];
            return xQuantized;
        }
        if (!xQuantized.IsEmpty) throw new ArgumentException("Expected either a float or a quantized input, not both.", nameof(xQuantized));
        var q = MemoryMarshal.AsBytes(scratch).Slice(0, x.Length);
        Span<float> s = stackalloc float[1];
        Span<byte> z = stackalloc byte[1];
        DynamicQuantizeLinear(x, q, s, z);
        scale = s[0];
        zeroPoint = z[0];
        return q;
    }

    /// <summary>v = (float)v_int32 · scale [+ bias], then the activation, over n elements reinterpreted in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RescaleRun(ref float y, int n, float scale, float bias, bool hasBias, FusedActivation activation)
    {
        ref int acc = ref Unsafe.As<float, int>(ref y);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(scale); var b = Vector512.Create(bias);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.ConvertToSingle(Vector512.LoadUnsafe(ref acc, (nuint)i)) * s;
                if (hasBias) v += b;
                activation.Apply(v).StoreUnsafe(ref y, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale); var b = Vector256.Create(bias);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref acc, (nuint)i)) * s;
                if (hasBias) v += b;
                activation.Apply(v).StoreUnsafe(ref y, (nuint)i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var s = Vector128.Create(scale); var b = Vector128.Create(bias);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var v = Vector128.ConvertToSingle(Vector128.LoadUnsafe(ref acc, (nuint)i)) * s;
                if (hasBias) v += b;
                activation.Apply(v).StoreUnsafe(ref y, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = (float)Unsafe.Add(ref acc, i) * scale;
            if (hasBias) v += bias;
            Unsafe.Add(ref y, i) = activation.Apply(v);
        }
    }

    /// <summary>A row of a matrix product: y[j] = (float)acc[j] · scales[j] [+ bias[j]] (bias empty: none; one: shared).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RescaleColumns(Span<float> row, ReadOnlySpan<float> scales, ReadOnlySpan<float> bias, FusedActivation activation)
    {
        int n = row.Length, i = 0;
        ref float y = ref MemoryMarshal.GetReference(row);
        ref int acc = ref Unsafe.As<float, int>(ref y);
        ref float sc = ref MemoryMarshal.GetReference(scales);
        bool full = bias.Length == n, hasBias = !bias.IsEmpty;
        float shared = hasBias ? bias[0] : 0f;
        ref float bs = ref MemoryMarshal.GetReference(bias);
        if (Vector256.IsHardwareAccelerated)
        {
            var b = Vector256.Create(shared);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref acc, (nuint)i)) * Vector256.LoadUnsafe(ref sc, (nuint)i);
                if (full) v += Vector256.LoadUnsafe(ref bs, (nuint)i);
                else if (hasBias) v += b;
                activation.Apply(v).StoreUnsafe(ref y, (nuint)i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var b = Vector128.Create(shared);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var v = Vector128.ConvertToSingle(Vector128.LoadUnsafe(ref acc, (nuint)i)) * Vector128.LoadUnsafe(ref sc, (nuint)i);
                if (full) v += Vector128.LoadUnsafe(ref bs, (nuint)i);
                else if (hasBias) v += b;
                activation.Apply(v).StoreUnsafe(ref y, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = (float)Unsafe.Add(ref acc, i) * Unsafe.Add(ref sc, i);
            if (full) v += Unsafe.Add(ref bs, i);
            else if (hasBias) v += shared;
            Unsafe.Add(ref y, i) = activation.Apply(v);
        }
    }
}
