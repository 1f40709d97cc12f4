using System;
using System.Numerics.Tensors;
using ModelGen.Runtime.Operators;

namespace ModelGen.Runtime;

/// <summary>Which intermediate of Attention its qk_matmul_output holds.</summary>
public enum AttentionScores
{
    /// <summary>scale · Q·Kᵀ.</summary>
    Product,
    /// <summary>After the softcap (the product when there is none).</summary>
    Softcapped,
    /// <summary>After the mask (attn_mask, causal and padding) is added.</summary>
    Masked,
    /// <summary>The softmax: the attention weights.</summary>
    Softmax,
}

public static partial class Kernels
{
    /// <summary>
    /// Scaled dot-product attention (ONNX Attention), one query row at a time, fused: for query row i of head h in batch
    /// b, s[j] = scale · q·k_j over the total keys j (past keys, then the new ones), s = softcap·tanh(s / softcap) when
    /// softcap &gt; 0, plus the mask, softmax, and y = Σ_j s[j] v_j. Query head h reads key/value head
    /// h / (qHeads / kvHeads) (grouped-query attention). Only <paramref name="scores"/> (total keys floats) is scratch.
    /// <para>
    /// Layouts: Q, K, V and Y are [batch, heads, rows, size] or, with <paramref name="packedHeads"/>, [batch, rows,
    /// heads·size]; past and present keys/values are [batch, kvHeads, rows, size]. The mask (float, added, or bool,
    /// false = excluded) has maskLength columns, rows at b·maskBatchStride + h·maskHeadStride + i·maskRowStride (0 for a
    /// broadcast axis); columns past maskLength are excluded. Causal excludes key j &gt; i + offset, offset = pastLength
    /// or, without a past but with nonpadKvLength, nonpadKvLength[b] - qLength; nonpadKvLength[b] excludes keys from
    /// there on.
    /// </para>
    /// </summary>
    public static void Attention(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> mask, ReadOnlySpan<bool> booleanMask,
        ReadOnlySpan<float> pastKey, ReadOnlySpan<float> pastValue, ReadOnlySpan<long> nonpadKvLength,
        Span<float> y, Span<float> presentKey, Span<float> presentValue, Span<float> qkOutput, Span<float> scores,
        int batch, int qHeads, int kvHeads, int qLength, int kvLength, int pastLength, int headSize, int valueHeadSize, bool packedHeads,
        int maskBatchStride, int maskHeadStride, int maskRowStride, int maskLength,
        float scale, float softcap, bool causal, AttentionScores qkOutputMode)
    {
        if (batch <= 0 || qLength <= 0 || qHeads <= 0) return;
        if (kvHeads <= 0 || qHeads % kvHeads != 0) throw new ArgumentException("Attention needs qHeads to be a multiple of kvHeads.");
        int total = pastLength + kvLength;
        if (scores.Length < total) throw new ArgumentException("Attention scratch shorter than the total key count.");
        if (q.Length < (long)batch * qHeads * qLength * headSize || k.Length < (long)batch * kvHeads * kvLength * headSize
            || v.Length < (long)batch * kvHeads * kvLength * valueHeadSize || y.Length < (long)batch * qHeads * qLength * valueHeadSize)
            throw new ArgumentException("Attention operand too short.");
        if (pastLength > 0 && (pastKey.Length < (long)batch * kvHeads * pastLength * headSize || pastValue.Length < (long)batch * kvHeads * pastLength * valueHeadSize))
            throw new ArgumentException("Attention past key or value too short.");
        if (!nonpadKvLength.IsEmpty && nonpadKvLength.Length < batch) throw new ArgumentException("Attention nonpad_kv_seqlen shorter than the batch.");

        var qs = Strides(packedHeads, qHeads, qLength, headSize);
        var ks = Strides(packedHeads, kvHeads, kvLength, headSize);
        var vs = Strides(packedHeads, kvHeads, kvLength, valueHeadSize);
        var ys = Strides(packedHeads, qHeads, qLength, valueHeadSize);

        if (!presentKey.IsEmpty || !presentValue.IsEmpty)
            for (int b = 0; b < batch; b++)
                for (int g = 0; g < kvHeads; g++)
                {
                    int head = b * kvHeads + g;
                    for (int j = 0; j < total; j++)
                    {
                        if (!presentKey.IsEmpty) KeyRow(k, pastKey, ks, kvHeads, b, g, j, pastLength, headSize).CopyTo(presentKey.Slice((head * total + j) * headSize, headSize));
                        if (!presentValue.IsEmpty) KeyRow(v, pastValue, vs, kvHeads, b, g, j, pastLength, valueHeadSize).CopyTo(presentValue.Slice((head * total + j) * valueHeadSize, valueHeadSize));
                    }
                }

        var s = scores.Slice(0, total);
        // Without a qk_matmul_output no stage matches, so nothing is stored.
        var store = qkOutput.IsEmpty ? (AttentionScores)(-1) : qkOutputMode;
        int group = qHeads / kvHeads;
        bool hasMask = !mask.IsEmpty || !booleanMask.IsEmpty;
        for (int b = 0; b < batch; b++)
        {
            int valid = total;
            if (!nonpadKvLength.IsEmpty) valid = (int)Math.Clamp(nonpadKvLength[b], 0, total);
            int offset = pastLength > 0 || nonpadKvLength.IsEmpty ? pastLength : (int)nonpadKvLength[b] - qLength;
            for (int h = 0; h < qHeads; h++)
            {
                int g = h / group;
                for (int i = 0; i < qLength; i++)
                {
                    // Keys from `reach` on are excluded whatever the mask (causal, padding): their products are needed
                    // only when the qk output shows the scores before the mask.
                    int reach = Math.Min(valid, causal ? Math.Clamp(i + offset + 1, 0, total) : total);
                    int computed = store is AttentionScores.Product or AttentionScores.Softcapped ? total : reach;
                    var live = s.Slice(0, computed);
                    var qRow = q.Slice(b * qs.Batch + h * qs.Head + i * qs.Row, headSize);
                    for (int j = 0; j < computed; j++)
                        live[j] = TensorPrimitives.Dot(qRow, KeyRow(k, pastKey, ks, kvHeads, b, g, j, pastLength, headSize));
                    TensorPrimitives.Multiply(live, scale, live);
                    var qkRow = qkOutput.IsEmpty ? default : qkOutput.Slice(((b * qHeads + h) * qLength + i) * total, total);
                    if (store == AttentionScores.Product) s.CopyTo(qkRow);
                    if (softcap > 0)
                    {
                        TensorPrimitives.Multiply(live, 1f / softcap, live);
                        TensorPrimitives.Tanh(live, live);
                        TensorPrimitives.Multiply(live, softcap, live);
                    }
                    if (store == AttentionScores.Softcapped) s.CopyTo(qkRow);

                    int columns = reach;
                    if (hasMask)
                    {
                        int row = b * maskBatchStride + h * maskHeadStride + i * maskRowStride;
                        columns = Math.Min(maskLength, reach);
                        if (!mask.IsEmpty) TensorPrimitives.Add(s.Slice(0, columns), mask.Slice(row, columns), s.Slice(0, columns));
                        else
                            for (int j = 0; j < columns; j++)
                                if (!booleanMask[row + j]) s[j] = float.NegativeInfinity;
                    }
                    s.Slice(columns).Fill(float.NegativeInfinity);
                    if (store == AttentionScores.Masked) s.CopyTo(qkRow);

                    // Softmax. A row with every key excluded weighs nothing (y = 0), as in ONNX Runtime (the ONNX
                    // reference gives NaN).
                    var active = s.Slice(0, columns);
                    float max = columns == 0 ? float.NegativeInfinity : TensorPrimitives.Max(active);
                    if (float.IsNegativeInfinity(max)) s.Clear();
                    else
                    {
                        TensorPrimitives.Multiply(active, 1f / SumOf(active, active, new ShiftedExpOperator(max)), active);
                        s.Slice(columns).Clear();
                    }
                    if (store == AttentionScores.Softmax) s.CopyTo(qkRow);

                    var yRow = y.Slice(b * ys.Batch + h * ys.Head + i * ys.Row, valueHeadSize);
                    yRow.Clear();
                    // Keys from `columns` on are excluded (weight 0): causal rows touch only their prefix of V.
                    for (int j = 0; j < columns; j++)
                        TensorPrimitives.MultiplyAdd(KeyRow(v, pastValue, vs, kvHeads, b, g, j, pastLength, valueHeadSize), s[j], yRow, yRow);
                }
            }
        }
    }

    private static (int Batch, int Head, int Row) Strides(bool packedHeads, int heads, int rows, int size) =>
        packedHeads ? (rows * heads * size, size, heads * size) : (heads * rows * size, rows * size, size);

    /// <summary>Row j of key/value head g in batch b: from the past cache for j &lt; pastLength, else from the new rows.</summary>
    private static ReadOnlySpan<float> KeyRow(ReadOnlySpan<float> current, ReadOnlySpan<float> past, (int Batch, int Head, int Row) strides,
        int heads, int b, int g, int j, int pastLength, int size)
    {
        if (j < pastLength) return past.Slice(((b * heads + g) * pastLength + j) * size, size);
        return current.Slice(b * strides.Batch + g * strides.Head + (j - pastLength) * strides.Row, size);
    }
}
