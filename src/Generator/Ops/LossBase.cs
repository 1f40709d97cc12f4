using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// What NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss share: input [N, C, d1…dk] viewed as [N, C, D], target
    /// [N, d1…dk] of int32/int64 class indices, optional weight [C], reduction (none, sum, mean; default mean) and
    /// ignore_index (targets equal to it count nothing and weigh nothing). The loss is [N, d1…dk] without reduction,
    /// else a scalar.
    /// </summary>
    public abstract class LossBase : OpDefinition
    {
        /// <summary>Passed to the kernel when there is no ignore_index: no valid target equals it.</summary>
        protected const long NoIgnoreIndex = long.MinValue;

        protected static string Reduction(Node node)
        {
            string r = AttributeChecks.String(node, "reduction", "mean");
            Require(r is "none" or "sum" or "mean", $"reduction '{r}' is not one of none, sum, mean");
            return r;
        }

        protected static long IgnoreIndex(Node node) => AttributeChecks.Int(node, "ignore_index", NoIgnoreIndex);

        protected static Arg ReductionArg(Node node) => Reduction(node) switch
        {
            "none" => Arg.Enum("LossReduction", "None"),
            "sum" => Arg.Enum("LossReduction", "Sum"),
            _ => Arg.Enum("LossReduction", "Mean"),
        };

        /// <summary>Checks the inputs, sets output 0 and returns [N, C, D].</summary>
        protected static (int Batch, int Classes, int Inner) InferLoss(Node node)
        {
            Require(node.Inputs.Length >= 2 && node.Inputs[0] is not null && node.Inputs[1] is not null, "needs an input and a target");
            RequireFloat(node);
            var x = node.Inputs[0]!;
            var target = node.Inputs[1]!;
            Require(x.Rank >= 2, $"input '{x.Name}' has rank {x.Rank}; 2 or more expected ([N, C, d1…dk])");
            Require(target.Type is DataType.Int32 or DataType.Int64, $"target '{target.Name}' has type {DataTypes.OnnxName(target.Type)}; int32 or int64 expected");
            var expected = new[] { x.Shape![0] }.Concat(x.Shape.Skip(2)).ToArray();
            Require(target.Shape!.SequenceEqual(expected), $"target '{target.Name}' has shape {Shapes.Format(target.Shape!)}; {Shapes.Format(expected)} expected");
            var weight = node.Input(2);
            if (weight is not null)
            {
                RequireFloat(node, 2);
                Require(weight.Rank == 1 && weight.Shape![0] == x.Shape[1], $"weight '{weight.Name}' has shape {Shapes.Format(weight.Shape!)}; [{x.Shape[1]}] expected");
            }
            string reduction = Reduction(node);
            IgnoreIndex(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = reduction == "none" ? target.Shape! : new int[0];
            return (x.Shape[0], x.Shape[1], x.Shape.Skip(2).Aggregate(1, (a, b) => a * b));
        }

        /// <summary>The loss at build time, from (log-)probabilities laid out as [N, C, D]: the kernel's rule in double.</summary>
        protected static void FoldLoss(Node node, float[] input, int batch, int classes, int inner)
        {
            var target = node.Inputs[1]!.Constant!.AsLongs();
            var weight = node.Input(2)?.Constant!.AsFloats();
            long ignore = IgnoreIndex(node);
            string reduction = Reduction(node);
            var losses = new float[batch * inner];
            double sum = 0, weights = 0;
            for (int n = 0; n < batch; n++)
                for (int d = 0; d < inner; d++)
                {
                    long t = target[n * inner + d];
                    if (t == ignore) continue;
                    Require(t >= 0 && t < classes, $"target {t} is outside [0, {classes}) and is not the ignore_index");
                    float w = weight is null ? 1f : weight[t];
                    float value = -input[(n * classes + (int)t) * inner + d] * w;
                    losses[n * inner + d] = value;
                    sum += value;
                    weights += w;
                }
            var output = node.Outputs[0];
            output.Constant = reduction switch
            {
                "none" => Tensor.FromFloats(output.Shape!, losses),
                "sum" => Tensor.FromFloats(output.Shape!, new[] { (float)sum }),
                _ => Tensor.FromFloats(output.Shape!, new[] { (float)(sum / weights) }),
            };
        }

        /// <summary>The kernel call computing output 0 from <paramref name="input"/> (the node's input or its log-probabilities).</summary>
        protected static void LowerLoss(LoweringContext ctx, Arg input, int batch, int classes, int inner) =>
            ctx.Call("NegativeLogLikelihoodLoss", ("input", input), ("target", ctx.Input(1)), ("weight", ctx.HasInput(2) ? ctx.Input(2) : Arg.None),
                ("loss", ctx.Output(0)), ("batch", batch), ("classes", classes), ("inner", inner), ("ignoreIndex", IgnoreIndex(ctx.Node)),
                ("reduction", ReductionArg(ctx.Node)));

        protected static (int Batch, int Classes, int Inner) Dims(Node node)
        {
            var shape = node.Inputs[0]!.Shape!;
            return (shape[0], shape[1], shape.Skip(2).Aggregate(1, (a, b) => a * b));
        }
    }
}
