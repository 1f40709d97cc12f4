using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// NonMaxSuppression (opsets 10, 11): per batch and class, boxes by descending score (ties by lower index) above
    /// score_threshold (strict), each kept unless its IoU with an already kept box of that class exceeds iou_threshold,
    /// at most max_output_boxes_per_class of them. The output [count, 3] (batch, class, box) has a run-time row count
    /// (<see cref="Value.RowCount"/>) within the capacity B·C·min(max_output_boxes_per_class, N), so
    /// max_output_boxes_per_class must be known at build time. The thresholds may be run-time scalars.
    /// </summary>
    public sealed class NonMaxSuppressionOp : OpDefinition
    {
        public override string OpType => "NonMaxSuppression";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null, "needs boxes and scores");
            var boxes = node.Inputs[0]!;
            var scores = node.Inputs[1]!;
            Require(boxes.Rank == 3 && boxes.Shape![2] == 4, $"boxes {Shapes.Format(boxes.Shape!)} must be [batches, boxes, 4]");
            Require(scores.Rank == 3 && scores.Shape![0] == boxes.Shape![0] && scores.Shape[2] == boxes.Shape[1],
                $"scores {Shapes.Format(scores.Shape!)} must be [batches, classes, boxes] for boxes {Shapes.Format(boxes.Shape!)}");
            RequireSupported(boxes.Type == DataType.Float && scores.Type == DataType.Float, "boxes and scores must be float");
            for (int i = 3; i <= 4; i++)
                if (node.Input(i) is { } t)
                {
                    Require(t.Length == 1, $"{(i == 3 ? "iou_threshold" : "score_threshold")} must hold one value");
                    RequireSupported(t.Type == DataType.Float, "thresholds must be float");
                }
            long center = node.Attributes.Int("center_point_box", 0);
            Require(center is 0 or 1, $"center_point_box {center} must be 0 or 1");
            var output = node.Outputs[0];
            output.Type = DataType.Int64;
            output.Shape = new[] { Capacity(node), 3 };
            RowCounts.Attach(output, 0);
        }

        /// <summary>max_output_boxes_per_class: absent means 0 (no output), negative values count as 0 as in ONNX Runtime.</summary>
        private static int MaxPerClass(Node node)
        {
            var v = node.Input(2);
            if (v is null) return 0;
            Require(v.Length == 1, "max_output_boxes_per_class must hold one value");
            RequireSupported(v.Constant is not null,
                $"input '{v.Name}' must be known at build time: max_output_boxes_per_class sets the output's capacity");
            long m = v.Constant!.GetLong(0);
            return (int)System.Math.Max(0, System.Math.Min(m, int.MaxValue));
        }

        private static int Capacity(Node node)
        {
            var scores = node.Inputs[1]!.Shape!;
            long rows = (long)scores[0] * scores[1] * System.Math.Min(MaxPerClass(node), scores[2]);
            RequireSupported(rows <= int.MaxValue / 3, $"the output's capacity of {rows} rows is too large");
            return (int)rows;
        }

        public override long ScratchBytes(Node node)
        {
            var s = node.Inputs[1]!.Shape!;
            int n = s[2];
            // Sort keys (8 bytes), box edges and area (5 floats) per box, then the kept boxes of one class.
            return 8L * n + 20L * n + 4L * System.Math.Min(MaxPerClass(node), n) + 8;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var s = node.Inputs[1]!.Shape!;
            ctx.Call("NonMaxSuppression",
                ("boxes", ctx.Input(0)), ("scores", ctx.Input(1)),
                ("iouThreshold", ctx.HasInput(3) ? ctx.Input(3) : Arg.None),
                ("scoreThreshold", ctx.HasInput(4) ? ctx.Input(4) : Arg.None),
                ("selected", ctx.Output(0)), ("count", ctx.OutputCount(0)), ("scratch", ctx.Scratch(DataType.UInt8)),
                ("batches", s[0]), ("classes", s[1]), ("boxCount", s[2]), ("maxPerClass", MaxPerClass(node)),
                ("centerPointBox", node.Attributes.Int("center_point_box", 0) == 1));
        }
    }
}
