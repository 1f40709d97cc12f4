using System;
using ModelGen.Plan;
using ModelGen.Ir;
using ModelGen.Onnx;

namespace ModelGen.Ops
{
    /// <summary>
    /// Cast between numeric and bool types (attribute to). Floating to integer truncates toward zero, integer
    /// narrowing wraps, anything to bool is x != 0. Folds on constants; otherwise runs Kernels.Cast.
    /// The float8 saturate attribute (opset 19) does not apply to the supported types.
    /// </summary>
    public sealed class CastOp : OpDefinition
    {
        public override string OpType => "Cast";

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            Require(node.Attributes.Has("to"), "needs the 'to' attribute");
            var to = (DataType)node.Attributes.Int("to", 0);
            RequireSupported(DataTypes.IsSupported(to), $"casting to {DataTypes.OnnxName(to)} is not supported");
            RequireSupported(DataTypes.IsSupported(x.Type) || x.Constant is not null, $"casting from {DataTypes.OnnxName(x.Type)} is not supported");
            node.Outputs[0].Type = to;
            node.Outputs[0].Shape = x.Shape;
        }

        public override bool TryFold(Node node)
        {
            node.Outputs[0].Constant = Convert(node.Inputs[0]!.Constant!, node.Outputs[0].Type);
            return true;
        }

        /// <summary>The build-time twin of Kernels.Cast.</summary>
        public static Tensor Convert(Tensor x, DataType to)
        {
            int n = x.Length;
            bool floating = Tensor.Family(x.Type) != 'l';
            bool unsignedSource = x.Type == DataType.UInt64;
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
            else ctx.Call("Cast", new TypeArg[] { x.Type, y.Type }, ("x", ctx.Input(0)), ("destination", ctx.Output(0)));
        }
    }
}
