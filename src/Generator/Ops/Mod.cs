using System;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// Mod: the remainder of A / B, broadcast. fmod = 0 (default, integers only): the result takes the sign of the divisor,
    /// as Python's %. fmod = 1: C fmod, the sign of the dividend (required for floating types).
    /// </summary>
    public sealed class ModOp : OpDefinition
    {
        public override string OpType => "Mod";

        public override void InferShapes(Node node)
        {
            var shape = Broadcasting.InferShape(node, 2, BinaryFloatOp.IsNumeric, "numeric types");
            bool fmod = Broadcasting.Flag(node, "fmod", false);
            var type = node.Inputs[0]!.Type;
            if (!fmod && DataTypes.IsFloating(type))
                throw new IrException($"fmod must be 1 for floating input type {DataTypes.OnnxName(type)}");
            node.Outputs[0].Type = type;
            node.Outputs[0].Shape = shape;
        }

        public override bool TryFold(Node node)
        {
            bool fmod = Broadcasting.Flag(node, "fmod", false);
            var type = node.Outputs[0].Type;
            var divisor = node.Inputs[1]!.Constant!;
            if (DataTypes.IsFloating(type))
            {
                var a = node.Inputs[0]!.Constant!;
                var shape = node.Outputs[0].Shape!;
                var ia = BinaryFloatOp.BroadcastIndex(a.Shape, shape);
                var ib = BinaryFloatOp.BroadcastIndex(divisor.Shape, shape);
                // fmod is exact, so the double remainder of float values is the float remainder.
                node.Outputs[0].Constant = Tensor.FromDoubles(type, shape, ia.Select((x, k) => a.GetDouble(x) % divisor.GetDouble(ib[k])).ToArray());
                return true;
            }
            // An integer zero divisor is undefined; leave it to run time rather than fail the build.
            if (Enumerable.Range(0, divisor.Length).Any(i => divisor.GetLong(i) == 0)) return false;
            node.Outputs[0].Constant = Broadcasting.FoldLongs(node, type, (a, i, b, j) => BinaryFloatOp.Wrap(type, Remainder(type, a.GetLong(i), b.GetLong(j), fmod)));
            return true;
        }

        private static long Remainder(DataType type, long a, long b, bool fmod)
        {
            if (type == DataType.UInt64) return unchecked((long)((ulong)a % (ulong)b));
            if (b == -1) return 0;
            long r = a % b;
            return !fmod && r != 0 && (r < 0) != (b < 0) ? r + b : r;
        }

        public override void Lower(LoweringContext ctx) =>
            Broadcasting.CallBinary(ctx, "Mod", new TypeArg[] { ctx.Node.Inputs[0]!.Type }, ("fmod", Broadcasting.Flag(ctx.Node, "fmod", false)));
    }
}
