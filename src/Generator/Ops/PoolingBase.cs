using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>Shared shape rule and emitter of MaxPool and AveragePool (1-D to 3-D windows over NC… tensors).</summary>
    public abstract class WindowPoolOp : OpDefinition
    {
        /// <summary>True when the op's version has a dilations attribute (MaxPool 10+, AveragePool 19+).</summary>
        protected abstract bool HasDilations(Node node);

        internal SpatialGeometry Geometry(Node node)
        {
            Require(node.Inputs.Length >= 1 && node.Inputs[0] is not null, "expects X");
            var x = node.Inputs[0]!.Shape!;
            Require(x.Length >= 3, $"X {Shapes.Format(x)} must have a batch, a channel and at least one spatial axis");
            RequireSupported(x.Length <= 5, $"{x.Length - 2}-D pooling (1-D, 2-D and 3-D are supported)");
            var kernel = node.Attributes.Ints("kernel_shape");
            Require(kernel is not null && kernel.Length == x.Length - 2, $"kernel_shape must have {x.Length - 2} values");
            if (!HasDilations(node))
                Require(node.Attributes.Ints("dilations") is null || node.Attributes.Ints("dilations")!.All(d => d == 1), "dilations is not an attribute of this opset version");
            bool ceil = node.Attributes.Int("ceil_mode", 0) != 0;
            var g = SpatialGeometry.ForPool(node, x.Skip(2).ToArray(), kernel!.Select(k => checked((int)k)).ToArray(), ceil);
            // SAME padding of a kernel smaller than its stride can come out negative; ONNX Runtime rejects that too.
            RequireSupported(g.PadBegin.All(p => p >= 0) && g.PadEnd.All(p => p >= 0), $"negative pads {SpatialGeometry.Format(g.PadBegin)}+{SpatialGeometry.Format(g.PadEnd)} from auto_pad {g.AutoPad}");
            return g;
        }

        /// <summary>Floats of scratch the runtime pooling kernel needs: one padded row and one divisor per output column.</summary>
        internal int ScratchFloats(Node node)
        {
            var g = Geometry(node);
            int w = g.Input[g.Rank - 1], ow = g.Output[g.Rank - 1], k = g.Kernel[g.Rank - 1], s = g.Strides[g.Rank - 1], d = g.Dilations[g.Rank - 1];
            int row = System.Math.Max(g.PadBegin[g.Rank - 1] + w, (ow - 1) * s + (k - 1) * d + 1) + 16;
            return row + ow;
        }

        public override long ScratchBytes(Node node) => 4L * ScratchFloats(node);

        /// <summary>True when the op has MaxPool's second output, Indices (int64 flat positions of each maximum).</summary>
        protected virtual bool HasIndices => false;

        /// <summary>True when the op also pools this non-float element type (MaxPool 12+: int8 and uint8).</summary>
        protected virtual bool AcceptsType(Node node, DataType type) => false;

        public override void InferShapes(Node node)
        {
            var type = node.Inputs[0]!.Type;
            if (!AcceptsType(node, type)) RequireFloat(node);
            var g = Geometry(node);
            var x = node.Inputs[0]!.Shape!;
            var shape = new[] { x[0], x[1] }.Concat(g.Output).ToArray();
            node.Outputs[0].Type = type;
            node.Outputs[0].Shape = shape;
            for (int o = 1; o < node.Outputs.Length; o++)
            {
                var v = node.Outputs[o];
                Require(HasIndices && o == 1, $"output '{v.Name}': this operator has one output");
                v.Type = DataType.Int64;
                v.Shape = shape;
            }
        }

        /// <summary>The runtime PoolGeometry, spatial axes padded to depth, height, width.</summary>
        protected static Arg GeometryArgument(SpatialGeometry g)
        {
            int pad = 3 - g.Rank;
            int[] P(int[] v, int fill) => Enumerable.Repeat(fill, pad).Concat(v).ToArray();
            var input = P(g.Input, 1); var output = P(g.Output, 1); var kernel = P(g.Kernel, 1);
            var strides = P(g.Strides, 1); var dilations = P(g.Dilations, 1); var begin = P(g.PadBegin, 0); var end = P(g.PadEnd, 0);
            return Arg.New("PoolGeometry", ("depth", input[0]), ("height", input[1]), ("width", input[2]),
                ("outDepth", output[0]), ("outHeight", output[1]), ("outWidth", output[2]),
                ("kernelD", kernel[0]), ("kernelH", kernel[1]), ("kernelW", kernel[2]), ("strideD", strides[0]), ("strideH", strides[1]), ("strideW", strides[2]),
                ("dilationD", dilations[0]), ("dilationH", dilations[1]), ("dilationW", dilations[2]),
                ("padFront", begin[0]), ("padTop", begin[1]), ("padLeft", begin[2]), ("padBack", end[0]), ("padBottom", end[1]), ("padRight", end[2]));
        }

        protected static int Planes(Node node) => node.Inputs[0]!.Shape![0] * node.Inputs[0]!.Shape![1];
    }

    /// <summary>Shared shape rule and emitter of GlobalAveragePool and GlobalMaxPool.</summary>
    public abstract class GlobalPoolOp : OpDefinition
    {
        protected abstract string Kernel { get; }

        public override void InferShapes(Node node)
        {
            Require(node.Inputs.Length == 1 && node.Inputs[0] is not null, "expects X");
            RequireFloat(node);
            var x = node.Inputs[0]!.Shape!;
            Require(x.Length >= 2, $"X {Shapes.Format(x)} must have a batch and a channel axis");
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = x.Select((d, i) => i < 2 ? d : 1).ToArray();
        }

        public override void Lower(LoweringContext ctx)
        {
            var x = ctx.Node.Inputs[0]!.Shape!;
            int pixels = x.Skip(2).Aggregate(1, (a, b) => a * b);
            ctx.Call(Kernel, ("x", ctx.Input(0)), ("y", ctx.Output(0)), ("planes", x[0] * x[1]), ("pixels", pixels));
        }
    }
}
