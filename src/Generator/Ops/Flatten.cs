using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Flatten: a view as [d0·…·d(axis-1), d(axis)·…·d(n-1)]; axis in [-rank, rank] (negative since opset 11).</summary>
    public sealed class FlattenOp : OpDefinition
    {
        public override string OpType => "Flatten";
        public override bool IsView => true;

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            int rank = x.Rank;
            long axis = node.Attributes.Int("axis", 1);
            if (axis < 0) axis += rank;
            Require(axis >= 0 && axis <= rank, $"axis {node.Attributes.Int("axis", 1)} is out of range for rank {rank}");
            long outer = 1, inner = 1;
            for (int i = 0; i < rank; i++)
            {
                if (i < axis) outer *= x.Shape![i];
                else inner *= x.Shape![i];
            }
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = new[] { checked((int)outer), checked((int)inner) };
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = node.Inputs[0]!.Constant!.WithShape(node.Outputs[0].Shape!);
            return true;
        }

        public override void Lower(LoweringContext ctx) => ViewOps.LowerCopy(ctx);
    }
}
