using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Dropout at inference: output 0 is a view of the input. The optional mask (bool since opset 10, the input's type
    /// before) is all true since opset 12; before, ONNX Runtime fills it with zeros (false), and so do we, since it is
    /// the oracle. Opset 12 made ratio and training_mode inputs; training mode with a nonzero ratio needs random
    /// numbers and is not supported.
    /// </summary>
    public sealed class DropoutOp : OpDefinition
    {
        public override string OpType => "Dropout";
        public override bool IsView => true;

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            if (node.Opset >= 12)
            {
                var training = node.Input(2);
                if (training is not null)
                {
                    RequireSupported(training.Constant is not null, $"training_mode input '{training.Name}' must be known at build time");
                    if (training.Constant!.GetLong(0) != 0)
                    {
                        // Training with ratio 0 keeps everything; any other ratio needs random numbers at run time.
                        var ratio = node.Input(1);
                        RequireSupported(ratio is null || ratio.Constant is not null, $"ratio input '{ratio?.Name}' must be known at build time when training_mode is true");
                        RequireSupported(ratio is not null && ratio.Constant!.GetDouble(0) == 0,
                            "training_mode is true with a nonzero ratio: random dropout at run time is not supported");
                    }
                }
            }
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = x.Shape;
            if (node.Outputs.Length > 1)
            {
                node.Outputs[1].Type = node.Opset >= 10 ? DataType.Bool : x.Type;
                node.Outputs[1].Shape = x.Shape;
            }
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = node.Inputs[0]!.Constant;
            if (node.Outputs.Length > 1)
            {
                var mask = node.Outputs[1];
                mask.Constant = Tensor.FromDoubles(mask.Type, mask.Shape!, Enumerable.Repeat(MaskValue(node), mask.Length).ToArray());
            }
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            ViewOps.LowerCopy(ctx);
            if (ctx.Node.Outputs.Length < 2) return;
            var mask = ctx.Node.Outputs[1];
            if (mask.Consumers.Count == 0 && !mask.IsGraphOutput) return;
            ctx.Fill(ctx.Output(1), ScalarArg.From(Tensor.FromDoubles(mask.Type, new int[0], new[] { MaskValue(ctx.Node) }), 0, mask.Type));
        }

        private static double MaskValue(Node node) => node.Opset >= 12 ? 1 : 0;
    }
}
