using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Attention (opset 23/24): Y = softmax(softcap(scale·Q·Kᵀ) + mask)·V per head, with K and V extended by past_key and
    /// past_value (present_key/present_value return the extended caches), grouped-query attention when q_num_heads is a
    /// multiple of kv_num_heads, a float (added) or bool (false = excluded) attn_mask broadcast to [B, Hq, S, T] whose
    /// last axis may be shorter than T (the rest excluded), is_causal, nonpad_kv_seqlen (opset 24) and the
    /// qk_matmul_output of mode 0 (scale·Q·Kᵀ), 1 (softcapped), 2 (masked) or 3 (softmax). Inputs are 4-D [B, H, S, D] or
    /// 3-D [B, S, H·D] with q_num_heads and kv_num_heads. One fused kernel, Kernels.Attention, one query row at a time.
    /// </summary>
    public sealed class AttentionOp : OpDefinition
    {
        public override string OpType => "Attention";

        private sealed record AttentionGeometry(int Batch, int QHeads, int KvHeads, int QLength, int KvLength, int PastLength, int HeadSize, int ValueHeadSize,
            bool PackedHeads, int MaskBatchStride, int MaskHeadStride, int MaskRowStride, int MaskLength, float Scale, float Softcap, bool Causal, int Mode)
        {
            public int Total => PastLength + KvLength;
        }

        private static AttentionGeometry Infer(Node node)
        {
            Require(node.Inputs.Length >= 3 && node.Inputs.Take(3).All(i => i is not null), "needs Q, K and V");
            for (int i = 0; i < 3; i++) RequireFloat(node, i);
            Value q = node.Inputs[0]!, k = node.Inputs[1]!, v = node.Inputs[2]!;
            Require(q.Rank is 3 or 4 && k.Rank == q.Rank && v.Rank == q.Rank, $"Q, K and V have ranks {q.Rank}, {k.Rank}, {v.Rank}; all 3 or all 4 expected");

            bool causal = AttributeChecks.Flag(node, "is_causal");
            long qHeadsAttr = AttributeChecks.Int(node, "q_num_heads", 0), kvHeadsAttr = AttributeChecks.Int(node, "kv_num_heads", 0);
            Require(qHeadsAttr >= 0 && kvHeadsAttr >= 0, "q_num_heads and kv_num_heads must not be negative");
            long mode = AttributeChecks.Int(node, "qk_matmul_output_mode", 0);
            Require(mode is >= 0 and <= 3, $"qk_matmul_output_mode {mode} is not 0, 1, 2 or 3");
            float softcap = AttributeChecks.Float(node, "softcap", 0f);
            Require(softcap >= 0 && !float.IsNaN(softcap) && !float.IsInfinity(softcap), $"softcap {softcap} must be a finite value ≥ 0");
            long precision = AttributeChecks.Int(node, "softmax_precision", 1);
            // Float, float16 and bfloat16 softmax precision: the kernel's float softmax is at least as precise.
            RequireSupported(precision is 1 or 10 or 16, $"softmax_precision {precision} ({DataTypes.OnnxName((DataType)precision)}) is not supported; the softmax runs in float");

            var qs = q.Shape!; var ks = k.Shape!; var vs = v.Shape!;
            int batch = qs[0];
            Require(ks[0] == batch && vs[0] == batch, $"Q, K and V disagree on the batch: {Shapes.Format(qs)}, {Shapes.Format(ks)}, {Shapes.Format(vs)}");
            int qHeads, kvHeads, qLength, kvLength, headSize, valueHeadSize;
            bool packed = q.Rank == 3;
            if (packed)
            {
                Require(qHeadsAttr > 0 && kvHeadsAttr > 0, "q_num_heads and kv_num_heads are required for 3-D inputs");
                (qHeads, kvHeads) = ((int)qHeadsAttr, (int)kvHeadsAttr);
                Require(qs[2] % qHeads == 0 && ks[2] % kvHeads == 0 && vs[2] % kvHeads == 0,
                    $"hidden sizes {qs[2]}, {ks[2]}, {vs[2]} are not multiples of q_num_heads {qHeads} and kv_num_heads {kvHeads}");
                (qLength, kvLength, headSize, valueHeadSize) = (qs[1], ks[1], qs[2] / qHeads, vs[2] / kvHeads);
                Require(ks[2] / kvHeads == headSize, $"K's head size {ks[2] / kvHeads} differs from Q's {headSize}");
                Require(vs[1] == kvLength, $"K and V have {kvLength} and {vs[1]} rows");
            }
            else
            {
                (qHeads, kvHeads, qLength, kvLength, headSize, valueHeadSize) = (qs[1], ks[1], qs[2], ks[2], qs[3], vs[3]);
                Require(qHeadsAttr == 0 || qHeadsAttr == qHeads, $"q_num_heads {qHeadsAttr} differs from Q's {qHeads} heads");
                Require(kvHeadsAttr == 0 || kvHeadsAttr == kvHeads, $"kv_num_heads {kvHeadsAttr} differs from K's {kvHeads} heads");
                Require(ks[3] == headSize, $"K's head size {ks[3]} differs from Q's {headSize}");
                Require(vs[1] == kvHeads && vs[2] == kvLength, $"V {Shapes.Format(vs)} disagrees with K {Shapes.Format(ks)}");
            }
            Require(kvHeads > 0 && qHeads % kvHeads == 0, $"q_num_heads {qHeads} is not a multiple of kv_num_heads {kvHeads}");

            var pastKey = node.Input(4);
            var pastValue = node.Input(5);
            Require((pastKey is null) == (pastValue is null), "past_key and past_value come together");
            int pastLength = 0;
            if (pastKey is not null)
            {
                RequireFloat(node, 4);
                RequireFloat(node, 5);
                pastLength = pastKey.Rank == 4 ? pastKey.Shape![2] : -1;
                Require(pastKey.Rank == 4 && pastKey.Shape!.SequenceEqual(new[] { batch, kvHeads, pastLength, headSize }),
                    $"past_key has shape {Shapes.Format(pastKey.Shape!)}; [{batch}, {kvHeads}, past, {headSize}] expected");
                Require(pastValue!.Shape!.SequenceEqual(new[] { batch, kvHeads, pastLength, valueHeadSize }),
                    $"past_value has shape {Shapes.Format(pastValue.Shape!)}; [{batch}, {kvHeads}, {pastLength}, {valueHeadSize}] expected");
            }
            int total = pastLength + kvLength;

            int maskBatch = 0, maskHead = 0, maskRow = 0, maskLength = 0;
            var mask = node.Input(3);
            if (mask is not null)
            {
                Require(mask.Type == DataType.Bool || mask.Type == q.Type, $"attn_mask has type {DataTypes.OnnxName(mask.Type)}; bool or Q's type expected");
                var ms = mask.Shape!;
                Require(ms.Length is >= 1 and <= 4, $"attn_mask has rank {ms.Length}; 1 to 4 expected");
                maskLength = ms[ms.Length - 1];
                Require(maskLength <= total, $"attn_mask has {maskLength} columns, more than the {total} keys");
                var strides = Shapes.Strides(ms);
                var target = new[] { batch, qHeads, qLength };
                var result = new int[3];
                for (int axis = 0; axis < 3; axis++)
                {
                    int m = ms.Length - 4 + axis;
                    if (m < 0) continue;
                    Require(ms[m] == 1 || ms[m] == target[axis], $"attn_mask {Shapes.Format(ms)} does not broadcast to [{batch}, {qHeads}, {qLength}, {total}]");
                    result[axis] = ms[m] == 1 ? 0 : strides[m];
                }
                (maskBatch, maskHead, maskRow) = (result[0], result[1], result[2]);
            }
            var nonpad = node.Input(6);
            if (nonpad is not null)
                Require(nonpad.Type == DataType.Int64 && nonpad.Rank == 1 && nonpad.Shape![0] == batch,
                    $"nonpad_kv_seqlen has type {DataTypes.OnnxName(nonpad.Type)} and shape {Shapes.Format(nonpad.Shape!)}; int64 [{batch}] expected");

            float scale = AttributeChecks.Float(node, "scale", (float)(1 / Math.Sqrt(headSize)));
            Require(!float.IsNaN(scale) && !float.IsInfinity(scale), $"scale {scale} is not finite");
            return new AttentionGeometry(batch, qHeads, kvHeads, qLength, kvLength, pastLength, headSize, valueHeadSize, packed,
                maskBatch, maskHead, maskRow, maskLength, scale, softcap, causal, (int)mode);
        }

        public override void InferShapes(Node node)
        {
            var g = Infer(node);
            var type = node.Inputs[0]!.Type;
            void Set(int index, params int[] shape)
            {
                if (index >= node.Outputs.Length) return;
                node.Outputs[index].Type = type;
                node.Outputs[index].Shape = shape;
            }
            if (g.PackedHeads) Set(0, g.Batch, g.QLength, g.QHeads * g.ValueHeadSize);
            else Set(0, g.Batch, g.QHeads, g.QLength, g.ValueHeadSize);
            Set(1, g.Batch, g.KvHeads, g.Total, g.HeadSize);
            Set(2, g.Batch, g.KvHeads, g.Total, g.ValueHeadSize);
            Set(3, g.Batch, g.QHeads, g.QLength, g.Total);
        }

        /// <summary>The kernel's computation at build time, scalar and in double, for all-constant inputs.</summary>
        public override bool TryFold(Node node)
        {
            var g = Infer(node);
            var q = node.Inputs[0]!.Constant!.AsFloats();
            var k = node.Inputs[1]!.Constant!.AsFloats();
            var v = node.Inputs[2]!.Constant!.AsFloats();
            var maskInput = node.Input(3);
            var mask = maskInput?.Constant!.AsFloats();
            bool booleanMask = maskInput?.Type == DataType.Bool;
            var pastKey = node.Input(4)?.Constant!.AsFloats();
            var pastValue = node.Input(5)?.Constant!.AsFloats();
            var nonpad = node.Input(6)?.Constant!.AsLongs();
            int total = g.Total, group = g.QHeads / g.KvHeads;
            (int B, int H, int R) Strides(int heads, int rows, int size) =>
                g.PackedHeads ? (rows * heads * size, size, heads * size) : (heads * rows * size, rows * size, size);
            var qs = Strides(g.QHeads, g.QLength, g.HeadSize);
            var ks = Strides(g.KvHeads, g.KvLength, g.HeadSize);
            var vs = Strides(g.KvHeads, g.KvLength, g.ValueHeadSize);
            var ys = Strides(g.QHeads, g.QLength, g.ValueHeadSize);
            float Element(float[] current, float[]? past, (int B, int H, int R) st, int size, int b, int h, int j, int e) =>
                j < g.PastLength ? past![((b * g.KvHeads + h) * g.PastLength + j) * size + e] : current[b * st.B + h * st.H + (j - g.PastLength) * st.R + e];

            var y = new float[node.Outputs[0].Length];
            var presentKey = new float[g.Batch * g.KvHeads * total * g.HeadSize];
            var presentValue = new float[g.Batch * g.KvHeads * total * g.ValueHeadSize];
            for (int b = 0; b < g.Batch; b++)
                for (int h = 0; h < g.KvHeads; h++)
                    for (int j = 0; j < total; j++)
                    {
                        for (int e = 0; e < g.HeadSize; e++) presentKey[((b * g.KvHeads + h) * total + j) * g.HeadSize + e] = Element(k, pastKey, ks, g.HeadSize, b, h, j, e);
                        for (int e = 0; e < g.ValueHeadSize; e++) presentValue[((b * g.KvHeads + h) * total + j) * g.ValueHeadSize + e] = Element(v, pastValue, vs, g.ValueHeadSize, b, h, j, e);
                    }
            var scores = new float[g.Batch * g.QHeads * g.QLength * total];
            var row = new double[total];
            for (int b = 0; b < g.Batch; b++)
            {
                int valid = nonpad is null ? total : (int)Math.Max(0, Math.Min(nonpad[b], total));
                int offset = g.PastLength > 0 || nonpad is null ? g.PastLength : (int)nonpad[b] - g.QLength;
                for (int h = 0; h < g.QHeads; h++)
                    for (int i = 0; i < g.QLength; i++)
                    {
                        int scoreRow = ((b * g.QHeads + h) * g.QLength + i) * total;
                        for (int j = 0; j < total; j++)
                        {
                            double dot = 0;
                            for (int e = 0; e < g.HeadSize; e++)
                                dot += (double)q[b * qs.B + h * qs.H + i * qs.R + e] * Element(k, pastKey, ks, g.HeadSize, b, h / group, j, e);
                            double s = dot * g.Scale;
                            if (g.Mode == 0) scores[scoreRow + j] = (float)s;
                            if (g.Softcap > 0) s = g.Softcap * Math.Tanh(s / g.Softcap);
                            if (g.Mode == 1) scores[scoreRow + j] = (float)s;
                            bool excluded = j >= valid || (g.Causal && j > i + offset) || (mask is not null && j >= g.MaskLength);
                            if (!excluded && mask is not null)
                            {
                                float m = mask[b * g.MaskBatchStride + h * g.MaskHeadStride + i * g.MaskRowStride + j];
                                if (booleanMask) excluded = m == 0;
                                else s += m;
                            }
                            row[j] = excluded ? double.NegativeInfinity : s;
                            if (g.Mode == 2) scores[scoreRow + j] = (float)row[j];
                        }
                        double max = row.Max(), sum = 0;
                        for (int j = 0; j < total; j++) sum += row[j] = double.IsNegativeInfinity(max) ? 0 : Math.Exp(row[j] - max);
                        for (int j = 0; j < total; j++)
                        {
                            // Every key excluded: the row weighs nothing, as in ONNX Runtime.
                            row[j] = sum == 0 ? 0 : row[j] / sum;
                            if (g.Mode == 3) scores[scoreRow + j] = (float)row[j];
                        }
                        for (int e = 0; e < g.ValueHeadSize; e++)
                        {
                            double acc = 0;
                            for (int j = 0; j < total; j++) acc += row[j] * Element(v, pastValue, vs, g.ValueHeadSize, b, h / group, j, e);
                            y[b * ys.B + h * ys.H + i * ys.R + e] = (float)acc;
                        }
                    }
            }
            var outputs = new[] { y, presentKey, presentValue, scores };
            for (int o = 0; o < node.Outputs.Length && o < 4; o++)
                node.Outputs[o].Constant = Tensor.FromFloats(node.Outputs[o].Shape!, outputs[o]);
            return true;
        }

        public override long ScratchBytes(Node node) => (long)Infer(node).Total * sizeof(float);

        public override long Macs(Node node)
        {
            var g = Infer(node);
            return (long)g.Batch * g.QHeads * g.QLength * g.Total * (g.HeadSize + g.ValueHeadSize);
        }

        private static bool Wanted(Node node, int output) =>
            output < node.Outputs.Length && (node.Outputs[output].IsGraphOutput || node.Outputs[output].Consumers.Count > 0);

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var g = Infer(node);
            bool booleanMask = ctx.HasInput(3) && node.Inputs[3]!.Type == DataType.Bool;
            Arg Optional(int input) => ctx.HasInput(input) ? ctx.Input(input) : Arg.None;
            Arg Output(int output) => Wanted(node, output) ? ctx.Output(output) : Arg.None;
            ctx.Call("Attention",
                ("q", ctx.Input(0)), ("k", ctx.Input(1)), ("v", ctx.Input(2)),
                ("mask", ctx.HasInput(3) && !booleanMask ? ctx.Input(3) : Arg.None), ("booleanMask", booleanMask ? ctx.Input(3) : Arg.None),
                ("pastKey", Optional(4)), ("pastValue", Optional(5)), ("nonpadKvLength", Optional(6)),
                ("y", ctx.Output(0)), ("presentKey", Output(1)), ("presentValue", Output(2)), ("qkOutput", Output(3)), ("scores", ctx.Scratch()),
                ("batch", g.Batch), ("qHeads", g.QHeads), ("kvHeads", g.KvHeads), ("qLength", g.QLength), ("kvLength", g.KvLength),
                ("pastLength", g.PastLength), ("headSize", g.HeadSize), ("valueHeadSize", g.ValueHeadSize), ("packedHeads", g.PackedHeads),
                ("maskBatchStride", g.MaskBatchStride), ("maskHeadStride", g.MaskHeadStride), ("maskRowStride", g.MaskRowStride), ("maskLength", g.MaskLength),
                ("scale", g.Scale), ("softcap", g.Softcap), ("causal", g.Causal),
                ("qkOutputMode", Arg.Enum("AttentionScores", ModeNames[g.Mode])));
        }

        private static readonly string[] ModeNames = { "Product", "Softcapped", "Masked", "Softmax" };
    }
}
