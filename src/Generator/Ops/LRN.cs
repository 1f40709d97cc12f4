using System;
using System.Globalization;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// LRN (local response normalization across channels) of X [N, C, D…]:
    /// y = x / (bias + alpha/size · Σ x²)^beta over a window of size channels around each channel. Kernels.Lrn.
    /// </summary>
    public sealed class LRNOp : OpDefinition
    {
        public override string OpType => "LRN";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Outputs.Length == 1, "expects one input and one output");
            RequireFloat(node);
            Require(node.Inputs[0]!.Rank >= 2, $"X {Shapes.Format(node.Inputs[0]!.Shape!)} needs a batch and a channel axis");
            Parameters(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = node.Inputs[0]!.Shape;
        }

        private static (int Size, float Alpha, float Beta, float Bias) Parameters(Node node)
        {
            Require(node.Attributes.Has("size"), "needs the size attribute");
            long size = node.Attributes.Int("size", 0);
            Require(size >= 1 && size <= int.MaxValue, $"size {size} must be positive");
            float alpha = node.Attributes.Float("alpha", 1e-4f), beta = node.Attributes.Float("beta", 0.75f), bias = node.Attributes.Float("bias", 1f);
            foreach (var (name, value) in new[] { ("alpha", alpha), ("beta", beta), ("bias", bias) })
                Require(!float.IsNaN(value) && !float.IsInfinity(value), $"{name} {value.ToString(CultureInfo.InvariantCulture)} must be finite");
            return ((int)size, alpha, beta, bias);
        }

        private static (int Batches, int Channels, int Spatial) Layout(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            return (x[0], x[1], Shapes.Size(x.Skip(2).ToArray()));
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!.AsFloats();
            var (size, alpha, beta, bias) = Parameters(node);
            var (batches, channels, spatial) = Layout(node);
            int before = (size - 1) / 2, after = size - 1 - before;
            var y = new float[x.Length];
            for (int n = 0; n < batches; n++)
                for (int c = 0; c < channels; c++)
                    for (int s = 0; s < spatial; s++)
                    {
                        double sum = 0;
                        for (int w = Math.Max(0, c - before); w <= Math.Min(channels - 1, c + after); w++)
                        {
                            double v = x[(n * channels + w) * spatial + s];
                            sum += v * v;
                        }
                        int at = (n * channels + c) * spatial + s;
                        y[at] = (float)(x[at] / Math.Pow(bias + alpha / size * sum, beta));
                    }
            node.Outputs[0].Constant = Tensor.FromFloats(node.Outputs[0].Shape!, y);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var (size, alpha, beta, bias) = Parameters(ctx.Node);
            var (batches, channels, spatial) = Layout(ctx.Node);
            ctx.Call("Lrn", ("x", ctx.Input(0)), ("destination", ctx.Output(0)), ("batches", batches), ("channels", channels), ("spatial", spatial),
                ("size", size), ("alpha", alpha), ("beta", beta), ("bias", bias));
        }
    }
}
