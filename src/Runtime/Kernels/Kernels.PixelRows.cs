using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Runtime;

/// <summary>
/// Convolution with the output pixels as the rows of the matrix product and the output channels as its columns: for
/// small images (7×7 stages) whose pixel count is not a multiple of the 16-column panel, the usual product
/// (channels × pixels) wastes a large share of every tile on padding columns, while the channel count fills whole
/// panels. The im2col matrix is transposed into [pixels, K], multiplied by the weights packed at build time as B panels
/// (<see cref="PackB"/> of Wᵀ, [K, M]), with bias and activation in the epilogue, and the [pixels, M] result is
/// transposed into y.
/// </summary>
public static partial class Kernels
{
    /// <summary>Scratch floats <see cref="ConvPixelRows"/> needs.</summary>
    public static int ConvPixelRowsScratch(in ConvGeometry g)
    {
        int k = g.KernelSize, pixels = g.OutputPixels, padded = (pixels + GemmPanelWidth - 1) / GemmPanelWidth * GemmPanelWidth;
        return (g.IsPointwise ? 0 : k * padded) + pixels * k + pixels * g.OutChannels;
    }

    /// <summary>
    /// y = act(conv(x, w) + bias) for an ungrouped convolution with weights packed by <see cref="PackB"/> as the [K, M]
    /// matrix Wᵀ (KernelSize rows, OutChannels columns); <paramref name="scratch"/> holds <see cref="ConvPixelRowsScratch"/> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ConvPixelRows(ReadOnlySpan<float> x, ReadOnlySpan<float> packedWeights, ReadOnlySpan<float> bias, Span<float> y, int batch, in ConvGeometry g,
        FusedActivation activation, Span<float> scratch, ReadOnlySpan<float> residual = default)
    {
        if (!residual.IsEmpty)
        {
            // A fused residual Add: the convolution first, then y = act(y + residual) in one pass.
            ConvPixelRows(x, packedWeights, bias, y, batch, g, default, scratch);
            AddResidual(y.Slice(0, batch * g.OutChannels * g.OutputPixels), residual, activation);
            return;
        }
        int k = g.KernelSize, m = g.OutChannels, pixels = g.OutputPixels, inPixels = g.InputPixels;
        if (g.Groups != 1) throw new ArgumentException("ConvPixelRows expects an ungrouped convolution.");
        if (x.Length < batch * g.Channels * inPixels || packedWeights.Length < PackedBLength(k, m) || y.Length < batch * m * pixels)
            throw new ArgumentException("ConvPixelRows operand too short.");
        if (!bias.IsEmpty && bias.Length < m) throw new ArgumentException("ConvPixelRows bias too short.", nameof(bias));
        if (scratch.Length < ConvPixelRowsScratch(g)) throw new ArgumentException("ConvPixelRows scratch too short.", nameof(scratch));
        int padded = (pixels + GemmPanelWidth - 1) / GemmPanelWidth * GemmPanelWidth;
        int colFloats = g.IsPointwise ? 0 : k * padded;
        var cols = scratch.Slice(0, colFloats);
        var rows = scratch.Slice(colFloats, pixels * k);
        var product = scratch.Slice(colFloats + pixels * k, pixels * m);
        var epilogue = new GemmEpilogue(default, bias.IsEmpty ? default : bias.Slice(0, m), 1f, false, activation);
        for (int n = 0; n < batch; n++)
        {
            var xs = x.Slice(n * g.Channels * inPixels, g.Channels * inPixels);
            if (g.IsPointwise)
            {
                Transpose(ref MemoryMarshal.GetReference(xs), k, pixels, pixels, ref MemoryMarshal.GetReference(rows), k);
            }
            else
            {
                Im2Col(xs, cols, g, g.Channels, 0, pixels, padded);
                Transpose(ref MemoryMarshal.GetReference(cols), k, pixels, padded, ref MemoryMarshal.GetReference(rows), k);
            }
            GemmPanels(ref MemoryMarshal.GetReference(rows), k, ref MemoryMarshal.GetReference(packedWeights), GemmPanelWidth, (nint)k * GemmPanelWidth,
                (m + GemmPanelWidth - 1) / GemmPanelWidth, ref Unsafe.NullRef<float>(), pixels, m, k, ref MemoryMarshal.GetReference(product), m, epilogue);
            Transpose(ref MemoryMarshal.GetReference(product), pixels, m, m, ref MemoryMarshal.GetReference(y.Slice(n * m * pixels, m * pixels)), pixels);
        }
    }

    /// <summary>d[j, i] (row stride ldd) = s[i, j] (row stride lds) for i &lt; rows, j &lt; cols, in 8×8 blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose(ref float s, int rows, int cols, nint lds, ref float d, nint ldd)
    {
        const int Block = 8;
        for (int i0 = 0; i0 < rows; i0 += Block)
        {
            int i1 = Math.Min(rows, i0 + Block);
            for (int j0 = 0; j0 < cols; j0 += Block)
            {
                int j1 = Math.Min(cols, j0 + Block);
                for (int i = i0; i < i1; i++)
                {
                    ref float sr = ref Unsafe.Add(ref s, i * lds);
                    for (int j = j0; j < j1; j++) Unsafe.Add(ref d, j * ldd + i) = Unsafe.Add(ref sr, j);
                }
            }
        }
    }
}
