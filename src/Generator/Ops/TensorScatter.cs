using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// TensorScatter (opset 24, a KV-cache update): present_cache = past_cache with update [B, …, S, …] written along the
    /// sequence axis (default -2) at write_indices[b] + s (default 0), modulo the capacity in circular mode.
    /// Folds on constants; otherwise Kernels.TensorScatter.
    /// </summary>
    public sealed class TensorScatterOp : OpDefinition
    {
        public override string OpType => "TensorScatter";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null, "needs past_cache and update");
            var past = node.Inputs[0]!;
            var update = node.Inputs[1]!;
            Require(update.Type == past.Type, $"update has type {DataTypes.OnnxName(update.Type)}, past_cache {DataTypes.OnnxName(past.Type)}");
            Require(past.Rank >= 2 && update.Rank == past.Rank, $"past_cache {Shapes.Format(past.Shape!)} and update {Shapes.Format(update.Shape!)} need one rank of 2 or more");
            int axis = Axis(node);
            for (int k = 0; k < past.Rank; k++)
                Require(k == axis ? update.Shape![k] <= past.Shape![k] : update.Shape![k] == past.Shape![k],
                    $"update {Shapes.Format(update.Shape!)} does not fit past_cache {Shapes.Format(past.Shape!)} along axis {axis}");
            Circular(node);
            if (node.Input(2) is { } w)
                Require(w.Type == DataType.Int64 && w.Rank == 1 && w.Shape![0] == past.Shape![0], $"write_indices '{w.Name}' must be int64 [{past.Shape![0]}]");
            node.Outputs[0].Type = past.Type;
            node.Outputs[0].Shape = past.Shape;
        }

        private static int Axis(Node node)
        {
            int axis = Shapes.NormalizeAxis(node.Attributes.Int("axis", -2), node.Inputs[0]!.Rank);
            Require(axis != 0, "axis must not be the batch axis 0");
            return axis;
        }

        private static bool Circular(Node node)
        {
            string mode = node.Attributes.String("mode", "linear");
            Require(mode is "linear" or "circular", $"mode '{mode}' is not linear or circular");
            return mode == "circular";
        }

        public override bool TryFold(Node node)
        {
            var past = node.Inputs[0]!.Shape!;
            int axis = Axis(node), sequence = node.Inputs[1]!.Shape![axis];
            int heads = Indexing.Product(past, 1, axis), capacity = past[axis], inner = Indexing.Product(past, axis + 1, past.Length);
            bool circular = Circular(node);
            var starts = node.Input(2)?.Constant?.AsLongs() ?? new long[past[0]];
            var program = new MoveProgram().Copy(0, Region.Whole(past));
            for (int b = 0; b < past[0]; b++)
            {
                if (starts[b] < 0 || (!circular && starts[b] + sequence > capacity)) return false;
                for (int h = 0; h < heads; h++)
                    for (int s = 0; s < sequence; s++)
                    {
                        int position = (int)(circular ? (starts[b] + s) % capacity : starts[b] + s);
                        program.Copy(1, new Region(((b * heads + h) * sequence + s) * inner, ((b * heads + h) * capacity + position) * inner, new[] { inner }, new[] { 1 }, new[] { 1 }));
                    }
            }
            node.Outputs[0].Constant = program.Fold(node, 0);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var past = node.Inputs[0]!.Shape!;
            int axis = Axis(node);
            ctx.Call("TensorScatter", new TypeArg[] { node.Inputs[0]!.Type }, ("past", ctx.Input(0)), ("update", ctx.Input(1)),
                ("writeIndices", ctx.HasInput(2) ? ctx.Input(2) : Arg.None), ("destination", ctx.Output(0)),
                ("batches", past[0]), ("heads", Indexing.Product(past, 1, axis)), ("capacity", past[axis]), ("sequence", node.Inputs[1]!.Shape![axis]),
                ("inner", Indexing.Product(past, axis + 1, past.Length)), ("circular", Circular(node)));
        }
    }
}
