using System;
using System.Numerics;

namespace ModelGen.Runtime;

/// <summary>How NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss reduce the per-element losses.</summary>
public enum LossReduction
{
    /// <summary>No reduction: one loss per target element.</summary>
    None,
    /// <summary>The sum of the losses.</summary>
    Sum,
    /// <summary>The sum of the losses divided by the sum of the weights of the targets not ignored.</summary>
    Mean,
}

public static partial class Kernels
{
    /// <summary>
    /// Negative log likelihood: input viewed as [batch, classes, inner], target as [batch, inner]; the loss of element
    /// (n, d) is -input[n, target, d] · weight[target] (weight 1 without weights), and 0 with weight 0 where target =
    /// ignoreIndex. <paramref name="loss"/> holds batch·inner losses (<see cref="LossReduction.None"/>) or one value.
    /// </summary>
    public static void NegativeLogLikelihoodLoss(ReadOnlySpan<float> input, ReadOnlySpan<long> target, ReadOnlySpan<float> weight, Span<float> loss,
        int batch, int classes, int inner, long ignoreIndex, LossReduction reduction) =>
        NegativeLogLikelihoodCore(input, target, weight, loss, batch, classes, inner, ignoreIndex, reduction);

    /// <inheritdoc cref="NegativeLogLikelihoodLoss(ReadOnlySpan{float}, ReadOnlySpan{long}, ReadOnlySpan{float}, Span{float}, int, int, int, long, LossReduction)"/>
    public static void NegativeLogLikelihoodLoss(ReadOnlySpan<float> input, ReadOnlySpan<int> target, ReadOnlySpan<float> weight, Span<float> loss,
        int batch, int classes, int inner, long ignoreIndex, LossReduction reduction) =>
        NegativeLogLikelihoodCore(input, target, weight, loss, batch, classes, inner, ignoreIndex, reduction);

    private static void NegativeLogLikelihoodCore<TIndex>(ReadOnlySpan<float> input, ReadOnlySpan<TIndex> target, ReadOnlySpan<float> weight, Span<float> loss,
        int batch, int classes, int inner, long ignoreIndex, LossReduction reduction) where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long count = (long)batch * inner;
        if (input.Length < count * classes || target.Length < count) throw new ArgumentException("NegativeLogLikelihoodLoss operand too short.");
        if (!weight.IsEmpty && weight.Length < classes) throw new ArgumentException("NegativeLogLikelihoodLoss weight shorter than the class count.");
        if (loss.Length < (reduction == LossReduction.None ? count : 1)) throw new ArgumentException("NegativeLogLikelihoodLoss destination too short.");
        // Double accumulators: a mean over many elements stays within float rounding of the exact value.
        double sum = 0, weights = 0;
        for (int n = 0; n < batch; n++)
        {
            for (int d = 0; d < inner; d++)
            {
                long t = long.CreateTruncating(target[n * inner + d]);
                float value = 0, w = 0;
                if (t != ignoreIndex)
                {
                    if (t < 0 || t >= classes) throw new IndexOutOfRangeException($"Target {t} is outside [0, {classes}) and is not the ignore_index {ignoreIndex}.");
                    w = weight.IsEmpty ? 1f : weight[(int)t];
                    value = -input[(n * classes + (int)t) * inner + d] * w;
                }
                if (reduction == LossReduction.None) loss[n * inner + d] = value;
                sum += value;
                weights += w;
            }
        }
        if (reduction == LossReduction.Sum) loss[0] = (float)sum;
        else if (reduction == LossReduction.Mean) loss[0] = (float)(sum / weights);
    }
}
