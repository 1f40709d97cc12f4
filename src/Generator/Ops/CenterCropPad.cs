using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// CenterCropPad: each listed axis (axes, default all) is cropped around its centre when longer than the target shape
    /// and zero-padded around the input when shorter; the start offsets are ⌊(d - s)/2⌋ and ⌊(s - d)/2⌋. shape must be
    /// known at build time. One fill (when padding) and one strided copy.
    /// </summary>
    public sealed class CenterCropPadOp : OpDefinition
    {
        public override string OpType => "CenterCropPad";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null, "needs input_data and shape");
            var x = node.Inputs[0]!;
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = Target(node);
        }

        private static int[] Target(Node node)
        {
            var x = node.Inputs[0]!;
            var raw = OpInputs.ConstantLongs(node, 1, "shape")!;
            var axesRaw = node.Attributes.Ints("axes") ?? Enumerable.Range(0, x.Rank).Select(a => (long)a).ToArray();
            var axes = axesRaw.Select(a => Shapes.NormalizeAxis(a, x.Rank)).ToArray();
            Require(axes.Distinct().Count() == axes.Length, $"axes {OpInputs.Format(axesRaw)} repeat an axis");
            Require(raw.Length == axes.Length, $"shape {OpInputs.Format(raw)} must have one value per axis in {OpInputs.Format(axesRaw)}");
            Require(raw.All(s => s >= 0 && s <= int.MaxValue), $"shape {OpInputs.Format(raw)} must be ≥ 0");
            var target = x.Shape!.ToArray();
            for (int i = 0; i < axes.Length; i++) target[axes[i]] = (int)raw[i];
            return target;
        }

        private static MoveProgram Program(Node node)
        {
            var input = node.Inputs[0]!.Shape!;
            var output = node.Outputs[0].Shape!;
            int rank = input.Length;
            var inStrides = Shapes.Strides(input);
            var outStrides = Shapes.Strides(output);
            int src = 0, dst = 0;
            var copied = new int[rank];
            for (int k = 0; k < rank; k++)
            {
                copied[k] = System.Math.Min(input[k], output[k]);
                if (input[k] > output[k]) src += (input[k] - output[k]) / 2 * inStrides[k];
                else dst += (output[k] - input[k]) / 2 * outStrides[k];
            }
            var program = new MoveProgram();
            if (!input.SequenceEqual(output) && Enumerable.Range(0, rank).Any(k => output[k] > input[k]))
                program.Fill(Region.Whole(output), Tensor.FromDoubles(node.Outputs[0].Type, new int[0], new[] { 0.0 }));
            return program.Copy(0, new Region(src, dst, copied, inStrides, outStrides));
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = Program(node).Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx) => Program(ctx.Node).Lower(ctx, 0);
    }
}
