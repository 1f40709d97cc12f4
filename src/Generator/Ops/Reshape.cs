using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Reshape: same data, new shape (0 copies a dimension unless allowzero, -1 is inferred).</summary>
    public sealed class ReshapeOp : OpDefinition
    {
        public override string OpType => "Reshape";
        public override bool IsView => true;

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            var shapeInput = node.Input(1);
            Require(shapeInput is not null, "needs a shape input");
            RequireSupported(shapeInput!.Constant is not null, $"shape input '{shapeInput.Name}' must be known at build time");
            bool allowZero = node.Attributes.Int("allowzero", 0) != 0;
            var requested = shapeInput.Constant!.AsLongs();
            var shape = new int[requested.Length];
            int inferred = -1;
            for (int i = 0; i < requested.Length; i++)
            {
                long d = requested[i];
                if (d == -1) { Require(inferred < 0, "more than one -1 in shape"); inferred = i; shape[i] = 1; }
                else if (d == 0 && !allowZero) { Require(i < x.Rank, "0 refers to a missing input dimension"); shape[i] = x.Shape![i]; }
                else { Require(d >= 0, $"invalid dimension {d}"); shape[i] = (int)d; }
            }
            if (inferred >= 0)
            {
                int known = Shapes.Size(shape);
                Require(known != 0 && x.Length % known == 0, $"cannot infer -1 reshaping {Shapes.Format(x.Shape!)}");
                shape[inferred] = x.Length / known;
            }
            Require(Shapes.Size(shape) == x.Length, $"cannot reshape {Shapes.Format(x.Shape!)} to {Shapes.Format(shape)}");
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
