using System;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// BitCast (opset 26): the input's bits read as another type of the same width (attribute to), little endian. Folds on
    /// constants; otherwise runs Kernels.BitCast, a byte copy.
    /// </summary>
    public sealed class BitCastOp : OpDefinition
    {
        public override string OpType => "BitCast";

        public override void InferShapes(Node node)
        {
            var x = node.Inputs[0]!;
            var to = (DataType)node.Attributes.Int("to", 0);
            RequireSupported(DataTypes.IsSupported(x.Type), $"bit-casting from {DataTypes.OnnxName(x.Type)} is not supported");
            RequireSupported(DataTypes.IsSupported(to), $"bit-casting to {DataTypes.OnnxName(to)} is not supported");
            Require(DataTypes.Size(x.Type) == DataTypes.Size(to),
                $"{DataTypes.OnnxName(x.Type)} has {8 * DataTypes.Size(x.Type)} bits and {DataTypes.OnnxName(to)} {8 * DataTypes.Size(to)}: BitCast needs equal widths");
            node.Outputs[0].Type = to;
            node.Outputs[0].Shape = x.Shape;
        }

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            var to = node.Outputs[0].Type;
            int size = DataTypes.Size(x.Type);
            var bytes = new byte[x.Length * size];
            for (int i = 0; i < x.Length; i++) BitConverter.GetBytes(Bits(x, i)).AsSpan(0, size).CopyTo(bytes.AsSpan(i * size));
            var values = new double[x.Length];
            var longs = new long[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                ulong bits = 0;
                for (int b = size - 1; b >= 0; b--) bits = bits << 8 | bytes[i * size + b];
                switch (to)
                {
                    case DataType.Float: values[i] = BitConverter.ToSingle(BitConverter.GetBytes((uint)bits), 0); break;
                    case DataType.Double: values[i] = BitConverter.Int64BitsToDouble(unchecked((long)bits)); break;
                    case DataType.Float16: values[i] = ModelGen.Onnx.TensorReader.HalfToFloat((ushort)bits); break;
                    case DataType.Bool: longs[i] = bits != 0 ? 1 : 0; break;
                    default: longs[i] = CastOp.Wrap(unchecked((long)bits), to); break;
                }
            }
            node.Outputs[0].Constant = DataTypes.IsFloating(to) ? Tensor.FromDoubles(to, x.Shape, values) : Tensor.FromLongs(to, x.Shape, longs);
            return true;
        }

        /// <summary>Element <paramref name="i"/>'s bits, in the low bytes.</summary>
        private static ulong Bits(Tensor t, int i) => t.Type switch
        {
            DataType.Float => BitConverter.ToUInt32(BitConverter.GetBytes((float)t.GetDouble(i)), 0),
            DataType.Double => unchecked((ulong)BitConverter.DoubleToInt64Bits(t.GetDouble(i))),
            DataType.Float16 => ModelGen.Onnx.TensorReader.FloatToHalf((float)t.GetDouble(i)),
            _ => unchecked((ulong)t.GetLong(i)),
        };

        public override void Lower(LoweringContext ctx)
        {
            var x = ctx.Node.Inputs[0]!;
            var y = ctx.Node.Outputs[0];
            ctx.Call("BitCast", new TypeArg[] { x.Type, y.Type }, ("x", ctx.Input(0)), ("destination", ctx.Output(0)));
        }
    }
}
