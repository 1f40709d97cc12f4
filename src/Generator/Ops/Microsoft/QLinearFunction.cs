using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx.Proto;

namespace ModelGen.Ops
{
    /// <summary>
    /// ONNX Runtime's quantized contrib operators (domain com.microsoft, written by its quantizer in QOperator format):
    /// each dequantizes its quantized inputs, computes the float operator and quantizes the result, as the contrib
    /// specification defines them. Expanded into DequantizeLinear → op → QuantizeLinear, they share the QDQ path: its
    /// kernels now, its integer fusions where they apply. ONNX Runtime computes some of them in fixed point or through
    /// a 256-entry table (QLinearAdd, QLinearSigmoid), which can round a value one step differently where the exact
    /// result sits on a rounding boundary.
    /// </summary>
    public abstract class QLinearFunction : FunctionOp
    {
        public override string Domain => "com.microsoft";

        protected static Value Dequantize(FunctionBody body, Value x, Value scale, Value? zeroPoint, long? axis = null) =>
            body.Add("DequantizeLinear", new[] { x, scale, zeroPoint }, axis is null ? null : new[] { FunctionBody.Int("axis", axis.Value) })[0];

        /// <summary>
        /// QuantizeLinear into <paramref name="output"/>. Without a zero point the output type is the quantized inputs' (a
        /// zero of the first constant input zero point's type), not QuantizeLinear's default uint8.
        /// </summary>
        protected static void Quantize(FunctionBody body, Value x, Value scale, Value? zeroPoint, Value output, IEnumerable<Value?> inputZeroPoints)
        {
            if (zeroPoint is null && inputZeroPoints.FirstOrDefault(z => z?.Constant is not null) is { } like)
                zeroPoint = body.Constant(new Tensor(like.Constant!.Type, System.Array.Empty<int>(), longs: new long[1]), "zero");
            body.Add("QuantizeLinear", new[] { x, scale, zeroPoint }, outputs: new[] { output });
        }

        /// <summary>A node's attributes except those named, for the float operator the function wraps.</summary>
        protected static IEnumerable<AttributeProto> AttributesExcept(Node node, params string[] names) =>
            node.Attributes.Names.Where(n => !names.Contains(n)).Select(n => node.Attributes.Raw(n)!);
    }

    /// <summary>com.microsoft QLinearAdd and QLinearMul: A, A_scale, A_zero_point?, B, B_scale, B_zero_point?, C_scale, C_zero_point? → C, with broadcasting.</summary>
    public abstract class QLinearBinaryOp : QLinearFunction
    {
        protected abstract string FloatOp { get; }

        public override void Expand(Node node, FunctionBody body)
        {
            var a = Dequantize(body, Required(node, 0, "A"), Required(node, 1, "A_scale"), node.Input(2));
            var b = Dequantize(body, Required(node, 3, "B"), Required(node, 4, "B_scale"), node.Input(5));
            var c = body.Add(FloatOp, new[] { a, b })[0];
            Quantize(body, c, Required(node, 6, "C_scale"), node.Input(7), node.Outputs[0], new[] { node.Input(2), node.Input(5) });
        }
    }

    public sealed class QLinearAddOp : QLinearBinaryOp
    {
        public override string OpType => "QLinearAdd";
        protected override string FloatOp => "Add";
    }

    public sealed class QLinearMulOp : QLinearBinaryOp
    {
        public override string OpType => "QLinearMul";
        protected override string FloatOp => "Mul";
    }

    /// <summary>com.microsoft QLinearSigmoid and QLinearLeakyRelu (alpha): X, X_scale, X_zero_point?, Y_scale, Y_zero_point? → Y.</summary>
    public abstract class QLinearUnaryOp : QLinearFunction
    {
        protected abstract string FloatOp { get; }

        protected virtual IEnumerable<AttributeProto>? FloatAttributes(Node node) => null;

        public override void Expand(Node node, FunctionBody body)
        {
            var x = Dequantize(body, Required(node, 0, "X"), Required(node, 1, "X_scale"), node.Input(2));
            var y = body.Add(FloatOp, new[] { x }, FloatAttributes(node))[0];
            Quantize(body, y, Required(node, 3, "Y_scale"), node.Input(4), node.Outputs[0], new[] { node.Input(2) });
        }
    }

    public sealed class QLinearSigmoidOp : QLinearUnaryOp
    {
        public override string OpType => "QLinearSigmoid";
        protected override string FloatOp => "Sigmoid";
    }

    public sealed class QLinearLeakyReluOp : QLinearUnaryOp
    {
        public override string OpType => "QLinearLeakyRelu";
        protected override string FloatOp => "LeakyRelu";
        protected override IEnumerable<AttributeProto>? FloatAttributes(Node node) => new[] { FunctionBody.Float("alpha", node.Attributes.Float("alpha", 0.01f)) };
    }

    /// <summary>
    /// com.microsoft QLinearSoftmax: X, X_scale, x_zero_point?, y_scale, y_zero_point → Y; attributes axis and opset (the
    /// opset whose Softmax semantics apply: before 13 the input is flattened to 2-D at axis, from 13 one axis).
    /// </summary>
    public sealed class QLinearSoftmaxOp : QLinearFunction
    {
        public override string OpType => "QLinearSoftmax";

        public override void Expand(Node node, FunctionBody body)
        {
            Require(node.Attributes.Has("opset"), "needs the 'opset' attribute (the Softmax semantics it follows)");
            long opset = node.Attributes.Int("opset", 13);
            var x = Dequantize(body, Required(node, 0, "X"), Required(node, 1, "X_scale"), node.Input(2));
            var attributes = new[] { FunctionBody.Int("axis", node.Attributes.Int("axis", opset < 13 ? 1 : -1)) };
            var y = body.Add("Softmax", new[] { x }, attributes, opset: (int)opset)[0];
            Quantize(body, y, Required(node, 3, "y_scale"), node.Input(4), node.Outputs[0], new[] { node.Input(2) });
        }
    }

    /// <summary>com.microsoft QLinearConcat: Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per input → Y; attribute axis.</summary>
    public sealed class QLinearConcatOp : QLinearFunction
    {
        public override string OpType => "QLinearConcat";

        public override void Expand(Node node, FunctionBody body)
        {
            Require(node.Inputs.Length >= 5 && (node.Inputs.Length - 2) % 3 == 0, "expects Y_scale, Y_zero_point and (X, X_scale, X_zero_point) triples");
            Require(node.Attributes.Has("axis"), "needs the 'axis' attribute");
            var parts = new List<Value?>();
            var zeroPoints = new List<Value?>();
            for (int i = 2; i < node.Inputs.Length; i += 3)
            {
                parts.Add(Dequantize(body, Required(node, i, "X"), Required(node, i + 1, "X_scale"), node.Input(i + 2)));
                zeroPoints.Add(node.Input(i + 2));
            }
            var y = body.Add("Concat", parts.ToArray(), new[] { FunctionBody.Int("axis", node.Attributes.Int("axis", 0)) })[0];
            Quantize(body, y, Required(node, 0, "Y_scale"), node.Input(1), node.Outputs[0], zeroPoints);
        }
    }

    /// <summary>
    /// com.microsoft QLinearGlobalAveragePool and QLinearAveragePool: X, x_scale, x_zero_point?, y_scale, y_zero_point? → Y,
    /// with channels_last (NHWC) supported by transposing around the float pool.
    /// </summary>
    public abstract class QLinearPoolOp : QLinearFunction
    {
        protected abstract string FloatOp { get; }

        public override void Expand(Node node, FunctionBody body)
        {
            var x = Dequantize(body, Required(node, 0, "X"), Required(node, 1, "x_scale"), node.Input(2));
            bool channelsLast = node.Attributes.Int("channels_last", 0) != 0;
            var input = node.Inputs[0]!;
            int rank = input.Shape?.Length ?? 4;
            if (channelsLast)
            {
                // NHWC → NCHW, pool, and back.
                var toFirst = new long[rank];
                toFirst[0] = 0; toFirst[1] = rank - 1;
                for (int i = 2; i < rank; i++) toFirst[i] = i - 1;
                x = body.Add("Transpose", new[] { x }, new[] { FunctionBody.Ints("perm", toFirst) })[0];
            }
            var y = body.Add(FloatOp, new[] { x }, AttributesExcept(node, "channels_last"), minOpset: 19)[0];
            if (channelsLast)
            {
                var toLast = new long[rank];
                toLast[0] = 0; toLast[rank - 1] = 1;
                for (int i = 1; i < rank - 1; i++) toLast[i] = i + 1;
                y = body.Add("Transpose", new[] { y }, new[] { FunctionBody.Ints("perm", toLast) })[0];
            }
            Quantize(body, y, Required(node, 3, "y_scale"), node.Input(4), node.Outputs[0], new[] { node.Input(2) });
        }
    }

    public sealed class QLinearGlobalAveragePoolOp : QLinearPoolOp
    {
        public override string OpType => "QLinearGlobalAveragePool";
        protected override string FloatOp => "GlobalAveragePool";
    }

    public sealed class QLinearAveragePoolOp : QLinearPoolOp
    {
        public override string OpType => "QLinearAveragePool";
        protected override string FloatOp => "AveragePool";
    }

    /// <summary>
    /// com.microsoft QGemm: A, a_scale, a_zero_point, B, b_scale, b_zero_point, C?, y_scale?, y_zero_point? → Y; alpha,
    /// transA, transB. C is an int32 bias with scale a_scale·b_scale and zero point 0; b_scale and b_zero_point may be per
    /// output column. Without y_scale the output is float.
    /// </summary>
    public sealed class QGemmOp : QLinearFunction
    {
        public override string OpType => "QGemm";

        public override void Expand(Node node, FunctionBody body)
        {
            bool transB = node.Attributes.Int("transB", 0) != 0;
            var bScale = Required(node, 4, "b_scale");
            long? bAxis = bScale.Shape is { Length: 1 } s && s[0] > 1 ? (transB ? 0 : 1) : null;
            var a = Dequantize(body, Required(node, 0, "A"), Required(node, 1, "a_scale"), node.Input(2));
            var b = Dequantize(body, Required(node, 3, "B"), bScale, node.Input(5), bAxis);
            var inputs = new List<Value?> { a, b };
            if (node.Input(6) is { } c)
            {
                var cScale = body.Add("Mul", new[] { node.Inputs[1], bScale })[0];
                inputs.Add(Dequantize(body, c, cScale, null, bAxis is null ? null : 0));
            }
            var attributes = new[]
            {
                FunctionBody.Float("alpha", node.Attributes.Float("alpha", 1f)), FunctionBody.Float("beta", 1f),
                FunctionBody.Int("transA", node.Attributes.Int("transA", 0)), FunctionBody.Int("transB", transB ? 1 : 0),
            };
            if (node.Input(7) is not { } yScale)
            {
                body.Add("Gemm", inputs.ToArray(), attributes, outputs: new[] { node.Outputs[0] });
                return;
            }
            var y = body.Add("Gemm", inputs.ToArray(), attributes)[0];
            Quantize(body, y, yScale, node.Input(8), node.Outputs[0], new[] { node.Input(2), node.Input(5) });
        }
    }

    /// <summary>com.microsoft QuantizeLinear and DequantizeLinear (ONNX Runtime's versions for any opset): the standard operators with the same inputs and axis.</summary>
    public abstract class MicrosoftQuantizationOp : FunctionOp
    {
        public override string Domain => "com.microsoft";

        public override void Expand(Node node, FunctionBody body) =>
            body.Add(OpType, node.Inputs, AttributesOf(node), outputs: node.Outputs);

        private static IEnumerable<AttributeProto> AttributesOf(Node node) =>
            node.Attributes.Names.Where(n => n == "axis").Select(n => node.Attributes.Raw(n)!);
    }

    public sealed class MicrosoftQuantizeLinearOp : MicrosoftQuantizationOp
    {
        public override string OpType => "QuantizeLinear";
    }

    public sealed class MicrosoftDequantizeLinearOp : MicrosoftQuantizationOp
    {
        public override string OpType => "DequantizeLinear";
    }
}
