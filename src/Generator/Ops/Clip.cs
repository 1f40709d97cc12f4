using System;
using System.Linq;
using ModelGen.Plan;
using ModelGen.Ir;

namespace ModelGen.Ops
{
    /// <summary>
    /// Clip: min(max(x, min), max). Before opset 11 the bounds are float attributes; from 11 they are optional scalar
    /// inputs (constant or computed at run time), and from 12 integer types are allowed. An omitted bound is the type's
    /// lowest or highest value. With min &gt; max every element becomes max (as the spec says); NaN stays NaN.
    /// </summary>
    public sealed class ClipOp : OpDefinition
    {
        public override string OpType => "Clip";

        public override void InferShapes(Node node)
        {
            var x = node.Inputs.Length > 0 ? node.Inputs[0] : null;
            Require(x is not null, "expects an input");
            if (node.Opset < 11)
            {
                Require(node.Inputs.Length == 1, $"opset {node.Opset} takes min and max as attributes, not inputs");
                RequireFloat(node);
            }
            else
            {
                Require(node.Inputs.Length <= 3, "expects at most 3 inputs");
                RequireSupported(BinaryFloatOp.IsNumeric(x!.Type), $"input '{x.Name}' has element type {DataTypes.OnnxName(x.Type)}");
                Require(node.Opset >= 12 || DataTypes.IsFloating(x.Type), $"opset {node.Opset} supports floating types only (integers came in opset 12)");
                for (int i = 1; i < node.Inputs.Length; i++)
                {
                    var bound = node.Inputs[i];
                    if (bound is null) continue;
                    Require(bound.Type == x.Type, $"bound '{bound.Name}' has element type {DataTypes.OnnxName(bound.Type)}, unlike the input's {DataTypes.OnnxName(x.Type)}");
                    Require(bound.Length == 1, $"bound '{bound.Name}' must be a scalar, but has shape {Shapes.Format(bound.Shape!)}");
                }
            }
            node.Outputs[0].Type = x!.Type;
            node.Outputs[0].Shape = x.Shape;
        }

        /// <summary>The bound as a build-time number, or null when it is computed at run time.</summary>
        private static double? Bound(Node node, int index)
        {
            if (node.Opset < 11)
                return index == 1 ? node.Attributes.Float("min", float.MinValue) : node.Attributes.Float("max", float.MaxValue);
            var v = node.Input(index);
            if (v is null) return index == 1 ? Lowest(node.Inputs[0]!.Type) : Highest(node.Inputs[0]!.Type);
            return v.Constant?.GetDouble(0);
        }

        private static double Lowest(DataType t) => t switch
        {
            DataType.Float => float.MinValue, DataType.Double => double.MinValue, DataType.Float16 => -65504,
            DataType.Int64 => long.MinValue, DataType.Int32 => int.MinValue, DataType.Int16 => short.MinValue, DataType.Int8 => sbyte.MinValue,
            _ => 0,
        };

        private static double Highest(DataType t) => t switch
        {
            DataType.Float => float.MaxValue, DataType.Double => double.MaxValue, DataType.Float16 => 65504,
            DataType.Int64 => long.MaxValue, DataType.Int32 => int.MaxValue, DataType.Int16 => short.MaxValue, DataType.Int8 => sbyte.MaxValue,
            DataType.UInt64 => ulong.MaxValue, DataType.UInt32 => uint.MaxValue, DataType.UInt16 => ushort.MaxValue, DataType.UInt8 => byte.MaxValue,
            _ => 0,
        };

        public override bool TryFold(Node node)
        {
            var x = node.Inputs[0]!.Constant!;
            var type = node.Outputs[0].Type;
            if (DataTypes.IsInteger(type))
            {
                long lo = node.Input(1) is { } l ? l.Constant!.GetLong(0) : long.MinValue;
                long hi = node.Input(2) is { } h ? h.Constant!.GetLong(0) : long.MaxValue;
                node.Outputs[0].Constant = Tensor.FromLongs(type, x.Shape, x.AsLongs().Select(v => Math.Min(Math.Max(v, lo), hi)).ToArray());
                return true;
            }
            double min = Bound(node, 1)!.Value, max = Bound(node, 2)!.Value;
            var values = Enumerable.Range(0, x.Length).Select(i => x.GetDouble(i)).Select(v => double.IsNaN(v) ? v : Math.Min(Math.Max(v, min), max)).ToArray();
            node.Outputs[0].Constant = Tensor.FromDoubles(type, x.Shape, values);
            return true;
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            var type = node.Inputs[0]!.Type;
            Arg BoundArgument(int index)
            {
                var v = node.Input(index);
                if (node.Opset >= 11 && v is null) return TypeLimit(type, max: index == 2);
                if (node.Opset >= 11 && v!.Constant is null) return new ElementArg(ctx.Input(index).Buffer, 0);
                double value = Bound(node, index)!.Value;
                return DataTypes.IsInteger(type) ? new ScalarArg(type, value, v!.Constant!.GetLong(0)) : new ScalarArg(type, value, 0);
            }
            var args = new (string, Arg)[] { ("x", ctx.Input(0)), ("destination", ctx.Output(0)), ("min", BoundArgument(1)), ("max", BoundArgument(2)) };
            if (type == DataType.Float) ctx.Call("Clip", args);
            else ctx.Call("Clip", new TypeArg[] { type }, args);
        }

        /// <summary>The smallest or largest value of an element type, as a literal.</summary>
        private static ScalarArg TypeLimit(DataType type, bool max) => type switch
        {
            DataType.Float => new ScalarArg(type, max ? float.MaxValue : float.MinValue, 0),
            DataType.Double => new ScalarArg(type, max ? double.MaxValue : double.MinValue, 0),
            DataType.Float16 => new ScalarArg(type, max ? 65504 : -65504, 0),
            DataType.Int8 => new ScalarArg(type, 0, max ? sbyte.MaxValue : sbyte.MinValue),
            DataType.UInt8 => new ScalarArg(type, 0, max ? byte.MaxValue : 0),
            DataType.Int16 => new ScalarArg(type, 0, max ? short.MaxValue : short.MinValue),
            DataType.UInt16 => new ScalarArg(type, 0, max ? ushort.MaxValue : 0),
            DataType.Int32 => new ScalarArg(type, 0, max ? int.MaxValue : int.MinValue),
            DataType.UInt32 => new ScalarArg(type, 0, max ? uint.MaxValue : 0),
            DataType.Int64 => new ScalarArg(type, 0, max ? long.MaxValue : long.MinValue),
            DataType.UInt64 => new ScalarArg(type, 0, max ? -1L : 0),
            _ => throw new UnsupportedException($"Clip on {DataTypes.OnnxName(type)}"),
        };
    }
}
