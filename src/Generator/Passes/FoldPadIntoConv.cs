using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;

namespace ModelGen.Passes
{
    /// <summary>
    /// Folds a zero, constant-mode Pad of the spatial axes into the convolutions that read it: their pads grow by the
    /// Pad's amounts and the padded copy disappears (exporters write explicit Pads for asymmetric or "same" padding).
    /// </summary>
    public static class FoldPadIntoConv
    {
        public static void Run(Graph graph)
        {
            bool changed = false;
            foreach (var pad in graph.Nodes.Where(n => n.OpType == "Pad" && n.Domain.Length == 0).ToList())
            {
                var x = pad.Inputs[0];
                var y = pad.Outputs[0];
                if (x is null || y.IsGraphOutput || y.Consumers.Count == 0 || y.Type != DataType.Float || x.Shape is null) continue;
                var amounts = ZeroPads(pad, x.Rank);
                if (amounts is null) continue;
                int rank = x.Rank, spatial = rank - 2;
                if (rank < 3 || amounts[0] != 0 || amounts[1] != 0 || amounts[rank] != 0 || amounts[rank + 1] != 0) continue;
                if (!y.Consumers.All(c => IsFoldableConv(c, y))) continue;
                foreach (var conv in y.Consumers.Distinct().ToList())
                {
                    var pads = conv.Attributes.Ints("pads") ?? new long[2 * spatial];
                    var merged = new long[2 * spatial];
                    for (int i = 0; i < spatial; i++)
                    {
                        merged[i] = pads[i] + amounts[2 + i];
                        merged[spatial + i] = pads[spatial + i] + amounts[rank + 2 + i];
                    }
                    var attribute = new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints };
                    attribute.Ints.AddRange(merged);
                    conv.Attributes.Set(attribute);
                    conv.Inputs[0] = x;
                    conv.Fused.Insert(0, (pad.Name, pad.OpType));
                }
                graph.Nodes.Remove(pad);
                changed = true;
            }
            if (changed) graph.Relink();
        }

        private static bool IsFoldableConv(Node conv, Value padded) =>
            conv.OpType == "Conv" && conv.Domain.Length == 0 && conv.Inputs[0] == padded && conv.Inputs.Skip(1).All(i => i != padded)
            && conv.Attributes.String("auto_pad", "NOTSET") == "NOTSET";

        /// <summary>The Pad's [begin..., end...] amounts when it pads with zeros in constant mode, else null.</summary>
        private static long[]? ZeroPads(Node pad, int rank)
        {
            if (pad.Attributes.String("mode", "constant") != "constant") return null;
            long[]? pads;
            if (pad.Opset < 11)
            {
                pads = pad.Attributes.Ints("pads");
                if (pad.Attributes.Float("value", 0f) != 0f) return null;
            }
            else
            {
                pads = pad.Input(1)?.Constant?.AsLongs();
                var value = pad.Input(2);
                if (value is not null && (value.Constant is null || value.Constant.Length != 1 || value.Constant.GetDouble(0) != 0)) return null;
                if (pad.Input(3) is not null) return null; // axes (opset 18): left to the Pad op itself
            }
            if (pads is null || pads.Length != 2 * rank || pads.Any(p => p < 0)) return null;
            return pads;
        }
    }
}
