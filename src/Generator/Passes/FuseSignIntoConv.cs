using System.Linq;
using ModelGen.Ir;
using ModelGen.Ops;

namespace ModelGen.Passes
{
    /// <summary>
    /// Binarized convolutions (XNOR-Net): a 1-D or 2-D ungrouped Conv whose X is Sign(x) and whose constant weights are ±α_m
    /// per output channel (also after a BatchNormalization was folded into them) reads x directly and is marked
    /// <see cref="Node.BinarizedInput"/>, so its kernel binarizes x while packing bits. The Sign stays if anything else
    /// reads it (dead-code elimination removes it otherwise). Runs after FoldBatchNorm and FoldPadIntoConv (a zero Pad
    /// between Sign and Conv is then part of the Conv) and before the residual and activation fusions.
    /// </summary>
    public static class FuseSignIntoConv
    {
        public static void Run(Graph graph)
        {
            bool changed = false;
            foreach (var conv in graph.Nodes)
            {
                if (conv.OpType != "Conv" || conv.Domain.Length != 0 || conv.BinarizedInput || conv.InputChannelsLast || conv.FusedResidual) continue;
                if (conv.Inputs.Length < 2 || conv.Inputs[0] is null || conv.Inputs[1] is null) continue;
                var signed = conv.Inputs[0]!;
                var sign = signed.Producer;
                if (sign is null || sign.OpType != "Sign" || sign.Domain.Length != 0 || sign.Inputs.Length != 1 || sign.Inputs[0] is null) continue;
                var x = sign.Inputs[0]!;
                if (x.Type != DataType.Float || signed.Type != DataType.Float || x.Shape is null || (x.Shape.Length != 3 && x.Shape.Length != 4)) continue;
                var w = conv.Inputs[1]!;
                if (w.Constant is null || w.Type != DataType.Float || w.Shape is null || w.Shape.Length != x.Shape.Length) continue;
                if (conv.Attributes.Int("group", 1) != 1) continue;
                var b = conv.Input(2);
                if (b is not null && b.Type != DataType.Float) continue;
                if (!ConvOp.IsBinaryPerChannel(w.Constant.AsFloats(), w.Shape[0])) continue;
                var inputs = conv.Inputs.ToArray();
                inputs[0] = x;
                conv.Inputs = inputs;
                conv.BinarizedInput = true;
                if (signed.Consumers.Count == 1 && !signed.IsGraphOutput) conv.Fused.Insert(0, (sign.Name, sign.OpType));
                changed = true;
            }
            if (changed) graph.Relink();
        }
    }
}
