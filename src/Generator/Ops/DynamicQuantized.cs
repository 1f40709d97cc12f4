using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// A dynamically quantized layer as one step, made by <see cref="ModelGen.Passes.FuseDynamicQuantization"/> from ONNX
    /// Runtime's quantize_dynamic chain (DynamicQuantizeLinear → ConvInteger / MatMulInteger → Cast → Mul(x_scale·w_scale)
    /// [→ Add(bias)] [→ activation]); internal to ModelGen (domain <see cref="InternalDomain"/>).
    /// Inputs: 0 x (float: quantized by the kernel; or uint8 from a DynamicQuantizeLinear shared with other layers),
    /// 1 x_scale and 2 x_zero_point (only with a uint8 x), 3 w (constant int8 with zero point 0, or uint8 with zero point
    /// 128: the quad kernels' weights), 4 w_zero_point, 5 w_scale (constant float, one or one per output channel),
    /// 6 bias (constant float, one or one per output channel, optional). A Conv keeps the ConvInteger's attributes.
    /// Runs Kernels.DynamicConvU8S8 / DynamicMatMulU8S8.
    /// </summary>
    public abstract class DynamicQuantizedOp : OpDefinition
    {
        public const string InternalDomain = "ai.modelgen";

        public override string Domain => InternalDomain;

        /// <summary>Build-time twin of the runtime's Kernels.DynamicQuantizedScratchShorts.</summary>
        protected static long PrefixShorts(int quantizedLength, int channels) => 32L * ((quantizedLength + 63) / 64) + 2L * channels;

        protected static bool FloatInput(Node node) => node.Inputs[0]!.Type == DataType.Float;

        /// <summary>The integer op this node computes, on stand-in values, for the integer ops' own checks.</summary>
        protected static Node IntegerProbe(Node node, string opType)
        {
            Require(node.Inputs.Length >= 6 && node.Inputs[0] is not null && node.Inputs[3] is not null && node.Inputs[5] is not null,
                "expects x, x_scale, x_zero_point, w, w_zero_point, w_scale and an optional bias");
            var x = node.Inputs[0]!;
            Value xq, xz;
            if (x.Type == DataType.Float)
            {
                Require(node.Input(1) is null && node.Input(2) is null, "a float x takes no x_scale or x_zero_point");
                xq = new Value(x.Name + "_quantized") { Type = DataType.UInt8, Shape = x.Shape };
                xz = new Value(x.Name + "_zero_point") { Type = DataType.UInt8, Shape = Array.Empty<int>() };
            }
            else
            {
                Require(x.Type == DataType.UInt8, $"x '{x.Name}' must be float or uint8");
                xq = x;
                xz = node.Input(2) ?? throw new IrException("a uint8 x needs x_zero_point");
                var xs = node.Input(1);
                Require(xs is not null && xs.Type == DataType.Float && Shapes.Size(xs.Shape!) == 1, "a uint8 x needs one float x_scale");
            }
            var probe = new Node(node.Name, opType, "", 10, new[] { xq, node.Inputs[3], xz, node.Input(4) }, new[] { new Value(node.Name + "_int32") }, node.Attributes);
            return probe;
        }

        /// <summary>Checks w_scale and bias: constant floats with one or <paramref name="channels"/> elements.</summary>
        protected static void CheckScaleAndBias(Node node, int channels)
        {
            var ws = node.Inputs[5]!;
            Require(ws.Type == DataType.Float && ws.Constant is not null && (ws.Length == 1 || ws.Length == channels),
                $"w_scale must be a constant float with 1 or {channels} elements");
            var b = node.Input(6);
            if (b is not null)
                Require(b.Type == DataType.Float && b.Constant is not null && (b.Length == 1 || b.Length == channels),
                    $"bias must be a constant float with 1 or {channels} elements");
        }

        protected static Arg QuantizedInput(LoweringContext ctx, int index) => FloatInput(ctx.Node) ? Arg.None : ctx.Input(index);
    }

    /// <summary>The dynamically quantized convolution (see <see cref="DynamicQuantizedOp"/>).</summary>
    public sealed class DynamicQuantizedConvOp : DynamicQuantizedOp
    {
        public const string OpName = "DynamicQuantizedConv";

        public override string OpType => OpName;

        private static QuantizedConv Analyze(Node node)
        {
            var probe = IntegerProbe(node, "ConvInteger");
            var s = QuantizedConv.Analyze(probe, 0, 1, 2, 3);
            if (!QuantizedConv.UsesQuads(probe, 1, 3)) throw new UnsupportedException("dynamically quantized convolution without constant int8 weights of zero point 0 (or uint8 of 128)");
            CheckScaleAndBias(node, s.M);
            return s;
        }

        public override void InferShapes(Node node)
        {
            var s = Analyze(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = s.OutputShape;
        }

        public override long Macs(Node node) => Analyze(node).Macs;

        public override long ScratchBytes(Node node)
        {
            var s = Analyze(node);
            long prefix = PrefixShorts(FloatInput(node) ? node.Inputs[0]!.Length : 0, 0);
            if (DepthwiseInteger.Applies(node, s, 3, 4)) return 2 * prefix + 4 * DepthwiseInteger.ScratchFloats(s);
            return 2 * (prefix + QuantizedConv.QuadScratchShorts(s, requantize: false));
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var s = Analyze(node);
            bool f = FloatInput(node);
            if (DepthwiseInteger.Applies(node, s, 3, 4))
            {
                ctx.Call("DynamicDepthwiseConvU8", ("x", f ? ctx.Input(0) : Arg.None), ("xQuantized", QuantizedInput(ctx, 0)), ("xScale", QuantizedInput(ctx, 1)),
                    ("xZeroPoint", QuantizedInput(ctx, 2)), ("weights", DepthwiseInteger.Weights(ctx, s, 3, 4)), ("wScale", ctx.Input(5)),
                    ("bias", QuantizedMatrix.OptionalInput(ctx, 6)), ("y", ctx.Output(0)), ("batch", s.N), ("g", QuantizedConv.Geometry(s)),
                    ("activation", KernelLayout.Activation(node)), ("scratch", ctx.Scratch(DataType.Int16)));
                return;
            }
            var (quads, sums) = QuantizedConv.QuadWeights(ctx, s, 3);
            ctx.Call("DynamicConvU8S8", ("x", f ? ctx.Input(0) : Arg.None), ("xQuantized", QuantizedInput(ctx, 0)), ("xScale", QuantizedInput(ctx, 1)),
                ("xZeroPoint", QuantizedInput(ctx, 2)), ("quadW", quads), ("rowSums", sums), ("wScale", ctx.Input(5)), ("bias", QuantizedMatrix.OptionalInput(ctx, 6)),
                ("y", ctx.Output(0)), ("batch", s.N), ("g", QuantizedConv.Geometry(s)), ("activation", KernelLayout.Activation(node)),
                ("scratch", ctx.Scratch(DataType.Int16)));
        }
    }

    /// <summary>The dynamically quantized matrix product, B 2-D (see <see cref="DynamicQuantizedOp"/>).</summary>
    public sealed class DynamicQuantizedMatMulOp : DynamicQuantizedOp
    {
        public const string OpName = "DynamicQuantizedMatMul";

        public override string OpType => OpName;

        private static QuantizedMatrix.MatMulDims Analyze(Node node)
        {
            var probe = IntegerProbe(node, "MatMulInteger");
            QuantizedMatrix.RequireInt8(probe, 0, "A");
            QuantizedMatrix.RequireInt8(probe, 1, "B");
            var d = QuantizedMatrix.MatMulDims.Of(probe.Inputs[0]!.Shape!, probe.Inputs[1]!.Shape!);
            QuantizedMatrix.ZeroPoint(probe, 2, DataType.UInt8, 1, "a_zero_point", "");
            if (!QuantizedMatrix.UsesQuads(probe, 2, 1, 3)) throw new UnsupportedException("dynamically quantized matrix product without a constant 2-D int8 B of zero point 0 (or uint8 of 128)");
            CheckScaleAndBias(node, d.N);
            return d;
        }

        public override void InferShapes(Node node)
        {
            var d = Analyze(node);
            node.Outputs[0].Type = DataType.Float;
            node.Outputs[0].Shape = d.Output;
        }

        public override long Macs(Node node)
        {
            var d = Analyze(node);
            return (long)d.Count * d.M * d.N * d.K;
        }

        public override long ScratchBytes(Node node)
        {
            var d = Analyze(node);
            return 2 * (PrefixShorts(FloatInput(node) ? node.Inputs[0]!.Length : 0, d.N) + QuantizedMatrix.QuadScratchShorts(d.M * d.Count, d.N, d.K, requantize: false));
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var d = Analyze(node);
            var bv = node.Inputs[3]!;
            var values = QuantizedMatrix.SignedQuadValues(bv);
            var packed = ctx.Weight(Tensor.FromLongs(DataType.Int8, new[] { QuantizedMatrix.PackedQuadLength(d.K, d.N) }, QuantizedMatrix.PackQuads(values, d.K, d.N)), bv.Name + "_quads");
            var sums = ctx.Weight(Tensor.FromLongs(DataType.Int32, new[] { d.N }, QuantizedMatrix.ColumnSums(values, d.K, d.N)), bv.Name + "_column_sums");
            long weights = (long)d.K * d.N;
            ctx.ReportCompression("int8", weights, weights, 4 * weights, weights + 4L * d.N);
            bool f = FloatInput(node);
            ctx.Call("DynamicMatMulU8S8", ("a", f ? ctx.Input(0) : Arg.None), ("aQuantized", QuantizedInput(ctx, 0)), ("aScale", QuantizedInput(ctx, 1)),
                ("aZeroPoint", QuantizedInput(ctx, 2)), ("packedB", packed), ("columnSums", sums), ("wScale", ctx.Input(5)), ("bias", QuantizedMatrix.OptionalInput(ctx, 6)),
                ("y", ctx.Output(0)), ("m", d.M * d.Count), ("n", d.N), ("k", d.K), ("activation", KernelLayout.Activation(node)),
                ("scratch", ctx.Scratch(DataType.Int16)));
        }
    }
}
