using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// EyeLike: a 2-D tensor of the input's shape, ones on the diagonal shifted by k and zeros elsewhere, of type dtype
    /// (default: the input's). It depends only on the shape, so it is always a build-time constant.
    /// </summary>
    public sealed class EyeLikeOp : OpDefinition
    {
        public override string OpType => "EyeLike";

        public override bool FoldsWithoutConstantInputs => true;

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null, "needs input");
            var x = node.Inputs[0]!;
            Require(x.Rank == 2, $"input {Shapes.Format(x.Shape!)} must be 2-D");
            var type = x.Type;
            if (node.Attributes.Has("dtype"))
            {
                long dtype = node.Attributes.Int("dtype", 0);
                type = (DataType)dtype;
                RequireSupported(System.Enum.IsDefined(typeof(DataType), type) && DataTypes.IsSupported(type),
                    $"dtype {dtype} is not a supported element type");
            }
            node.Outputs[0].Type = type;
            node.Outputs[0].Shape = x.Shape;
        }

        private static MoveProgram Program(Node node)
        {
            var shape = node.Outputs[0].Shape!;
            int rows = shape[0], cols = shape[1];
            long k = node.Attributes.Int("k", 0);
            var type = node.Outputs[0].Type;
            var program = new MoveProgram().Fill(Region.Whole(shape), Tensor.FromDoubles(type, new int[0], new[] { 0.0 }));
            // The diagonal starts at (0, k) or (-k, 0) and steps by cols + 1.
            long row = k >= 0 ? 0 : -k, col = k >= 0 ? k : 0;
            long length = System.Math.Max(0, System.Math.Min(rows - row, cols - col));
            if (length > 0)
                program.Fill(new Region(0, (int)(row * cols + col), new[] { (int)length }, new[] { 0 }, new[] { cols + 1 }), Tensor.FromDoubles(type, new int[0], new[] { 1.0 }));
            return program;
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = Program(node).Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx) => Program(ctx.Node).Lower(ctx, 0);
    }
}
