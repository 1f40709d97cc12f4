using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Tile by constant repeats: output axis k is repeats[k] copies of input axis k, i.e. the input read through a
    /// [r₀, d₀, r₁, d₁, …] view with stride 0 on each repeat axis: one strided copy (block copies after simplification).
    /// </summary>
    public sealed class TileOp : OpDefinition
    {
        public override string OpType => "Tile";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null, "needs input and repeats");
            var x = node.Inputs[0]!;
            var repeats = Repeats(node);
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = x.Shape!.Select((d, k) => d * repeats[k]).ToArray();
        }

        private static int[] Repeats(Node node)
        {
            var x = node.Inputs[0]!;
            var raw = OpInputs.ConstantLongs(node, 1, "repeats")!;
            Require(raw.Length == x.Rank, $"repeats {OpInputs.Format(raw)} must have one value per axis of input {Shapes.Format(x.Shape!)}");
            Require(raw.All(r => r >= 0) && raw.Select((r, k) => r * x.Shape![k]).All(n => n <= int.MaxValue), $"repeats {OpInputs.Format(raw)} must be ≥ 0 and fit the output");
            return raw.Select(r => (int)r).ToArray();
        }

        private static Region Move(Node node)
        {
            var shape = node.Inputs[0]!.Shape!;
            var repeats = Repeats(node);
            var strides = Shapes.Strides(shape);
            var view = shape.SelectMany((d, k) => new[] { repeats[k], d }).ToArray();
            var source = strides.SelectMany(s => new[] { 0, s }).ToArray();
            return new Region(0, 0, view, source, Shapes.Strides(view));
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = new MoveProgram().Copy(0, Move(node)).Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx) => new MoveProgram().Copy(0, Move(ctx.Node)).Lower(ctx, 0);
    }
}
