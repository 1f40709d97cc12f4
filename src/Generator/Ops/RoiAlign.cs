using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// RoiAlign (10, 16): for each region of rois [R, 4] (x1, y1, x2, y2 in input pixels before spatial_scale) on the image
    /// of batch_indices [R] in X [N, C, H, W], an output_height × output_width grid of bins, each the average (mode avg)
    /// or maximum (mode max) of sampling_ratio² bilinear samples (0: adaptive, ceil(bin size) per axis). Opset 10 has
    /// output_half_pixel coordinates; opset 16 adds half_pixel (its default), which shifts by half a pixel and does not
    /// force small regions to 1×1. Max mode is ONNX Runtime's (and the reference's): the largest weighted corner
    /// w·x of each sample, not the largest interpolated value. Kernels.RoiAlign computes each sample once for all channels.
    /// </summary>
    public sealed class RoiAlignOp : OpDefinition
    {
        public override string OpType => "RoiAlign";

        private static (bool HalfPixel, bool Max, int OutHeight, int OutWidth, int SamplingRatio, float SpatialScale) Settings(Node node)
        {
            string transform = node.Opset >= 16 ? AttributeChecks.String(node, "coordinate_transformation_mode", "half_pixel") : "output_half_pixel";
            Require(transform is "half_pixel" or "output_half_pixel", $"coordinate_transformation_mode '{transform}' must be half_pixel or output_half_pixel");
            string mode = AttributeChecks.String(node, "mode", "avg");
            Require(mode is "avg" or "max", $"mode '{mode}' must be avg or max");
            long oh = AttributeChecks.Int(node, "output_height", 1), ow = AttributeChecks.Int(node, "output_width", 1);
            long ratio = AttributeChecks.Int(node, "sampling_ratio", 0);
            Require(oh >= 1 && ow >= 1 && oh <= int.MaxValue && ow <= int.MaxValue, $"output_height {oh} and output_width {ow} must be positive");
            Require(ratio >= 0 && ratio <= int.MaxValue, $"sampling_ratio {ratio} must not be negative");
            return (transform == "half_pixel", mode == "max", (int)oh, (int)ow, (int)ratio, AttributeChecks.Float(node, "spatial_scale", 1f));
        }

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null && node.Input(2) is not null && node.Outputs.Length == 1,
                "expects inputs X, rois and batch_indices and one output");
            RequireFloat(node, 0);
            RequireFloat(node, 1);
            var indices = node.Inputs[2]!;
            Require(indices.Type == DataType.Int64, $"batch_indices '{indices.Name}' must be int64");
            var x = node.Inputs[0]!.Shape!;
            var rois = node.Inputs[1]!.Shape!;
            Require(x.Length == 4, $"input X {Shapes.Format(x)} must be 4-D [N, C, H, W]");
            Require(rois.Length == 2 && rois[1] == 4, $"rois {Shapes.Format(rois)} must be [num_rois, 4]");
            Require(indices.Shape!.Length == 1 && indices.Shape[0] == rois[0], $"batch_indices {Shapes.Format(indices.Shape)} must be [{rois[0]}]");
            var s = Settings(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = new[] { rois[0], x[1], s.OutHeight, s.OutWidth };
        }

        /// <summary>One accumulator per channel.</summary>
        public override long ScratchBytes(Node node) => 4L * node.Inputs[0]!.Shape![1];

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var x = node.Inputs[0]!.Shape!;
            var s = Settings(node);
            if (node.Outputs[0].Length == 0) return;
            ctx.Call("RoiAlign", ("x", ctx.Input(0)), ("rois", ctx.Input(1)), ("batchIndices", ctx.Input(2)), ("y", ctx.Output(0)),
                ("scratch", ctx.Scratch()), ("batch", x[0]), ("channels", x[1]), ("height", x[2]), ("width", x[3]),
                ("regions", node.Inputs[1]!.Shape![0]), ("outHeight", s.OutHeight), ("outWidth", s.OutWidth),
                ("samplingRatio", s.SamplingRatio), ("spatialScale", s.SpatialScale), ("halfPixel", s.HalfPixel), ("max", s.Max));
        }
    }
}
