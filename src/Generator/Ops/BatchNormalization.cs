using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// BatchNormalization in inference mode (opsets 7–15+): y = (x − mean) / sqrt(var + epsilon) · scale + B per channel.
    /// With constant parameters it becomes one multiply-add per element (a, b folded at build time); the FoldBatchNorm pass
    /// usually removes it altogether by folding it into the Conv or Gemm before it. Opsets 7–8 with spatial = 0 take
    /// per-element parameters of shape [C, D1, …]. Training mode (opset 14+) normalizes with the batch statistics and
    /// writes the running mean and variance outputs.
    /// </summary>
    public sealed class BatchNormalizationOp : OpDefinition
    {
        public override string OpType => "BatchNormalization";

        /// <summary>(batch, channels, inner) with the parameter axis flattened into channels.</summary>
        internal static (int Batch, int Channels, int Inner) Layout(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            bool spatial = IsSpatial(node);
            int c = x.Length > 1 ? x[1] : 1;
            int inner = x.Skip(2).Aggregate(1, (a, b) => a * b);
            return spatial ? (x[0], c, inner) : (x[0], c * inner, 1);
        }

        internal static bool IsSpatial(Node node) => node.Opset >= 9 || node.Attributes.Int("spatial", 1) != 0;

        internal static bool IsTraining(Node node) => node.Opset >= 14 && node.Attributes.Int("training_mode", 0) != 0;

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 5 && node.Inputs.All(i => i is not null), "expects X, scale, B, input_mean and input_var");
            for (int i = 0; i < 5; i++) RequireFloat(node, i);
            var x = node.Inputs[0]!.Shape!;
            Require(x.Length >= 2, $"X {Shapes.Format(x)} needs a batch and a channel axis");
            bool spatial = IsSpatial(node);
            int c = x[1];
            int[] expected = spatial ? new[] { c } : x.Skip(1).ToArray();
            for (int i = 1; i < 5; i++)
            {
                var p = node.Inputs[i]!.Shape!;
                Require(Shapes.Size(p) == Shapes.Size(expected) && (p.SequenceEqual(expected) || p.Length == 1),
                    $"{node.Inputs[i]!.Name} {Shapes.Format(p)} must be {Shapes.Format(expected)}");
            }
            // Extra outputs exist only in training: running mean and variance (opset 14+), or the opset 7–9 statistics,
            // which inference models leave unused.
            bool training = IsTraining(node);
            if (training) RequireSupported(spatial, "training_mode with per-element parameters");
            for (int o = 1; o < node.Outputs.Length; o++)
            {
                var v = node.Outputs[o];
                RequireSupported(training && o <= 2 || (!v.IsGraphOutput && v.Consumers.Count == 0),
                    $"output '{v.Name}' (saved statistics are computed only in training)");
                v.Type = DataType.Float;
                v.Shape = expected;
            }
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = x;
        }

        /// <summary>Per-channel (a, b) with y = a·x + b, from constant parameters, in double precision.</summary>
        internal static (float[] A, float[] B) Fold(Node node)
        {
            float eps = node.Attributes.Float("epsilon", 1e-5f);
            var scale = node.Inputs[1]!.Constant!.AsFloats(); var bias = node.Inputs[2]!.Constant!.AsFloats();
            var mean = node.Inputs[3]!.Constant!.AsFloats(); var variance = node.Inputs[4]!.Constant!.AsFloats();
            var a = new float[scale.Length]; var b = new float[scale.Length];
            for (int i = 0; i < a.Length; i++)
            {
                double ai = scale[i] / Math.Sqrt((double)variance[i] + eps);
                a[i] = (float)ai;
                b[i] = (float)(bias[i] - mean[i] * ai);
            }
            return (a, b);
        }

        internal static bool HasConstantParameters(Node node) => Enumerable.Range(1, 4).All(i => node.Inputs[i]!.Constant is not null);

        public override bool TryFold(Node node)
        {
            if (IsTraining(node)) return false;
            var (batch, channels, inner) = Layout(node);
            var (a, b) = Fold(node);
            var x = node.Inputs[0]!.Constant!.AsFloats();
            var y = new float[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                int c = i / inner % channels;
                y[i] = x[i] * a[c] + b[c];
            }
            node.Outputs[0].Constant = Tensor.FromFloats(node.Outputs[0].Shape!, y);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var (batch, channels, inner) = Layout(node);
            var dims = new (string, Arg)[] { ("batch", batch), ("channels", channels), ("inner", inner) };
            float eps = node.Attributes.Float("epsilon", 1e-5f);
            if (IsTraining(node))
            {
                Arg Stat(int o) => o < node.Outputs.Length ? ctx.Output(o) : Arg.None;
                ctx.Call("BatchNormalizationTraining", new (string, Arg)[] { ("x", ctx.Input(0)), ("scale", ctx.Input(1)), ("bias", ctx.Input(2)), ("mean", ctx.Input(3)), ("variance", ctx.Input(4)),
                    ("epsilon", eps), ("momentum", node.Attributes.Float("momentum", 0.9f)), ("y", ctx.Output(0)), ("runningMean", Stat(1)), ("runningVar", Stat(2)) }.Concat(dims).ToArray());
                return;
            }
            if (HasConstantParameters(node))
            {
                var (a, b) = Fold(node);
                var wa = ctx.Weight(Tensor.FromFloats(new[] { channels }, a), node.Name + "_scale");
                var wb = ctx.Weight(Tensor.FromFloats(new[] { channels }, b), node.Name + "_shift");
                ctx.Call("ChannelAffine", new (string, Arg)[] { ("x", ctx.Input(0)), ("scale", wa), ("shift", wb), ("y", ctx.Output(0)) }.Concat(dims).ToArray());
                return;
            }
            ctx.Call("BatchNormalization", new (string, Arg)[] { ("x", ctx.Input(0)), ("scale", ctx.Input(1)), ("bias", ctx.Input(2)), ("mean", ctx.Input(3)), ("variance", ctx.Input(4)),
                ("epsilon", eps), ("y", ctx.Output(0)) }.Concat(dims).ToArray());
        }
    }
}
