using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// MaxUnpool: a zero tensor with each X value written at its flat index from I (MaxPool's Indices output, int64, into
    /// the whole N·C·… tensor). The output's shape is the constant output_shape input or, without it,
    /// (in − 1)·stride + kernel − pad_begin − pad_end per spatial axis. Folds on constants; otherwise Kernels.MaxUnpool.
    /// </summary>
    public sealed class MaxUnpoolOp : OpDefinition
    {
        public override string OpType => "MaxUnpool";

        public override void InferShapes(Node node)
        {
            Require(node.Input(0) is not null && node.Input(1) is not null, "needs X and I");
            Require(node.Outputs.Length == 1, "has one output");
            var x = node.Inputs[0]!;
            var indices = node.Inputs[1]!;
            RequireFloat(node);
            Require(indices.Type == DataType.Int64, $"I '{indices.Name}' must be int64");
            Require(indices.Shape!.SequenceEqual(x.Shape!), $"I {Shapes.Format(indices.Shape!)} must have X's shape {Shapes.Format(x.Shape!)}");
            Require(x.Rank >= 3, $"X {Shapes.Format(x.Shape!)} must have a batch, a channel and at least one spatial axis");
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = OutputShape(node);
        }

        private static int[] OutputShape(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            int spatial = x.Length - 2;
            var kernel = node.Attributes.Ints("kernel_shape");
            Require(kernel is not null && kernel.Length == spatial && kernel.All(k => k >= 1), $"kernel_shape must list {spatial} positive sizes");
            var strides = node.Attributes.Ints("strides") ?? Enumerable.Repeat(1L, spatial).ToArray();
            Require(strides.Length == spatial && strides.All(s => s >= 1), $"strides must list {spatial} positive values");
            var pads = node.Attributes.Ints("pads") ?? new long[2 * spatial];
            Require(pads.Length == 2 * spatial && pads.All(p => p >= 0), $"pads must list {2 * spatial} non-negative values");
            var inferred = new int[x.Length];
            inferred[0] = x[0];
            inferred[1] = x[1];
            for (int i = 0; i < spatial; i++)
            {
                long size = (x[i + 2] - 1) * strides[i] + kernel![i] - pads[i] - pads[i + spatial];
                Require(size >= 1 && size <= int.MaxValue, $"output size {size} of spatial axis {i} is out of range");
                inferred[i + 2] = (int)size;
            }
            if (node.Input(2) is not { } shapeInput) return inferred;
            Require(shapeInput.Type == DataType.Int64 && shapeInput.Length == x.Length, $"output_shape '{shapeInput.Name}' must be {x.Length} int64 values");
            RequireSupported(shapeInput.Constant is not null, $"output_shape '{shapeInput.Name}' computed at run time (it must be a build-time constant)");
            var requested = shapeInput.Constant!.AsLongs();
            Require(requested[0] == x[0] && requested[1] == x[1], $"output_shape {OpInputs.Format(requested)} must keep X's batch and channel sizes");
            for (int i = 2; i < x.Length; i++)
                Require(requested[i] >= inferred[i] && requested[i] <= int.MaxValue, $"output_shape {OpInputs.Format(requested)} is smaller than the unpooled shape {Shapes.Format(inferred)}");
            return requested.Select(d => (int)d).ToArray();
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            var indices = node.Inputs[1]!.Constant!.AsLongs();
            var output = node.Outputs[0];
            var values = new double[output.Length];
            for (int i = 0; i < indices.Length; i++)
            {
                Require(indices[i] >= 0 && indices[i] < values.Length, $"index {indices[i]} is outside the output's {values.Length} elements");
                values[indices[i]] = x.GetDouble(i);
            }
            output.Constant = Tensor.FromDoubles(output.Type, output.Shape!, values);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            if (node.Outputs[0].Length == 0) return;
            ctx.Call("MaxUnpool", new TypeArg[] { node.Outputs[0].Type }, ("x", ctx.Input(0)), ("indices", ctx.Input(1)), ("y", ctx.Output(0)),
                ("count", node.Inputs[0]!.Length));
        }
    }
}
