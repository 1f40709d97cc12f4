using System;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// SoftmaxCrossEntropyLoss: log_prob = LogSoftmax(scores) over the class axis (1), then the negative log likelihood of
    /// the labels (see <see cref="LossBase"/>). Two kernels: LogSoftmax into the log_prob output (or scratch when it is not
    /// wanted), then NegativeLogLikelihoodLoss reading it.
    /// </summary>
    public sealed class SoftmaxCrossEntropyLossOp : LossBase
    {
        public override string OpType => "SoftmaxCrossEntropyLoss";

        public override void InferShapes(Node node)
        {
            InferLoss(node);
            if (node.Outputs.Length > 1)
            {
                node.Outputs[1].Type = DataType.Float;
                node.Outputs[1].Shape = node.Inputs[0]!.Shape;
            }
        }

        private static bool LogProbWanted(Node node) =>
            node.Outputs.Length > 1 && (node.Outputs[1].IsGraphOutput || node.Outputs[1].Consumers.Count > 0);

        public override long ScratchBytes(Node node) => LogProbWanted(node) ? 0 : (long)node.Inputs[0]!.Length * sizeof(float);

        public override bool TryFold(Node node)
        {
            var (batch, classes, inner) = Dims(node);
            var x = node.Inputs[0]!.Constant!.AsFloats();
            var logProb = new float[x.Length];
            for (int n = 0; n < batch; n++)
                for (int d = 0; d < inner; d++)
                {
                    int at(int c) => (n * classes + c) * inner + d;
                    double max = double.NegativeInfinity, sum = 0;
                    for (int c = 0; c < classes; c++) max = Math.Max(max, x[at(c)]);
                    for (int c = 0; c < classes; c++) sum += Math.Exp(x[at(c)] - max);
                    for (int c = 0; c < classes; c++) logProb[at(c)] = (float)(x[at(c)] - max - Math.Log(sum));
                }
            FoldLoss(node, logProb, batch, classes, inner);
            if (node.Outputs.Length > 1) node.Outputs[1].Constant = Tensor.FromFloats(node.Inputs[0]!.Shape!, logProb);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var (batch, classes, inner) = Dims(ctx.Node);
            Arg logProb = LogProbWanted(ctx.Node) ? ctx.Output(1) : ctx.Scratch();
            ctx.Call("LogSoftmax", ("x", ctx.Input(0)), ("destination", logProb), ("outer", batch), ("axis", classes), ("inner", inner));
            LowerLoss(ctx, logProb, batch, classes, inner);
        }
    }
}
