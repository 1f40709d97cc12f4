using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace ModelGen.Runtime;

/// <summary>The activation functions ONNX's LSTM, GRU and RNN accept in their <c>activations</c> attribute.</summary>
public enum RecurrentActivationKind
{
    Sigmoid = 0,
    Tanh,
    Relu,
    /// <summary>Alpha·x + Beta.</summary>
    Affine,
    /// <summary>x ≥ 0 ? x : Alpha·x.</summary>
    LeakyRelu,
    /// <summary>x &gt; Alpha ? x : 0.</summary>
    ThresholdedRelu,
    /// <summary>Alpha·tanh(Beta·x).</summary>
    ScaledTanh,
    /// <summary>max(0, min(1, Alpha·x + Beta)).</summary>
    HardSigmoid,
    /// <summary>x ≥ 0 ? x : Alpha·(eˣ − 1).</summary>
    Elu,
    /// <summary>x / (1 + |x|).</summary>
    Softsign,
    /// <summary>log(1 + eˣ).</summary>
    Softplus,
}

/// <summary>One gate activation of a recurrent layer; the common ones run through the vectorized FusedActivation paths.</summary>
public readonly struct RecurrentActivation
{
    public RecurrentActivation(RecurrentActivationKind kind, float alpha = 0f, float beta = 0f)
    {
        Kind = kind;
        Alpha = alpha;
        Beta = beta;
    }

    public RecurrentActivationKind Kind { get; }
    public float Alpha { get; }
    public float Beta { get; }

    /// <summary>The kinds <see cref="FusedActivation"/> also has, as one (vectorized there); <c>default</c> (none) for the rest.</summary>
    private FusedActivation Fused => Kind switch
    {
        RecurrentActivationKind.Sigmoid => new FusedActivation(ActivationKind.Sigmoid),
        RecurrentActivationKind.Tanh => new FusedActivation(ActivationKind.Tanh),
        RecurrentActivationKind.Relu => new FusedActivation(ActivationKind.Relu),
        RecurrentActivationKind.LeakyRelu => new FusedActivation(ActivationKind.LeakyRelu, Alpha),
        RecurrentActivationKind.HardSigmoid => new FusedActivation(ActivationKind.HardSigmoid, Alpha, Beta),
        _ => default,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(Span<float> v)
    {
        var fused = Fused;
        if (fused.Kind != ActivationKind.None)
        {
            fused.Apply(v);
            return;
        }
        for (int i = 0; i < v.Length; i++)
        {
            float x = v[i];
            v[i] = Kind switch
            {
                RecurrentActivationKind.Affine => Alpha * x + Beta,
                RecurrentActivationKind.ThresholdedRelu => x > Alpha ? x : 0f,
                RecurrentActivationKind.ScaledTanh => Alpha * MathF.Tanh(Beta * x),
                RecurrentActivationKind.Elu => x >= 0f ? x : Alpha * (MathF.Exp(x) - 1f),
                RecurrentActivationKind.Softsign => x / (1f + MathF.Abs(x)),
                RecurrentActivationKind.Softplus => x > 20f ? x : MathF.Log(1f + MathF.Exp(x)),
                _ => x,
            };
        }
    }
}

/// <summary>
/// The sizes of one direction of a recurrent layer and where its tensors live: X and the input projection are
/// [steps, batch, ·] (layout 0) or [batch, steps, ·] (<see cref="BatchMajor"/>, layout 1); Y is [steps, directions, batch,
/// hidden] or [batch, steps, directions, hidden]; initial and final states [directions, batch, hidden] or [batch,
/// directions, hidden].
/// </summary>
public readonly struct RecurrentShape
{
    public RecurrentShape(int steps, int batch, int hidden, int directions, int direction, bool reverse, bool batchMajor)
    {
        Steps = steps; Batch = batch; Hidden = hidden; Directions = directions; Direction = direction; Reverse = reverse; BatchMajor = batchMajor;
    }

    public int Steps { get; }
    public int Batch { get; }
    public int Hidden { get; }
    public int Directions { get; }
    public int Direction { get; }
    public bool Reverse { get; }
    public bool BatchMajor { get; }

    /// <summary>Row of X (and of the projection) for time t, batch b.</summary>
    public int InputRow(int t, int b) => BatchMajor ? b * Steps + t : t * Batch + b;

    /// <summary>Element offset of this direction's state of batch b.</summary>
    public int State(int b) => (BatchMajor ? b * Directions + Direction : Direction * Batch + b) * Hidden;

    /// <summary>Element offset of Y for time t, batch b.</summary>
    public int Output(int t, int b) => (BatchMajor ? (b * Steps + t) * Directions + Direction : (t * Directions + Direction) * Batch + b) * Hidden;
}

public static partial class Kernels
{
    /// <summary>
    /// Packs the transpose of rows [rowStart, rowStart + rowCount) of row-major w[·, cols] as <see cref="PackB"/> packs a
    /// [cols, rowCount] matrix: run-time recurrent weights (W, R) become the packed B of x·Wᵀ.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackTransposedRows(ReadOnlySpan<float> w, int cols, int rowStart, int rowCount, Span<float> packed)
    {
        int length = PackedBLength(cols, rowCount);
        if (w.Length < (rowStart + rowCount) * cols || packed.Length < length) throw new ArgumentException("PackTransposedRows operand too short.");
        packed.Slice(0, length).Clear();
        for (int r = 0; r < rowCount; r++)
        {
            var row = w.Slice((rowStart + r) * cols, cols);
            for (int c = 0; c < cols; c++) packed[GemmLayout.PackedIndex(c, r, cols)] = row[c];
        }
    }

    /// <summary>Scratch floats of <see cref="LstmSequence"/>: the hidden and cell states and the gates of every batch row.</summary>
    public static int LstmScratch(int batch, int hidden) => batch * hidden * 6;

    /// <summary>
    /// One direction of an LSTM (gates i, o, f, c) over a whole sequence. <paramref name="projection"/> holds x·Wᵀ for every
    /// (time, batch) row, computed before as one GEMM; each step adds h·Rᵀ (<paramref name="packedR"/>: Rᵀ [hidden, 4·hidden]
    /// packed as <see cref="PackB"/>), both biases and the peepholes, applies f, g, h and writes Y, Y_h and Y_c (any may be
    /// empty). Batch rows past their <paramref name="sequenceLengths"/> keep their state and write zeros to Y.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmSequence(ReadOnlySpan<float> projection, ReadOnlySpan<float> packedR, ReadOnlySpan<float> wb, ReadOnlySpan<float> rb,
        ReadOnlySpan<float> peephole, ReadOnlySpan<float> initialH, ReadOnlySpan<float> initialC, ReadOnlySpan<int> sequenceLengths,
        Span<float> y, Span<float> yh, Span<float> yc, in RecurrentShape s, RecurrentActivation f, RecurrentActivation g, RecurrentActivation h,
        float clip, bool inputForget, Span<float> scratch)
    {
        int hidden = s.Hidden, batch = s.Batch, gates = 4 * hidden;
        CheckRecurrent(projection, packedR, gates, wb, rb, initialH, initialC, sequenceLengths, y, yh, yc, s, scratch, LstmScratch(batch, hidden));
        if (!peephole.IsEmpty && peephole.Length < 3 * hidden) throw new ArgumentException("LSTM peephole too short.");
        var state = scratch.Slice(0, batch * hidden);
        var cell = scratch.Slice(batch * hidden, batch * hidden);
        var z = scratch.Slice(2 * batch * hidden, batch * gates);
        LoadState(initialH, state, s);
        LoadState(initialC, cell, s);
        for (int step = 0; step < s.Steps; step++)
        {
            GemmPackedB(state, hidden, packedR, z, gates, batch, gates, hidden, default, default, 1f, false, default);
            for (int b = 0; b < batch; b++)
            {
                if (!StepTime(s, sequenceLengths, step, b, y, out int t)) continue;
                var row = z.Slice(b * gates, gates);
                AddInputAndBiases(row, projection.Slice(s.InputRow(t, b) * gates, gates), wb, rb);
                var c = cell.Slice(b * hidden, hidden);
                var gi = row.Slice(0, hidden); var go = row.Slice(hidden, hidden); var gf = row.Slice(2 * hidden, hidden); var gc = row.Slice(3 * hidden, hidden);
                if (!peephole.IsEmpty)
                {
                    TensorPrimitives.FusedMultiplyAdd(peephole.Slice(0, hidden), c, gi, gi);
                    TensorPrimitives.FusedMultiplyAdd(peephole.Slice(2 * hidden, hidden), c, gf, gf);
                }
                if (clip > 0f)
                {
                    // The output gate is clipped below, after its peephole on the new cell state.
                    Clip(gi, clip);
                    Clip(gf, clip);
                    Clip(gc, clip);
                }
                f.Apply(gi);
                if (inputForget)
                {
                    // Coupled gates: f = 1 − i.
                    TensorPrimitives.Negate(gi, gf);
                    TensorPrimitives.Add(gf, 1f, gf);
                }
                else f.Apply(gf);
                g.Apply(gc);
                // c = f ⊙ c + i ⊙ g
                TensorPrimitives.Multiply(gf, c, c);
                TensorPrimitives.FusedMultiplyAdd(gi, gc, c, c);
                if (!peephole.IsEmpty) TensorPrimitives.FusedMultiplyAdd(peephole.Slice(hidden, hidden), c, go, go);
                if (clip > 0f) Clip(go, clip);
                f.Apply(go);
                // h's input, the new cell state, is not clipped (ONNX Runtime clips only the gates' inputs).
                c.CopyTo(gc);
                h.Apply(gc);
                var hb = state.Slice(b * hidden, hidden);
                TensorPrimitives.Multiply(go, gc, hb);
                StoreOutput(hb, y, s, t, b);
            }
        }
        StoreState(state, yh, sequenceLengths, s);
        StoreState(cell, yc, sequenceLengths, s);
    }

    /// <summary>Scratch floats of <see cref="GruSequence"/>: the state, the z and r gates, the candidate and r ⊙ h of every batch row.</summary>
    public static int GruScratch(int batch, int hidden) => batch * hidden * 5;

    /// <summary>
    /// One direction of a GRU (gates z, r, h) over a whole sequence, as <see cref="LstmSequence"/>. <paramref name="packedRzr"/>
    /// is Rᵀ of the z and r gates [hidden, 2·hidden] and <paramref name="packedRh"/> that of the candidate [hidden, hidden],
    /// both packed. With <paramref name="linearBeforeReset"/> the candidate is r ⊙ (h·Rhᵀ + Rbh), else (r ⊙ h)·Rhᵀ + Rbh.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruSequence(ReadOnlySpan<float> projection, ReadOnlySpan<float> packedRzr, ReadOnlySpan<float> packedRh, ReadOnlySpan<float> wb,
        ReadOnlySpan<float> rb, ReadOnlySpan<float> initialH, ReadOnlySpan<int> sequenceLengths, Span<float> y, Span<float> yh, in RecurrentShape s,
        RecurrentActivation f, RecurrentActivation g, float clip, bool linearBeforeReset, Span<float> scratch)
    {
        int hidden = s.Hidden, batch = s.Batch, gates = 3 * hidden;
        CheckRecurrent(projection, packedRzr, 2 * hidden, wb, rb, initialH, default, sequenceLengths, y, yh, default, s, scratch, GruScratch(batch, hidden));
        if (packedRh.Length < PackedBLength(hidden, hidden)) throw new ArgumentException("GRU packed Rh too short.");
        var state = scratch.Slice(0, batch * hidden);
        var zr = scratch.Slice(batch * hidden, 2 * batch * hidden);
        var candidate = scratch.Slice(3 * batch * hidden, batch * hidden);
        var reset = scratch.Slice(4 * batch * hidden, batch * hidden);
        LoadState(initialH, state, s);
        for (int step = 0; step < s.Steps; step++)
        {
            GemmPackedB(state, hidden, packedRzr, zr, 2 * hidden, batch, 2 * hidden, hidden, default, default, 1f, false, default);
            if (linearBeforeReset)
                GemmPackedB(state, hidden, packedRh, candidate, hidden, batch, hidden, hidden, default, default, 1f, false, default);
            for (int b = 0; b < batch; b++)
            {
                if (!StepTime(s, sequenceLengths, step, b, default, out int t)) continue;
                var row = zr.Slice(b * 2 * hidden, 2 * hidden);
                AddInputAndBiases(row, projection.Slice(s.InputRow(t, b) * gates, 2 * hidden), wb.IsEmpty ? wb : wb.Slice(0, 2 * hidden),
                    rb.IsEmpty ? rb : rb.Slice(0, 2 * hidden));
                if (clip > 0f) Clip(row, clip);
                f.Apply(row);
                var r = row.Slice(hidden, hidden);
                var hb = state.Slice(b * hidden, hidden);
                if (linearBeforeReset)
                {
                    var cand = candidate.Slice(b * hidden, hidden);
                    if (!rb.IsEmpty) TensorPrimitives.Add(cand, rb.Slice(2 * hidden, hidden), cand);
                    TensorPrimitives.Multiply(cand, r, cand);
                }
                else TensorPrimitives.Multiply(r, hb, reset.Slice(b * hidden, hidden));
            }
            if (!linearBeforeReset)
                GemmPackedB(reset, hidden, packedRh, candidate, hidden, batch, hidden, hidden, default, default, 1f, false, default);
            for (int b = 0; b < batch; b++)
            {
                if (!StepTime(s, sequenceLengths, step, b, y, out int t)) continue;
                var cand = candidate.Slice(b * hidden, hidden);
                TensorPrimitives.Add(cand, projection.Slice(s.InputRow(t, b) * gates + 2 * hidden, hidden), cand);
                if (!wb.IsEmpty) TensorPrimitives.Add(cand, wb.Slice(2 * hidden, hidden), cand);
                if (!linearBeforeReset && !rb.IsEmpty) TensorPrimitives.Add(cand, rb.Slice(2 * hidden, hidden), cand);
                if (clip > 0f) Clip(cand, clip);
                g.Apply(cand);
                // h = (1 − z) ⊙ ĥ + z ⊙ h = ĥ + z ⊙ (h − ĥ)
                var zb = zr.Slice(b * 2 * hidden, hidden);
                var hb = state.Slice(b * hidden, hidden);
                TensorPrimitives.Subtract(hb, cand, hb);
                TensorPrimitives.FusedMultiplyAdd(zb, hb, cand, hb);
                StoreOutput(hb, y, s, t, b);
            }
        }
        StoreState(state, yh, sequenceLengths, s);
    }

    /// <summary>Scratch floats of <see cref="RnnSequence"/>: the state and the pre-activations of every batch row.</summary>
    public static int RnnScratch(int batch, int hidden) => batch * hidden * 2;

    /// <summary>One direction of a simple RNN, h = f(x·Wᵀ + h·Rᵀ + Wb + Rb), as <see cref="LstmSequence"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RnnSequence(ReadOnlySpan<float> projection, ReadOnlySpan<float> packedR, ReadOnlySpan<float> wb, ReadOnlySpan<float> rb,
        ReadOnlySpan<float> initialH, ReadOnlySpan<int> sequenceLengths, Span<float> y, Span<float> yh, in RecurrentShape s,
        RecurrentActivation f, float clip, Span<float> scratch)
    {
        int hidden = s.Hidden, batch = s.Batch;
        CheckRecurrent(projection, packedR, hidden, wb, rb, initialH, default, sequenceLengths, y, yh, default, s, scratch, RnnScratch(batch, hidden));
        var state = scratch.Slice(0, batch * hidden);
        var z = scratch.Slice(batch * hidden, batch * hidden);
        LoadState(initialH, state, s);
        for (int step = 0; step < s.Steps; step++)
        {
            GemmPackedB(state, hidden, packedR, z, hidden, batch, hidden, hidden, default, default, 1f, false, default);
            for (int b = 0; b < batch; b++)
            {
                if (!StepTime(s, sequenceLengths, step, b, y, out int t)) continue;
                var row = z.Slice(b * hidden, hidden);
                AddInputAndBiases(row, projection.Slice(s.InputRow(t, b) * hidden, hidden), wb, rb);
                if (clip > 0f) Clip(row, clip);
                f.Apply(row);
                var hb = state.Slice(b * hidden, hidden);
                row.CopyTo(hb);
                StoreOutput(hb, y, s, t, b);
            }
        }
        StoreState(state, yh, sequenceLengths, s);
    }

    /// <summary>
    /// The time batch row b reads at this step (a reverse direction walks back from the row's own length); false past
    /// the row's length, where Y's slot of the step gets zeros (when <paramref name="y"/> is given).
    /// </summary>
    private static bool StepTime(in RecurrentShape s, ReadOnlySpan<int> sequenceLengths, int step, int b, Span<float> y, out int t)
    {
        int length = sequenceLengths.IsEmpty ? s.Steps : sequenceLengths[b];
        t = s.Reverse ? length - 1 - step : step;
        if (step < length) return true;
        if (!y.IsEmpty) y.Slice(s.Output(step, b), s.Hidden).Clear();
        return false;
    }

    /// <summary>The new hidden state of batch row b at time t into Y (when Y is an output).</summary>
    private static void StoreOutput(ReadOnlySpan<float> h, Span<float> y, in RecurrentShape s, int t, int b)
    {
        if (!y.IsEmpty) h.CopyTo(y.Slice(s.Output(t, b), s.Hidden));
    }

    private static void CheckRecurrent(ReadOnlySpan<float> projection, ReadOnlySpan<float> packedR, int recurrentColumns, ReadOnlySpan<float> wb,
        ReadOnlySpan<float> rb, ReadOnlySpan<float> initialH, ReadOnlySpan<float> initialC, ReadOnlySpan<int> sequenceLengths, Span<float> y,
        Span<float> yh, Span<float> yc, in RecurrentShape s, Span<float> scratch, int scratchFloats)
    {
        int states = s.Directions * s.Batch * s.Hidden;
        int gates = recurrentColumns == 2 * s.Hidden ? 3 * s.Hidden : recurrentColumns;
        if (projection.Length < s.Steps * s.Batch * gates || packedR.Length < PackedBLength(s.Hidden, recurrentColumns)
            || (!wb.IsEmpty && wb.Length < gates) || (!rb.IsEmpty && rb.Length < gates)
            || (!initialH.IsEmpty && initialH.Length < states) || (!initialC.IsEmpty && initialC.Length < states)
            || (!sequenceLengths.IsEmpty && sequenceLengths.Length < s.Batch) || (!y.IsEmpty && y.Length < s.Steps * states)
            || (!yh.IsEmpty && yh.Length < states) || (!yc.IsEmpty && yc.Length < states) || scratch.Length < scratchFloats)
            throw new ArgumentException("Recurrent operand too short.");
        for (int b = 0; b < sequenceLengths.Length && b < s.Batch; b++)
            if ((uint)sequenceLengths[b] > (uint)s.Steps) throw new ArgumentException($"sequence_lens[{b}] = {sequenceLengths[b]} is outside [0, {s.Steps}].");
    }

    private static void AddInputAndBiases(Span<float> row, ReadOnlySpan<float> input, ReadOnlySpan<float> wb, ReadOnlySpan<float> rb)
    {
        TensorPrimitives.Add(row, input, row);
        if (!wb.IsEmpty) TensorPrimitives.Add(row, wb.Slice(0, row.Length), row);
        if (!rb.IsEmpty) TensorPrimitives.Add(row, rb.Slice(0, row.Length), row);
    }

    private static void Clip(Span<float> v, float clip)
    {
        TensorPrimitives.Min(v, clip, v);
        TensorPrimitives.Max(v, -clip, v);
    }

    private static void LoadState(ReadOnlySpan<float> initial, Span<float> state, in RecurrentShape s)
    {
        if (initial.IsEmpty) { state.Clear(); return; }
        for (int b = 0; b < s.Batch; b++) initial.Slice(s.State(b), s.Hidden).CopyTo(state.Slice(b * s.Hidden, s.Hidden));
    }

    /// <summary>The final states; a batch row of length 0 ends with zeros (as ONNX Runtime does), not its initial state.</summary>
    private static void StoreState(ReadOnlySpan<float> state, Span<float> final, ReadOnlySpan<int> sequenceLengths, in RecurrentShape s)
    {
        if (final.IsEmpty) return;
        for (int b = 0; b < s.Batch; b++)
        {
            var dst = final.Slice(s.State(b), s.Hidden);
            if (!sequenceLengths.IsEmpty && sequenceLengths[b] == 0) dst.Clear();
            else state.Slice(b * s.Hidden, s.Hidden).CopyTo(dst);
        }
    }
}
