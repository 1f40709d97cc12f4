using System;
using ModelGen.Plan;
using ModelGen.Ir;
using ModelGen.Onnx;

namespace ModelGen.Ops
{
    /// <summary>
    /// Cast between numeric and bool types (attribute to). Floating to integer truncates toward zero, integer
    /// narrowing wraps (int4/uint4/int2/uint2 too), anything to bool is x != 0. The bits-only types (bfloat16, float8,
    /// float4e2m1, 4- and 2-bit integers) convert through float with <see cref="ElementFormats"/>: round to nearest
    /// even, out of range per saturate (opset 19+, float8 only) and round_mode (opset 24+, float8e8m0 only).
    /// Folds on constants; otherwise runs Kernels.Cast, or Kernels.CastFormat when a bits-only type is involved.
    /// Strings are not supported.
    /// </summary>
    public sealed class CastOp : OpDefinition
    {
        public override string OpType => "Cast";

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            Require(node.Attributes.Has("to"), "needs the 'to' attribute");
            var to = (DataType)node.Attributes.Int("to", 0);
            Require(Enum.IsDefined(typeof(DataType), to) && to != DataType.Undefined, $"'to' is {(long)to}, which is not an ONNX element type");
            RequireSupported(DataTypes.IsSupported(to), $"casting to {DataTypes.OnnxName(to)} is not supported");
            RequireSupported(DataTypes.IsSupported(x.Type) || x.Constant is not null, $"casting from {DataTypes.OnnxName(x.Type)} is not supported");
            ReadConversionAttributes(node);
            node.Outputs[0].Type = to;
            node.Outputs[0].Shape = x.Shape;
        }

        /// <summary>saturate (opset 19+, 0 or 1) and round_mode (opset 24+: up, down or nearest), validated; shared with CastLike.</summary>
        internal static (bool Saturate, int RoundMode) ReadConversionAttributes(Node node)
        {
            bool saturate = true;
            var raw = node.Attributes.Raw("saturate");
            if (raw is not null)
            {
                Require(node.Opset >= 19, $"has 'saturate', which opset {node.Opset} does not define (it came in opset 19)");
                Require(raw.Type == Onnx.Proto.AttributeProto.Types.AttributeType.Int, "'saturate' must be an int");
                Require(raw.I is 0 or 1, $"'saturate' is {raw.I}; it must be 0 or 1");
                saturate = raw.I == 1;
            }
            int roundMode = ElementFormats.RoundUp;
            var mode = node.Attributes.Raw("round_mode");
            if (mode is not null)
            {
                Require(node.Opset >= 24, $"has 'round_mode', which opset {node.Opset} does not define (it came in opset 24)");
                Require(mode.Type == Onnx.Proto.AttributeProto.Types.AttributeType.String, "'round_mode' must be a string");
                string text = mode.S.ToStringUtf8();
                roundMode = text switch
                {
                    "up" => ElementFormats.RoundUp,
                    "down" => ElementFormats.RoundDown,
                    "nearest" => ElementFormats.RoundNearest,
                    _ => throw new IrException($"'round_mode' is '{text}'; it must be up, down or nearest"),
                };
            }
            return (saturate, roundMode);
        }

        public override bool TryFold(Node node)
        {
            var (saturate, roundMode) = ReadConversionAttributes(node);
            node.Outputs[0].Constant = Convert(node.Inputs[0]!.Constant!, node.Outputs[0].Type, saturate, roundMode);
            return true;
        }

        /// <summary>The build-time twin of Kernels.Cast and Kernels.CastFormat.</summary>
        public static Tensor Convert(Tensor x, DataType to, bool saturate = true, int roundMode = ElementFormats.RoundUp)
        {
            int n = x.Length;
            bool floating = Tensor.Family(x.Type) != 'l';
            bool unsignedSource = x.Type == DataType.UInt64;
            if (DataTypes.IsBitsOnly(to))
            {
                if (DataTypes.IsBitsOnlyFloat(to))
                {
                    // Through float, like the kernel: encode, then hold the value the bits stand for.
                    var values = new float[n];
                    for (int i = 0; i < n; i++)
                    {
                        float f = floating ? (float)x.GetDouble(i) : unsignedSource ? (float)unchecked((ulong)x.Longs![i]) : (float)x.Longs![i];
                        values[i] = ElementFormats.Decode((int)to, ElementFormats.Encode((int)to, f, saturate, roundMode));
                    }
                    return new Tensor(to, x.Shape, floats: values);
                }
                var wrapped = new long[n];
                for (int i = 0; i < n; i++)
                    wrapped[i] = ElementFormats.Wrap(floating ? Truncate((float)x.GetDouble(i), DataType.Int32) : x.Longs![i], (int)to);
                return new Tensor(to, x.Shape, longs: wrapped);
            }
            switch (Tensor.Family(to))
            {
                case 'f':
                {
                    var result = new float[n];
                    for (int i = 0; i < n; i++)
                    {
                        float f = floating ? (float)x.GetDouble(i) : unsignedSource ? (float)unchecked((ulong)x.Longs![i]) : (float)x.Longs![i];
                        result[i] = to == DataType.Float16 ? TensorReader.HalfToFloat(TensorReader.FloatToHalf(f)) : f;
                    }
                    return new Tensor(to, x.Shape, floats: result);
                }
                case 'd':
                {
                    var result = new double[n];
                    for (int i = 0; i < n; i++)
                        result[i] = floating ? x.GetDouble(i) : unsignedSource ? (double)unchecked((ulong)x.Longs![i]) : x.Longs![i];
                    return new Tensor(to, x.Shape, doubles: result);
                }
                default:
                {
                    var result = new long[n];
                    for (int i = 0; i < n; i++)
                    {
                        if (to == DataType.Bool) { result[i] = (floating ? x.GetDouble(i) != 0 : x.Longs![i] != 0) ? 1 : 0; continue; }
                        long l = floating ? Truncate(x.GetDouble(i), to) : x.Longs![i];
                        result[i] = Wrap(l, to);
                    }
                    return new Tensor(to, x.Shape, longs: result);
                }
            }
        }

        /// <summary>Toward zero, saturating like .NET's conversions: to int64 or uint32/uint64 directly, narrower types through int32.</summary>
        private static long Truncate(double d, DataType to)
        {
            if (double.IsNaN(d)) return 0;
            d = Math.Truncate(d);
            if (to is DataType.Int64 or DataType.UInt32 or DataType.UInt64)
            {
                if (to == DataType.UInt64 && d >= 9223372036854775808.0) return d >= 18446744073709551615.0 ? -1 : unchecked((long)(ulong)d);
                return d >= 9223372036854775807.0 ? long.MaxValue : d <= -9223372036854775808.0 ? long.MinValue : (long)d;
            }
            return d >= int.MaxValue ? int.MaxValue : d <= int.MinValue ? int.MinValue : (long)d;
        }

        /// <summary>Two's-complement wrap to the target width, stored the way Tensor keeps that type.</summary>
        public static long Wrap(long v, DataType t) => unchecked(t switch
        {
            DataType.Int32 => (int)v,
            DataType.UInt32 => (uint)v,
            DataType.Int16 => (short)v,
            DataType.UInt16 => (ushort)v,
            DataType.Int8 => (sbyte)v,
            DataType.UInt8 => (byte)v,
            _ => v,
        });

        public override void Lower(LoweringContext ctx) => LowerCast(ctx);

        /// <summary>Input 0 converted to output 0's type (also used by CastLike).</summary>
        internal static void LowerCast(LoweringContext ctx)
        {
            var x = ctx.Node.Inputs[0]!;
            var y = ctx.Node.Outputs[0];
            if (x.Type == y.Type) ctx.Copy(ctx.Input(0), ctx.Output(0));
            else if (DataTypes.IsBitsOnly(x.Type) || DataTypes.IsBitsOnly(y.Type))
            {
                var (saturate, roundMode) = ReadConversionAttributes(ctx.Node);
                ctx.Call("CastFormat", new TypeArg[] { x.Type, y.Type }, ("x", ctx.Input(0)), ("destination", ctx.Output(0)),
                    ("fromType", (int)x.Type), ("toType", (int)y.Type), ("saturate", saturate), ("roundMode", roundMode));
            }
            else ctx.Call("Cast", new TypeArg[] { x.Type, y.Type }, ("x", ctx.Input(0)), ("destination", ctx.Output(0)));
        }
    }
}
