using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// BitShift: X shifted by Y bits (attribute direction "LEFT" or "RIGHT"), unsigned integers, broadcast. A shift by the
    /// type's width or more gives 0, as numpy (ONNX's reference) does.
    /// </summary>
    public sealed class BitShiftOp : OpDefinition
    {
        public override string OpType => "BitShift";

        private static bool IsUnsigned(DataType t) => t is DataType.UInt8 or DataType.UInt16 or DataType.UInt32 or DataType.UInt64;

        public override void InferShapes(Node node)
        {
            var shape = Broadcasting.InferShape(node, 2, IsUnsigned, "uint8, uint16, uint32 and uint64");
            Left(node);
            node.Outputs[0].Type = node.Inputs[0]!.Type;
            node.Outputs[0].Shape = shape;
        }

        private static bool Left(Node node)
        {
            var raw = node.Attributes.Raw("direction");
            if (raw is null) throw new IrException("needs the 'direction' attribute (\"LEFT\" or \"RIGHT\")");
            if (raw.Type != Onnx.Proto.AttributeProto.Types.AttributeType.String) throw new IrException($"attribute 'direction' must be a string, not {raw.Type}");
            string direction = node.Attributes.String("direction", "");
            if (direction == "LEFT") return true;
            if (direction == "RIGHT") return false;
            throw new IrException($"attribute 'direction' must be \"LEFT\" or \"RIGHT\", not \"{direction}\"");
        }

        public override bool TryFold(Node node)
        {
            bool left = Left(node);
            var type = node.Outputs[0].Type;
            int width = DataTypes.Size(type) * 8;
            node.Outputs[0].Constant = Broadcasting.FoldLongs(node, type, (a, i, b, j) =>
            {
                ulong x = (ulong)a.GetLong(i), bits = (ulong)b.GetLong(j);
                if (bits >= (ulong)width) return 0;
                return BinaryFloatOp.Wrap(type, unchecked((long)(left ? x << (int)bits : x >> (int)bits)));
            });
            return true;
        }

        public override void Lower(LoweringContext ctx) =>
            Broadcasting.CallBinary(ctx, "BitShift", new TypeArg[] { ctx.Node.Inputs[0]!.Type }, ("left", Left(ctx.Node)));
    }
}
