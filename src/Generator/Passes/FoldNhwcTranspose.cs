using System.Linq;
using ModelGen.Ir;

namespace ModelGen.Passes
{
    /// <summary>
    /// Folds the Transpose(perm = [0, 3, 1, 2]) that models exported from TensorFlow, Keras or MediaPipe put after their
    /// NHWC input into the convolution that reads it: the Conv (float, 2-D, group 1, constant weights; the Transpose's
    /// only reader) reads the channels-last tensor itself (<see cref="Node.InputChannelsLast"/>, lowered to the im2col
    /// algorithm, which gathers its matrix from the NHWC layout) and the transposed copy disappears. Only where im2col
    /// costs about what it would anyway: a strided convolution (im2col in NCHW too), or one of at most
    /// <see cref="MaxStride1Channels"/> channels (a stem; a wider stride-1 one keeps its implicit GEMM or Winograd, which
    /// save more than the copy costs). Runs after <see cref="FoldPadIntoConv"/>, so a Pad between the two has already
    /// become the Conv's pads.
    /// </summary>
    public static class FoldNhwcTranspose
    {
        /// <summary>Channels up to which a stride-1 convolution folds the Transpose.</summary>
        public const int MaxStride1Channels = 4;

        public static void Run(Graph graph)
        {
            bool changed = false;
            foreach (var transpose in graph.Nodes.Where(n => n.OpType == "Transpose" && n.Domain.Length == 0).ToList())
            {
                var x = transpose.Inputs.Length == 1 ? transpose.Inputs[0] : null;
                var y = transpose.Outputs[0];
                if (x is null || x.Shape is null || x.Rank != 4 || x.Type != DataType.Float || y.IsGraphOutput || y.Consumers.Count != 1) continue;
                if (transpose.Attributes.Ints("perm") is not { } perm || !perm.SequenceEqual(new long[] { 0, 3, 1, 2 })) continue;
                var conv = y.Consumers[0];
                if (!IsFoldableConv(conv, y)) continue;
                bool strided = conv.Attributes.Ints("strides") is { } strides && strides.Any(v => v > 1);
                if (!strided && x.Shape[3] > MaxStride1Channels) continue;
                conv.Inputs[0] = x;
                conv.InputChannelsLast = true;
                conv.Fused.Insert(0, (transpose.Name, transpose.OpType));
                graph.Nodes.Remove(transpose);
                changed = true;
            }
            if (changed) graph.Relink();
        }

        private static bool IsFoldableConv(Node conv, Value transposed) =>
            conv.OpType == "Conv" && conv.Domain.Length == 0 && !conv.InputChannelsLast && conv.Inputs.Length >= 2 && conv.Inputs[0] == transposed
            && conv.Inputs.Skip(1).All(i => i != transposed) && conv.Attributes.Int("group", 1) == 1
            && conv.Inputs[1] is { Constant: not null, Shape.Length: 4, Type: DataType.Float } && conv.Outputs[0].Type == DataType.Float;
    }
}
