using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// GroupNormalization: X [N, C, D…] with its C channels split into num_groups groups, each group normalized over its
    /// channels and spatial elements, then scaled and shifted per channel (opset 21: scale and bias [C]) or per group
    /// (opset 18: [num_groups]). Kernels.GroupNormalization, shared with InstanceNormalization (one channel per group).
    /// </summary>
    public sealed class GroupNormalizationOp : OpDefinition
    {
        public override string OpType => "GroupNormalization";

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 3 && node.Inputs.All(i => i is not null), "needs X, scale and bias");
            for (int i = 0; i < 3; i++) RequireFloat(node, i);
            long stash = node.Attributes.Int("stash_type", 1);
            RequireSupported(stash == 1, $"stash_type {stash}: only 1 (float statistics) is supported");
            var (batches, groups, channelsPerGroup, _) = GroupNormalization.Layout(node, GroupCount(node));
            int parameters = PerGroup(node) ? groups : groups * channelsPerGroup;
            for (int i = 1; i < 3; i++)
                Require(node.Inputs[i]!.Length == parameters && node.Inputs[i]!.Rank == 1,
                    $"'{node.Inputs[i]!.Name}' {Shapes.Format(node.Inputs[i]!.Shape!)} must be [{parameters}]");
            Normalization.Epsilon(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = node.Inputs[0]!.Shape;
        }

        private static int GroupCount(Node node)
        {
            Require(node.Attributes.Has("num_groups"), "needs the num_groups attribute");
            long groups = node.Attributes.Int("num_groups", 0);
            var x = node.Inputs[0]!.Shape!;
            Require(x.Length >= 2, $"X {Shapes.Format(x)} needs a batch and a channel axis");
            Require(groups > 0 && x[1] % groups == 0, $"num_groups {groups} must be positive and divide the {x[1]} channels");
            return (int)groups;
        }

        private static bool PerGroup(Node node) => node.Opset < 21;

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = GroupNormalization.Fold(node, GroupCount(node), PerGroup(node));
            return true;
        }

        public override void Lower(LoweringContext ctx) => GroupNormalization.Lower(ctx, GroupCount(ctx.Node), PerGroup(ctx.Node));
    }

    /// <summary>Layout, folding and lowering shared by GroupNormalization and InstanceNormalization.</summary>
    internal static class GroupNormalization
    {
        /// <summary>X [N, C, D…] as (batches, groups, channels per group, spatial).</summary>
        public static (int Batches, int Groups, int ChannelsPerGroup, int Spatial) Layout(Node node, int groups)
        {
            var x = node.Inputs[0]!.Shape!;
            if (x.Length < 2) throw new IrException($"X {Shapes.Format(x)} needs a batch and a channel axis");
            return (x[0], groups, groups == 0 ? 0 : x[1] / groups, Shapes.Size(x.Skip(2).ToArray()));
        }

        public static Tensor Fold(Node node, int groupCount, bool perGroup)
        {
            var (batches, groups, cpg, spatial) = Layout(node, groupCount);
            int cols = cpg * spatial;
            var (y, _, _) = Normalization.Reference(node.Inputs[0]!.Constant!.AsFloats(), batches * groups, cols, Normalization.Epsilon(node), true,
                Enumerable.Repeat(1f, cols).ToArray(), null);
            var scale = node.Inputs[1]!.Constant!.AsFloats();
            var bias = node.Inputs[2]!.Constant!.AsFloats();
            for (int i = 0; i < y.Length; i++)
            {
                int channel = i / spatial % (groups * cpg);
                int p = perGroup ? channel / cpg : channel;
                y[i] = y[i] * scale[p] + bias[p];
            }
            return Tensor.FromFloats(node.Outputs[0].Shape!, y);
        }

        public static void Lower(LoweringContext ctx, int groupCount, bool perGroup)
        {
            var (batches, groups, cpg, spatial) = Layout(ctx.Node, groupCount);
            ctx.Call("GroupNormalization", ("x", ctx.Input(0)), ("scale", ctx.Input(1)), ("bias", ctx.Input(2)), ("destination", ctx.Output(0)),
                ("batches", batches), ("groups", groups), ("channelsPerGroup", cpg), ("spatial", spatial),
                ("epsilon", Normalization.Epsilon(ctx.Node)), ("perGroup", perGroup));
        }
    }
}
