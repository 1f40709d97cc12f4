using System.Collections.Generic;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Unsqueeze: a view with unit axes inserted at the listed output positions (attribute before opset 13, constant
    /// input since; negative axes count from the end of the output, in any order).
    /// </summary>
    public sealed class UnsqueezeOp : OpDefinition
    {
        public override string OpType => "Unsqueeze";
        public override bool IsView => true;

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            long[]? raw = node.Opset >= 13 ? OpInputs.ConstantLongs(node, 1, "axes") : node.Attributes.Ints("axes");
            Require(raw is not null, "needs axes");
            int rank = x.Rank + raw!.Length;
            var axes = new HashSet<int>();
            foreach (long a in raw) Require(axes.Add(Shapes.NormalizeAxis(a, rank)), $"axes {OpInputs.Format(raw)} repeat an axis");
            var shape = new int[rank];
            int next = 0;
            for (int i = 0; i < rank; i++) shape[i] = axes.Contains(i) ? 1 : x.Shape![next++];
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = shape;
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = node.Inputs[0]!.Constant!.WithShape(node.Outputs[0].Shape!);
            return true;
        }

        public override void Lower(LoweringContext ctx) => ViewOps.LowerCopy(ctx);
    }
}
