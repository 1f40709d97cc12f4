using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// MaxUnpool: a zero tensor with each X value written at its flat index from I (MaxPool's Indices output, int64, into
    /// the whole N·C·… tensor). The output's shape is the constant output_shape input or, without it,
    /// (in − 1)·stride + kernel − pad_begin − pad_end per spatial axis. A larger output_shape puts the unpooled values at
    /// the start of each axis and zeros after (ONNX's reference; pads are then ignored). Folds on constants; otherwise Kernels.MaxUnpool.
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
            RequireSupported(x.Rank <= 5, $"{x.Rank - 2}-D unpooling (1-D, 2-D and 3-D are supported)");
            Require(indices.Type == DataType.Int64, $"I '{indices.Name}' must be int64");
            Require(indices.Shape!.SequenceEqual(x.Shape!), $"I {Shapes.Format(indices.Shape!)} must have X's shape {Shapes.Format(x.Shape!)}");
            Require(x.Rank >= 3, $"X {Shapes.Format(x.Shape!)} must have a batch, a channel and at least one spatial axis");
            node.Outputs[0].Type = x.Type;
            node.Outputs[0].Shape = OutputShape(node);
        }

        /// <summary>
        /// The shape the indices address: (in − 1)·stride + kernel − pad_begin − pad_end per spatial axis, pads ignored when
        /// output_shape is given (ONNX's reference: output_shape only disambiguates the size).
        /// </summary>
        private static int[] IndexedShape(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            int spatial = x.Length - 2;
            var kernel = node.Attributes.Ints("kernel_shape");
            Require(kernel is not null && kernel.Length == spatial && kernel.All(k => k >= 1), $"kernel_shape must list {spatial} positive sizes");
            var strides = node.Attributes.Ints("strides") ?? Enumerable.Repeat(1L, spatial).ToArray();
            Require(strides.Length == spatial && strides.All(s => s >= 1), $"strides must list {spatial} positive values");
            var pads = node.Attributes.Ints("pads") ?? new long[2 * spatial];
            Require(pads.Length == 2 * spatial && pads.All(p => p >= 0), $"pads must list {2 * spatial} non-negative values");
            if (node.Input(2) is not null) pads = new long[2 * spatial];
            var inferred = new int[x.Length];
            inferred[0] = x[0];
            inferred[1] = x[1];
            for (int i = 0; i < spatial; i++)
            {
                long size = (x[i + 2] - 1) * strides[i] + kernel![i] - pads[i] - pads[i + spatial];
                Require(size >= 1 && size <= int.MaxValue, $"output size {size} of spatial axis {i} is out of range");
                inferred[i + 2] = (int)size;
            }
            return inferred;
        }

        /// <summary>The indexed shape, or the constant output_shape input, which may only grow it (the extra is zeros at the end of each axis).</summary>
        private static int[] OutputShape(Node node)
        {
            var x = node.Inputs[0]!.Shape!;
            var inferred = IndexedShape(node);
            if (node.Input(2) is not { } shapeInput) return inferred;
            Require(shapeInput.Type == DataType.Int64 && shapeInput.Length == x.Length, $"output_shape '{shapeInput.Name}' must be {x.Length} int64 values");
            RequireSupported(shapeInput.Constant is not null, $"output_shape input '{shapeInput.Name}' must be known at build time");
            var requested = shapeInput.Constant!.AsLongs();
            Require(requested[0] == x[0] && requested[1] == x[1], $"output_shape {OpInputs.Format(requested)} must keep X's batch and channel sizes");
            for (int i = 2; i < x.Length; i++)
                Require(requested[i] >= inferred[i] && requested[i] <= int.MaxValue, $"output_shape {OpInputs.Format(requested)} is smaller than the unpooled shape {Shapes.Format(inferred)}");
            return requested.Select(d => (int)d).ToArray();
        }

        /// <summary>Spatial sizes padded in front with ones to depth, height, width.</summary>
        private static int[] Spatial3(int[] shape) => Enumerable.Repeat(1, 5 - shape.Length).Concat(shape.Skip(2)).ToArray();

        /// <summary>Where flat index <paramref name="index"/> of the indexed shape lands in the output, or -1 when it is outside.</summary>
        private static long MapIndex(long index, int planes, int[] from, int[] to)
        {
            long area = (long)from[0] * from[1] * from[2];
            if (index < 0 || index >= planes * area) return -1;
            long plane = index / area, r = index % area;
            long d = r / ((long)from[1] * from[2]), h = r / from[2] % from[1], w = r % from[2];
            return ((plane * to[0] + d) * to[1] + h) * to[2] + w;
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            var indices = node.Inputs[1]!.Constant!.AsLongs();
            var output = node.Outputs[0];
            var values = new double[output.Length];
            var from = Spatial3(IndexedShape(node));
            var to = Spatial3(output.Shape!);
            int planes = output.Shape![0] * output.Shape[1];
            for (int i = 0; i < indices.Length; i++)
            {
                long at = MapIndex(indices[i], planes, from, to);
                Require(at >= 0, $"index {indices[i]} is outside the unpooled shape {Shapes.Format(IndexedShape(node))}");
                values[at] = x.GetDouble(i);
            }
            output.Constant = Tensor.FromDoubles(output.Type, output.Shape!, values);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            if (node.Outputs[0].Length == 0) return;
            var from = Spatial3(IndexedShape(node));
            var to = Spatial3(node.Outputs[0].Shape!);
            ctx.Call("MaxUnpool", new TypeArg[] { node.Outputs[0].Type }, ("x", ctx.Input(0)), ("indices", ctx.Input(1)), ("y", ctx.Output(0)),
                ("count", node.Inputs[0]!.Length), ("planes", node.Outputs[0].Shape![0] * node.Outputs[0].Shape![1]), 
                ("fromDepth", from[0]), ("fromHeight", from[1]), ("fromWidth", from[2]), ("toDepth", to[0]), ("toHeight", to[1]), ("toWidth", to[2]));
        }
    }
}
