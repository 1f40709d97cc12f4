using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// OneHot: output has indices' shape with depth inserted at axis (default -1); it is values[0] everywhere except at
    /// each index (negative counting from depth), which gets values[1]. depth must be known at build time (it is the
    /// output's shape). Folds on constants; otherwise Kernels.OneHot.
    /// </summary>
    public sealed class OneHotOp : OpDefinition
    {
        public override string OpType => "OneHot";

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 3 && node.Inputs.All(i => i is not null), "needs indices, depth and values");
            var indices = node.Inputs[0]!;
            var values = node.Inputs[2]!;
            Indexing.RequireNumeric(indices, "indices");
            Require(values.Length == 2 && values.Rank == 1, $"values '{values.Name}' must be [2] (off, on)");
            int depth = Depth(node);
            int axis = Axis(node);
            var shape = indices.Shape!.ToList();
            shape.Insert(axis, depth);
            node.Outputs[0].Type = values.Type;
            node.Outputs[0].Shape = shape.ToArray();
        }

        private static int Depth(Node node)
        {
            var d = node.Inputs[1]!;
            Require(d.Length == 1, $"depth '{d.Name}' must hold one value");
            RequireSupported(d.Constant is not null, $"depth input '{d.Name}' must be known at build time");
            double depth = d.Constant!.GetDouble(0);
            Require(depth >= 1 && depth <= int.MaxValue, $"depth {depth} must be positive");
            return (int)depth;
        }

        private static int Axis(Node node) => Shapes.NormalizeAxis(node.Attributes.Int("axis", -1), node.Inputs[0]!.Rank + 1);

        public override bool TryFold(Node node)
        {
            int depth = Depth(node), axis = Axis(node);
            var shape = node.Inputs[0]!.Shape!;
            int outer = Indexing.Product(shape, 0, axis), inner = Indexing.Product(shape, axis, shape.Length);
            var indices = node.Inputs[0]!.Constant!;
            var program = new MoveProgram().Fill(Region.Whole(node.Outputs[0].Shape!), null, valueInput: 2);
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++)
                {
                    double raw = indices.GetDouble(o * inner + j);
                    long i = (long)raw;
                    if (i < 0) i += depth;
                    if (i >= 0 && i < depth) program.Copy(2, Indexing.Element(1, (int)((o * depth + i) * inner + j)));
                }
            node.Outputs[0].Constant = program.Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            int depth = Depth(node), axis = Axis(node);
            var shape = node.Inputs[0]!.Shape!;
            ctx.Call("OneHot", new TypeArg[] { node.Outputs[0].Type, node.Inputs[0]!.Type }, ("indices", ctx.Input(0)), ("values", ctx.Input(2)),
                ("destination", ctx.Output(0)), ("outer", Indexing.Product(shape, 0, axis)), ("depth", depth), ("inner", Indexing.Product(shape, axis, shape.Length)));
        }
    }
}
